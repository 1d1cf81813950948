"""A provider's place in the directory: opting in, pausing, and their standing offers."""

import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from movements.app.core import fulltext
from movements.app.core.db import database
from movements.app.core.eligibility import eligible_countries
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Listing, Match, StandingOffer, StandingOfferText, User, today
from movements.app.core.taxonomy import SKILLS, languages, pack
from movements.app.moderation.standing import is_suspended

STANDING_OFFER_DAYS = 180
OPEN_STANDING_OFFERS_MAX = 10

STANDING_OFFER_STATUSES = {
    "open": _l("Open"),
    "closed": _l("Closed"),
    "expired": _l("Expired: renew it to show it again"),
}


@dataclass
class StandingOfferFields:
    title: str
    description: str
    skills: list[str]
    languages: list[str]
    countries: list[str]
    everywhere: bool
    capacity: int


def ensure_provider(user: User) -> None:
    if not user.is_provider:
        raise RuleViolation(_l("Only people who signed up to help can be listed."))


def listing_of(user: User) -> Listing | None:
    return Listing.get_or_none(Listing.user == user)


def list_me(user: User) -> Listing:
    """Opt in to the directory; doing it twice changes nothing."""
    ensure_provider(user)
    try:
        with database.atomic():
            return Listing.create(user=user)
    except IntegrityError:
        return listing_of(user)


def _set_paused(user: User, paused: bool) -> None:
    ensure_provider(user)
    listing = listing_of(user)
    if listing is None:
        raise RuleViolation(_l("You are not listed in the directory."))
    listing.paused = paused
    listing.save()


def pause(user: User) -> None:
    """Hide the listing and refuse invitations, for example while at capacity."""
    _set_paused(user, True)


def resume(user: User) -> None:
    _set_paused(user, False)


def unlist(user: User) -> None:
    """Leave the directory; standing offers are kept, but shown nowhere until listed again."""
    ensure_provider(user)
    Listing.delete().where(Listing.user == user).execute()


def live_clause():
    """Standing offers that are shown: open and not past their date."""
    return (StandingOffer.status == StandingOffer.OPEN) & (StandingOffer.expires_on >= today())


def is_live(offer: StandingOffer) -> bool:
    return offer.status == StandingOffer.OPEN and offer.expires_on >= today()


def status_of(offer: StandingOffer) -> str:
    if offer.status == StandingOffer.OPEN and not is_live(offer):
        return "expired"
    return offer.status


def _check_codes(fields: StandingOfferFields) -> None:
    """The form limits the choices; this holds for any other caller too."""
    unknown = (
        set(fields.skills) - set(SKILLS)
        or set(fields.languages) - set(languages())
        or set(fields.countries) - set(eligible_countries())
    )
    if unknown or not fields.skills or not fields.languages:
        raise RuleViolation(_l("Choose skills, languages and countries from the lists."))
    if not fields.everywhere and not fields.countries:
        raise RuleViolation(_l("Choose the countries you serve, or any country."))
    if not 1 <= fields.capacity <= 50:
        raise RuleViolation(_l("Choose a capacity from 1 to 50."))


def _apply(offer: StandingOffer, fields: StandingOfferFields) -> None:
    offer.title = fields.title.strip()
    offer.description = fields.description.strip()
    offer.skills = pack(fields.skills)
    offer.languages = pack(fields.languages)
    offer.everywhere = fields.everywhere
    offer.countries = pack([] if fields.everywhere else fields.countries)
    offer.capacity = fields.capacity


def _index(offer: StandingOffer) -> None:
    fulltext.index(StandingOfferText, offer.id, title=offer.title, description=offer.description)


def _live_count(provider: User) -> int:
    return (
        StandingOffer.select().where((StandingOffer.provider == provider) & live_clause()).count()
    )


def _ensure_room(provider: User) -> None:
    if _live_count(provider) >= OPEN_STANDING_OFFERS_MAX:
        raise RuleViolation(
            _l("You can have at most %(n)d open standing offers.", n=OPEN_STANDING_OFFERS_MAX)
        )


def _renewed_until() -> datetime.date:
    return today() + datetime.timedelta(days=STANDING_OFFER_DAYS)


def publish(provider: User, fields: StandingOfferFields) -> StandingOffer:
    """A new standing offer; publishing one is how a provider first joins the directory."""
    ensure_provider(provider)
    _check_codes(fields)
    _ensure_room(provider)
    with database.atomic():
        offer = StandingOffer(provider=provider, expires_on=_renewed_until())
        _apply(offer, fields)
        offer.save()
        _index(offer)
        if listing_of(provider) is None:
            Listing.create(user=provider)
    return offer


def get_own(user: User, public_id: str) -> StandingOffer:
    """A standing offer its author may change; anyone else is told it does not exist."""
    offer = StandingOffer.get_or_none(StandingOffer.public_id == public_id)
    if offer is None or offer.provider_id != user.id:
        raise NotFound
    return offer


def edit(user: User, offer: StandingOffer, fields: StandingOfferFields) -> None:
    if offer.provider_id != user.id:
        raise NotFound
    _check_codes(fields)
    with database.atomic():
        _apply(offer, fields)
        offer.save()
        _index(offer)


def close(user: User, offer: StandingOffer) -> None:
    if offer.provider_id != user.id:
        raise NotFound
    offer.status = StandingOffer.CLOSED
    offer.save()


def renew(user: User, offer: StandingOffer) -> None:
    """Open it (again) for another STANDING_OFFER_DAYS from today."""
    if offer.provider_id != user.id:
        raise NotFound
    if not is_live(offer):
        _ensure_room(user)
    offer.status = StandingOffer.OPEN
    offer.expires_on = _renewed_until()
    offer.save()


def standing_offers_of(provider: User) -> list[StandingOffer]:
    """All of a provider's standing offers, for their own page."""
    return list(
        StandingOffer.select()
        .where(StandingOffer.provider == provider)
        .order_by(StandingOffer.id.desc())
    )


def live_standing_offers_of(provider: User) -> list[StandingOffer]:
    return list(
        StandingOffer.select()
        .where((StandingOffer.provider == provider) & live_clause())
        .order_by(StandingOffer.id.desc())
    )


def open_matches_count(provider: User) -> int:
    return Match.select().where((Match.provider == provider) & (Match.status == Match.OPEN)).count()


def at_capacity(capacities: list[int], open_matches: int) -> bool:
    """Full when no live standing offer has room left; no standing offer declares no limit."""
    return bool(capacities) and open_matches >= max(capacities)


def is_full(provider: User) -> bool:
    capacities = [offer.capacity for offer in live_standing_offers_of(provider)]
    return at_capacity(capacities, open_matches_count(provider))


def in_good_standing(user: User) -> bool:
    """Not removed or suspended by moderators: only such providers are shown or invited."""
    return user.removed_on is None and not is_suspended(user)


def good_standing_clause():
    """`in_good_standing` as a query condition."""
    return User.removed_on.is_null() & (
        User.suspended_until.is_null() | (User.suspended_until <= today())
    )


def is_listed(user: User) -> bool:
    """In the directory now: a provider in good standing who opted in and has not paused."""
    listing = listing_of(user)
    return (
        user.is_provider and in_good_standing(user) and listing is not None and not listing.paused
    )


@dataclass(frozen=True)
class ProfileListing:
    """What a profile page shows of someone's directory listing."""

    paused: bool
    full: bool
    offers: list[StandingOffer]


def profile_listing(person: User) -> ProfileListing | None:
    """A listed provider's standing offers; None for everyone else, activists above all."""
    if not person.is_provider or not in_good_standing(person):
        return None
    listing = listing_of(person)
    if listing is None:
        return None
    return ProfileListing(
        paused=listing.paused, full=is_full(person), offers=live_standing_offers_of(person)
    )
