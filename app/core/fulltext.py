"""Keeping the SQLite full-text indexes in step with their rows, one way for every table.

PostgreSQL has no such index (search there reads the rows themselves), so on PostgreSQL each
of these does nothing. A row's words leave the index when it stops being searchable, so a
withdrawn, expired, removed or deleted text cannot be found, nor lingers in the file.
"""

from collections.abc import Iterable

from movements.app.core.db import is_sqlite
from movements.app.core.models import SearchText


def index(text_model: type[SearchText], row_id: int, **columns: str) -> None:
    """Put (or put back) one row's text in its index: title, description and any other column."""
    if is_sqlite():
        text_model.insert(rowid=row_id, **columns).on_conflict_replace().execute()


def unindex(text_model: type[SearchText], row_ids: Iterable[int]) -> None:
    row_ids = list(row_ids)
    if is_sqlite() and row_ids:
        text_model.delete().where(text_model.rowid.in_(row_ids)).execute()
