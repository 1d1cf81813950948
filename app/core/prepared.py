"""Queries whose SQL is written once per shape, then run again and again with new values.

peewee writes a query's SQL afresh each time it runs, walking the whole expression: for the
list of requests that took ten times as long as SQLite took to answer. A busy page's queries
have few shapes (which filters are present, who is looking), so each shape's SQL is written
once, still by peewee from the models, with a named `slot` wherever a value goes, and kept;
each run binds that run's values to it in order. Values that are the same on every run (the
word "removed", say) may stay in the query as they are.
"""

import datetime
import threading
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    Field,
    ForeignKeyField,
    IntegerField,
    Query,
    TextField,
    Value,
)

from movements.app.core.db import database


class _Slot:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


def slot(name: str) -> Value:
    """A place for the value named `name`, filled in at each run (and never converted by
    peewee on the way in: pass what the column holds, a date for a date)."""
    return Value(_Slot(name), converter=False)


# columns both drivers already hand over as Python would read them (text, integers)
_READ_AS_GIVEN = (CharField, TextField, IntegerField, AutoField, ForeignKeyField)


def _reader(column):
    """How a column's value is read: as its field reads it (a date, a boolean), or as given."""
    if isinstance(column, DateField):
        return partial(_read_date, column.python_value)
    if isinstance(column, DateTimeField):
        return partial(_read_datetime, column.python_value)
    if isinstance(column, Field) and not isinstance(column, _READ_AS_GIVEN):
        return column.python_value
    return None


def _read_date(field_reads: Callable, value):
    """A date as SQLite hands it over, "2026-11-29", read at once; peewee's own reader tries
    several formats in turn, which was a tenth of a list page's time. Anything else (a date
    from PostgreSQL) is read by the field, as peewee would."""
    if type(value) is str and len(value) == 10:
        return datetime.date.fromisoformat(value)
    return field_reads(value)


def _read_datetime(field_reads: Callable, value):
    """A time as SQLite hands it over, "2026-11-29 23:40:00[.123456]", read at once."""
    if type(value) is str and len(value) in (19, 26):
        return datetime.datetime.fromisoformat(value)
    return field_reads(value)


class Prepared:
    """A query built by `build(shape)` for each shape it is run with, and kept per database.

    The SQL differs between SQLite and PostgreSQL, so it is kept per kind of database.
    """

    def __init__(self, build: Callable[[Hashable], Query]):
        self._build = build
        self._kept: dict[tuple, tuple[str, list, list, Query]] = {}
        self._lock = threading.Lock()

    def _written(self, shape: Hashable) -> tuple[str, list, list, Query]:
        key = (type(database.obj), shape)
        kept = self._kept.get(key)
        if kept is None:
            query = self._build(shape)
            sql, params = query.sql()
            columns = getattr(query, "selected_columns", None) or []
            readers = [_reader(column) for column in columns]
            with self._lock:
                kept = self._kept.setdefault(key, (sql, params, readers, query))
        return kept

    def _run(self, shape: Hashable, values: dict):
        sql, params, readers, query = self._written(shape)
        bound = [values[p.name] if isinstance(p, _Slot) else p for p in params]
        return database.execute_sql(sql, bound), readers, query

    def rows(self, shape: Hashable, **values: Any) -> list[tuple]:
        """Every row for these values, each column read as its field reads it."""
        cursor, readers, _query = self._run(shape, values)
        rows = cursor.fetchall()
        if not any(readers):
            return rows
        return [
            tuple(
                read(v) if read and v is not None else v
                for read, v in zip(readers, row, strict=True)
            )
            for row in rows
        ]

    def objects(self, shape: Hashable, **values: Any) -> list:
        """Every row for these values as the query's model objects, joined ones attached, read
        by peewee itself exactly as if it had run the query (only the SQL was kept)."""
        cursor, _readers, query = self._run(shape, values)
        return list(query._get_cursor_wrapper(cursor))  # peewee's own reader of its rows
