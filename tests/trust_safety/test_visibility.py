"""Requests for "providers with at least N stars": enforced in listing, viewing and offering."""

import pytest

from movements.app.core.errors import NotFound
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from movements.app.trust import evidence
from tests.support.accounts import as_user, post, request_fields

from .conftest import fresh, give_stars


@pytest.fixture
def starred(activist):
    return requests_rules.create_request(
        activist,
        request_fields(title="Sensitive: only trusted lawyers", visibility="stars", min_stars=3),
    )


def sees(app, user, help_request):
    client = as_user(app, user)
    listing = client.get("/requests").get_data(as_text=True)
    page = client.get(f"/requests/{help_request.public_id}")
    offer = post(
        client, f"/requests/{help_request.public_id}/offer", {"message": "I can help with this."}
    )
    return help_request.title in listing, page.status_code, offer.status_code


def test_a_provider_below_the_threshold_neither_lists_sees_nor_offers(
    app, warden, provider, starred
):
    give_stars(warden, provider, 2)
    assert sees(app, fresh(provider), starred) == (False, 404, 404)
    with pytest.raises(NotFound):
        offers.make_offer(fresh(provider), starred, "Trying the rule directly.")


def test_a_provider_at_the_threshold_lists_sees_and_offers(app, warden, provider, starred):
    give_stars(warden, provider, 3)
    assert sees(app, fresh(provider), starred) == (True, 200, 302)


def test_lowering_stars_hides_the_request_again(app, warden, provider, starred):
    give_stars(warden, provider, 3)
    evidence.limit_stars(warden, fresh(provider), 1, "Under review")
    assert sees(app, fresh(provider), starred) == (False, 404, 404)


def test_visitors_do_not_see_star_only_requests(client, starred):
    assert starred.title not in client.get("/requests").get_data(as_text=True)
    assert client.get(f"/requests/{starred.public_id}").status_code == 404
