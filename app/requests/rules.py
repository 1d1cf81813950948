"""Requests for help: who may post, edit and see them, and how they are browsed."""

import datetime
import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from movements.app.alerts import matching as alert_matching
from movements.app.core import facets, fulltext
from movements.app.core.db import database
from movements.app.core.eligibility import ensure_eligible_focus
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import (
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    Offer,
    RequestText,
    User,
    codes_of,
    today,
)
from movements.app.notifications.rules import notify
from movements.app.requests.listing import Listed, list_page

SEARCH_TERMS_MAX = 8
PAGE_MAX = 500


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


def _apply(help_request: HelpRequest, fields: RequestFields) -> None:
    help_request.title = fields.title.strip()
    help_request.description = fields.description.strip()
    help_request.country = fields.country
    help_request.urgency = fields.urgency
    help_request.visibility = fields.visibility
    help_request.min_stars = fields.min_stars if fields.visibility == "stars" else 0
    help_request.expires_on = today() + datetime.timedelta(days=fields.expires_in_days)


def _file_under(help_request: HelpRequest, fields: RequestFields) -> None:
    """Its skills and languages, as rows (the caller holds a transaction); and its index."""
    skills, languages = sorted(set(fields.skills)), sorted(set(fields.languages))
    for table, codes in ((HelpRequestSkill, skills), (HelpRequestLanguage, languages)):
        table.delete().where(table.help_request == help_request).execute()
        rows = [{"help_request": help_request, "code": code} for code in codes]
        table.insert_many(rows).execute()
    fulltext.index(
        RequestText,
        help_request.id,
        title=help_request.title,
        description=help_request.description,
        facets=facets.words(skills, languages, help_request.country, help_request.urgency),
    )


def skills_of(help_request: HelpRequest) -> list[str]:
    return codes_of(HelpRequestSkill, help_request.id)


def languages_of(help_request: HelpRequest) -> list[str]:
    return codes_of(HelpRequestLanguage, help_request.id)


def ensure_may_post(user: User) -> None:
    if not user.is_activist:
        raise RuleViolation(_l("Only people who need help post requests."))


def create_request(author: User, fields: RequestFields) -> HelpRequest:
    ensure_may_post(author)
    ensure_eligible_focus(fields.country)
    with database.atomic():
        help_request = HelpRequest(author=author)
        _apply(help_request, fields)
        help_request.save()
        _file_under(help_request, fields)
        alert_matching.announce(help_request)
    return help_request


def _own_open_request(user: User, help_request: HelpRequest) -> None:
    if user.id != help_request.author_id:
        raise NotFound
    if help_request.status != HelpRequest.OPEN:
        raise RuleViolation(_l("Only an open request can be changed."))


def edit_request(user: User, help_request: HelpRequest, fields: RequestFields) -> None:
    _own_open_request(user, help_request)
    ensure_eligible_focus(fields.country)
    with database.atomic():
        _apply(help_request, fields)
        help_request.save()
        _file_under(help_request, fields)
        # a wider visibility or new words may now match alerts that did not match before
        alert_matching.announce(help_request)


def withdraw_request(user: User, help_request: HelpRequest) -> None:
    """Close a request for good; providers with pending offers are told."""
    _own_open_request(user, help_request)
    with database.atomic():
        # only if still open: an acceptance committed since the page was read wins
        withdrawn = HelpRequest.update(status=HelpRequest.WITHDRAWN).where(
            (HelpRequest.id == help_request.id) & (HelpRequest.status == HelpRequest.OPEN)
        )
        if withdrawn.execute() != 1:
            raise RuleViolation(_l("Only an open request can be changed."))
        help_request.status = HelpRequest.WITHDRAWN
        help_request.save()
        fulltext.unindex(RequestText, [help_request.id])
        pending = Offer.select().where(
            (Offer.help_request == help_request) & (Offer.status == Offer.PENDING)
        )
        for offer in pending:
            offer.status = Offer.DECLINED
            offer.save()
            notify(
                offer.provider,
                "request_withdrawn",
                f"/requests/{help_request.public_id}",
                help_request.title,
            )


def search_words(q: str) -> list[str]:
    """Only word characters survive, so no input is ever read as FTS5 or LIKE syntax."""
    return re.findall(r"\w+", q)[:SEARCH_TERMS_MAX]


def browse(user: User | None, filters: Filters, page_size: int) -> tuple[list[Listed], bool]:
    """One page of the requests this visitor may see, newest first, and whether more follow."""
    words = search_words(filters.q)
    if filters.q and not words:
        return [], False
    page = min(max(filters.page, 1), PAGE_MAX)
    chosen = {
        facets.SKILL: filters.skill,
        facets.LANGUAGE: filters.language,
        facets.COUNTRY: filters.country,
        facets.URGENCY: filters.urgency,
    }
    rows = list_page(user, filters.status, chosen, words, (page - 1) * page_size, page_size + 1)
    return rows[:page_size], len(rows) > page_size


def requests_of(user: User) -> list[HelpRequest]:
    return list(
        HelpRequest.select().where(HelpRequest.author == user).order_by(HelpRequest.id.desc())
    )
