"""Finding providers in the directory: filters, word search and one page of entries."""

import re
from collections import defaultdict
from dataclasses import dataclass

from peewee import fn

from movements.app.core.db import is_sqlite
from movements.app.core.eligibility import eligible_countries
from movements.app.core.models import Listing, Match, StandingOffer, StandingOfferText, User
from movements.app.core.taxonomy import unpack
from movements.app.directory.rules import at_capacity, good_standing_clause, live_clause
from movements.app.matches.rules import CommunityRating, community_rating

SEARCH_TERMS_MAX = 8
PAGE_MAX = 500


@dataclass
class DirectoryFilters:
    skill: str = ""
    language: str = ""
    country: str = ""
    min_stars: int = 0
    q: str = ""
    page: int = 1


@dataclass(frozen=True)
class Entry:
    provider: User
    offers: list[StandingOffer]
    rating: CommunityRating
    full: bool


def search_words(q: str) -> list[str]:
    """Only word characters survive, so no input is ever read as FTS5 or LIKE syntax."""
    return re.findall(r"\w+", q)[:SEARCH_TERMS_MAX]


def _live_offers():
    return StandingOffer.select(StandingOffer.provider).where(live_clause())


def _word_match(words: list[str]):
    """Standing offers holding every word: FTS5 on SQLite, LIKE on PostgreSQL."""
    if is_sqlite():
        expression = " ".join(f'"{word}"' for word in words)
        return StandingOffer.id.in_(
            StandingOfferText.select(StandingOfferText.rowid).where(
                StandingOfferText.match(expression)
            )
        )
    clause = None
    for word in words:
        either = StandingOffer.title.contains(word) | StandingOffer.description.contains(word)
        clause = either if clause is None else clause & either
    return clause


def _listed():
    # the role is checked here, not only when listing: activists are never listed
    return (User.role == User.PROVIDER) & ~Listing.paused & good_standing_clause()


def languages_in_use() -> set[str]:
    """Languages listed providers work in, on their profile or in a live standing offer."""
    profiles = User.select(User.languages).join(Listing).where(_listed())
    offers = (
        StandingOffer.select(StandingOffer.languages)
        .join(User)
        .join(Listing)
        .where(_listed() & live_clause())
    )
    return {code for (packed,) in [*profiles.tuples(), *offers.tuples()] for code in unpack(packed)}


def countries_in_use() -> set[str]:
    """Countries served by a live standing offer of a listed provider; all, if any serves all."""
    offers = (
        StandingOffer.select(StandingOffer.countries, StandingOffer.everywhere)
        .join(User)
        .join(Listing)
        .where(_listed() & live_clause())
        .tuples()
    )
    served: set[str] = set()
    for packed, everywhere in offers:
        if everywhere:
            return set(eligible_countries())
        served.update(unpack(packed))
    return served


def _where(filters: DirectoryFilters):
    where = _listed()
    if filters.min_stars:
        where &= User.trust_stars >= filters.min_stars
    if filters.skill:
        code = f",{filters.skill},"
        offering = _live_offers().where(StandingOffer.skills.contains(code))
        where &= User.skills.contains(code) | User.id.in_(offering)
    if filters.language:
        code = f",{filters.language},"
        offering = _live_offers().where(StandingOffer.languages.contains(code))
        where &= User.languages.contains(code) | User.id.in_(offering)
    if filters.country:
        serving = StandingOffer.countries.contains(f",{filters.country},") | (
            StandingOffer.everywhere == True  # noqa: E712 -- a peewee expression
        )
        where &= User.id.in_(_live_offers().where(serving))
    words = search_words(filters.q)
    if words:
        where &= User.id.in_(_live_offers().where(_word_match(words)))
    return where


def find_providers(filters: DirectoryFilters, page_size: int) -> tuple[list[Entry], bool]:
    """One page of listed providers, most trusted first, and whether more follow."""
    if filters.q and not search_words(filters.q):
        return [], False
    page = min(max(filters.page, 1), PAGE_MAX)
    rows = list(
        User.select(User)
        .join(Listing)
        .where(_where(filters))
        .order_by(User.trust_stars.desc(), Listing.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size + 1)
    )
    providers = rows[:page_size]
    return _entries(providers), len(rows) > page_size


def _entries(providers: list[User]) -> list[Entry]:
    """Each provider with their live standing offers, rating and whether they have room."""
    ids = [p.id for p in providers]
    offers: dict[int, list[StandingOffer]] = defaultdict(list)
    for offer in (
        StandingOffer.select()
        .where(StandingOffer.provider.in_(ids) & live_clause())
        .order_by(StandingOffer.id.desc())
    ):
        offers[offer.provider_id].append(offer)
    busy = dict(
        Match.select(Match.provider, fn.COUNT(Match.id))
        .where(Match.provider.in_(ids) & (Match.status == Match.OPEN))
        .group_by(Match.provider)
        .tuples()
    )
    return [
        Entry(
            provider=p,
            offers=offers[p.id],
            rating=community_rating(p),
            full=at_capacity([o.capacity for o in offers[p.id]], busy.get(p.id, 0)),
        )
        for p in providers
    ]
