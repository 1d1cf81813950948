"""Staff members, trusted users and a finished match, for the trust and safety tests."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core.models import Match, User
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from movements.app.staff.accounts import add_staff
from movements.app.trust import evidence, profiles
from tests.support.accounts import PASSWORD, post, request_fields


def make_staff(name: str, admin: bool = False) -> User:
    """A staff member who has already replaced their one-time password with PASSWORD."""
    user, one_time, _codes = add_staff(name, admin=admin)
    accounts.change_password(user, None, one_time, PASSWORD)
    return User.get_by_id(user.id)


@pytest.fixture
def warden(app):
    return make_staff("warden")


@pytest.fixture
def keeper(app):
    return make_staff("keeper")


@pytest.fixture
def chief(app):
    return make_staff("chief", admin=True)


def fresh(user: User) -> User:
    return User.get_by_id(user.id)


def give_stars(staff: User, user: User, stars: int) -> User:
    """Staff evidence worth `stars` (0 to 4) stars."""
    kinds = {1: ["organisation"], 2: ["spoke"], 3: ["spoke", "organisation"]}
    kinds[4] = ["spoke", "organisation", "public_profile"]
    if stars == 4:
        profiles.set_link(user, f"https://example.org/{user.username}")
    for kind in kinds.get(stars, []):
        evidence.add_evidence(staff, user, kind, f"checked {kind}")
    user = fresh(user)
    assert user.trust_stars == stars
    return user


def completed_match(
    activist: User, provider: User, title: str = "Legal advice needed now"
) -> Match:
    request = requests_rules.create_request(activist, request_fields(title=title))
    offer = offers.make_offer(provider, request, "I am a lawyer and can advise this week.")
    match = offers.accept_offer(activist, offer)
    matches.mark_done(activist, match)
    matches.mark_done(provider, Match.get_by_id(match.id))
    return Match.get_by_id(match.id)


def confirm_post(client, url: str, data: dict | None = None):
    """Submit a staff form, check the confirmation page changed nothing, then confirm."""
    first = post(client, url, data or {})
    assert first.status_code == 200, first.get_data(as_text=True)
    assert "Yes, do it" in first.get_data(as_text=True)
    return post(client, url, {**(data or {}), "confirmed": "yes"})
