"""The list of requests: the queries behind /requests, prepared once per shape.

Every signed-in visit renders this page afresh, so its queries are prepared
(app/core/prepared.py) and read only what the list shows. On SQLite, filters and words go
through the full-text index, which holds every searchable request's facets
(app/core/facets.py): the index hands over matching rows newest first and the request's own
row is read only for those. PostgreSQL, with no such index, finds skills and languages
through their indexed tables and words with ILIKE; both give the same answers.
"""

import datetime
from dataclasses import dataclass
from typing import NamedTuple

from peewee import OP, SQL, Expression, NodeList, Value, fn

from movements.app.core import facets
from movements.app.core.db import is_sqlite
from movements.app.core.models import (
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    RequestText,
    User,
    today,
)
from movements.app.core.prepared import Prepared, slot
from movements.app.core.visibility import viewer_kind, visibility_clause

# Their words leave SQLite's full-text index, so no search finds them; nor may PostgreSQL's.
UNSEARCHABLE = (HelpRequest.WITHDRAWN, HelpRequest.EXPIRED, HelpRequest.REMOVED)
FACET_TABLES = {facets.SKILL: HelpRequestSkill, facets.LANGUAGE: HelpRequestLanguage}
FACET_COLUMNS = {facets.COUNTRY: HelpRequest.country, facets.URGENCY: HelpRequest.urgency}


class Listed(NamedTuple):
    """A request as the list shows it: a tuple, cheap to make twenty times a page, and
    hashable by all it shows, so its row can be kept (templates/requests/macros.html)."""

    id: int
    public_id: str
    title: str
    country: str
    urgency: str
    created_on: datetime.date
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Shape:
    """What decides a page's SQL; the values themselves do not."""

    viewer: str
    only_open: bool  # open requests must also not be past their date
    facets: tuple[str, ...]
    words: int
    sqlite: bool


def _contains(column, name: str) -> Expression:
    """`column` holds the slot's text anywhere, case-blind; the caller escapes % _ and \\."""
    escape = Value("\\", converter=False)
    return Expression(column, OP.ILIKE, NodeList((slot(name), SQL("ESCAPE"), escape)))


def _page_query(shape: Shape):
    where = visibility_clause(shape.viewer, slot("viewer"), slot("stars"))
    where &= HelpRequest.status == slot("status")
    if shape.only_open:
        where &= HelpRequest.expires_on >= slot("today")
    columns = (
        HelpRequest.id,
        HelpRequest.public_id,
        HelpRequest.title,
        HelpRequest.country,
        HelpRequest.urgency,
        HelpRequest.created_on,
    )
    query = HelpRequest.select(*columns)
    newest_first = HelpRequest.id.desc()
    if shape.sqlite and (shape.facets or shape.words):
        # driven by the index: its rows come newest first, each request read by its key
        query = query.join(RequestText, on=(RequestText.rowid == HelpRequest.id))
        where &= RequestText.match(slot("match"))
        newest_first = RequestText.rowid.desc()
    elif shape.facets or shape.words:
        where &= HelpRequest.status.not_in(UNSEARCHABLE)
        for facet in shape.facets:
            if facet in FACET_COLUMNS:
                where &= FACET_COLUMNS[facet] == slot(facet)
            else:
                table = FACET_TABLES[facet]
                filed = table.select(SQL("1")).where(
                    (table.code == slot(facet)) & (table.help_request == HelpRequest.id)
                )
                where &= fn.EXISTS(filed)
        for number in range(shape.words):
            name = f"word{number}"
            where &= _contains(HelpRequest.title, name) | _contains(HelpRequest.description, name)
    return query.where(where).order_by(newest_first).limit(slot("limit")).offset(slot("offset"))


def _skills_query(count: int):
    wanted = [slot(f"id{number}") for number in range(count)]
    return HelpRequestSkill.select(HelpRequestSkill.help_request, HelpRequestSkill.code).where(
        HelpRequestSkill.help_request.in_(wanted)
    )


_PAGE = Prepared(_page_query)
_SKILLS = Prepared(_skills_query)


def _like_pattern(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def list_page(
    viewer: User | None,
    status: str,
    chosen: dict[str, str],
    words: list[str],
    offset: int,
    limit: int,
) -> list[Listed]:
    """Requests this viewer may see with this status, every chosen facet and every word."""
    chosen = {facet: code for facet, code in chosen.items() if code}
    shape = Shape(
        viewer=viewer_kind(viewer),
        only_open=status == HelpRequest.OPEN,
        facets=tuple(sorted(chosen)),
        words=len(words),
        sqlite=is_sqlite(),
    )
    values = {
        "viewer": viewer.id if viewer else None,
        "stars": viewer.trust_stars if viewer else None,
        "status": status,
        "today": today(),
        "match": facets.match_expression(chosen, words),
        "limit": limit,
        "offset": offset,
        **chosen,
        **{f"word{number}": _like_pattern(word) for number, word in enumerate(words)},
    }
    rows = _PAGE.rows(shape, **values)
    skills = _skills_of([row[0] for row in rows])
    return [Listed(*row, skills=tuple(skills.get(row[0], ()))) for row in rows]


def _skills_of(ids: list[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    found: dict[int, list[str]] = {}
    rows = _SKILLS.rows(len(ids), **{f"id{number}": i for number, i in enumerate(ids)})
    for help_request_id, code in sorted(rows):
        found.setdefault(help_request_id, []).append(code)
    return found
