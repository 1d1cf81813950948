"""Requests for help: who may post, edit and see them, and how they are browsed."""

import datetime
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from movements.app.alerts import matching as alert_matching
from movements.app.core import fulltext
from movements.app.core.db import database, is_sqlite
from movements.app.core.eligibility import ensure_eligible_focus
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, Offer, RequestText, User, today
from movements.app.core.taxonomy import pack
from movements.app.core.visibility import visible_to
from movements.app.notifications.rules import notify

SEARCH_TERMS_MAX = 8
PAGE_MAX = 500
# Their words leave SQLite's full-text index, so no search finds them; nor may PostgreSQL's.
UNSEARCHABLE = (HelpRequest.WITHDRAWN, HelpRequest.EXPIRED, HelpRequest.REMOVED)


@dataclass
class RequestFields:
    title: str
    description: str
    skills: list[str]
    country: str
    languages: list[str]
    urgency: str
    visibility: str
    min_stars: int
    expires_in_days: int


@dataclass
class Filters:
    skill: str = ""
    country: str = ""
    language: str = ""
    urgency: str = ""
    status: str = HelpRequest.OPEN
    q: str = ""
    page: int = 1


def _apply(request: HelpRequest, fields: RequestFields) -> None:
    request.title = fields.title.strip()
    request.description = fields.description.strip()
    request.skills = pack(fields.skills)
    request.country = fields.country
    request.languages = pack(fields.languages)
    request.urgency = fields.urgency
    request.visibility = fields.visibility
    request.min_stars = fields.min_stars if fields.visibility == "stars" else 0
    request.expires_on = today() + datetime.timedelta(days=fields.expires_in_days)


def _index(help_request: HelpRequest) -> None:
    fulltext.index(RequestText, help_request.id, help_request.title, help_request.description)


def ensure_may_post(user: User) -> None:
    if not user.is_activist:
        raise RuleViolation(_l("Only people who need help post requests."))


def create_request(author: User, fields: RequestFields) -> HelpRequest:
    ensure_may_post(author)
    ensure_eligible_focus(fields.country)
    with database.atomic():
        request = HelpRequest(author=author)
        _apply(request, fields)
        request.save()
        _index(request)
        alert_matching.announce(request)
    return request


def _own_open_request(user: User, request: HelpRequest) -> None:
    if user.id != request.author_id:
        raise NotFound
    if request.status != HelpRequest.OPEN:
        raise RuleViolation(_l("Only an open request can be changed."))


def edit_request(user: User, request: HelpRequest, fields: RequestFields) -> None:
    _own_open_request(user, request)
    ensure_eligible_focus(fields.country)
    with database.atomic():
        _apply(request, fields)
        request.save()
        _index(request)
        # a wider visibility or new words may now match alerts that did not match before
        alert_matching.announce(request)


def withdraw_request(user: User, request: HelpRequest) -> None:
    """Close a request for good; providers with pending offers are told."""
    _own_open_request(user, request)
    with database.atomic():
        # only if still open: an acceptance committed since the page was read wins
        withdrawn = HelpRequest.update(status=HelpRequest.WITHDRAWN).where(
            (HelpRequest.id == request.id) & (HelpRequest.status == HelpRequest.OPEN)
        )
        if withdrawn.execute() != 1:
            raise RuleViolation(_l("Only an open request can be changed."))
        request.status = HelpRequest.WITHDRAWN
        request.save()
        fulltext.unindex(RequestText, [request.id])
        pending = Offer.select().where((Offer.request == request) & (Offer.status == Offer.PENDING))
        for offer in pending:
            offer.status = Offer.DECLINED
            offer.save()
            notify(
                offer.provider, "request_withdrawn", f"/requests/{request.public_id}", request.title
            )


def _search_expression(q: str) -> str | None:
    """User words as quoted FTS5 terms, so no input can be read as query syntax."""
    words = re.findall(r"\w+", q)[:SEARCH_TERMS_MAX]
    return " ".join(f'"{word}"' for word in words) or None


def browse(user: User | None, filters: Filters, page_size: int) -> tuple[list[HelpRequest], bool]:
    """One page of the requests this visitor may see, newest first, and whether more follow."""
    query = HelpRequest.select(HelpRequest, User).join(User)
    where = visible_to(user) & (HelpRequest.status == filters.status)
    if filters.status == HelpRequest.OPEN:
        where &= HelpRequest.expires_on >= today()
    if filters.skill:
        where &= HelpRequest.skills.contains(f",{filters.skill},")
    if filters.language:
        where &= HelpRequest.languages.contains(f",{filters.language},")
    if filters.country:
        where &= HelpRequest.country == filters.country
    if filters.urgency:
        where &= HelpRequest.urgency == filters.urgency
    expression = _search_expression(filters.q)
    if filters.q and expression is None:
        return [], False
    if expression and is_sqlite():
        matching = RequestText.select(RequestText.rowid).where(RequestText.match(expression))
        where &= HelpRequest.id.in_(matching)
    elif expression:
        # peewee's contains() is ILIKE with %, _ and \ escaped: case-blind, and no typed
        # character acts as a wildcard (tests/postgres/test_both_databases.py)
        where &= HelpRequest.status.not_in(UNSEARCHABLE)
        for word in re.findall(r"\w+", filters.q)[:SEARCH_TERMS_MAX]:
            where &= HelpRequest.title.contains(word) | HelpRequest.description.contains(word)
    page = min(max(filters.page, 1), PAGE_MAX)
    rows = list(
        query.where(where)
        .order_by(HelpRequest.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    return rows[:page_size], len(rows) > page_size


def requests_of(user: User) -> list[HelpRequest]:
    return list(
        HelpRequest.select().where(HelpRequest.author == user).order_by(HelpRequest.id.desc())
    )
