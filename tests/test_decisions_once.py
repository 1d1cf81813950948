"""A decision sent twice, from its confirmation page or its one button, has the effect of one
and answers the repeat with the first one's result, never with a refusal."""

import pytest

from movements.app.core.models import Match, Notification, Offer
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, post
from tests.support.markup import parse


@pytest.fixture
def offer(provider, help_request):
    return offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")


@pytest.fixture
def match(activist, offer):
    return offers.accept_offer(activist, offer)


def one_time_key(client, page: str, action: str) -> dict:
    """The hidden one-time key of the form on `page` that posts to `action`."""
    document = parse(client.get(page).get_data(as_text=True))
    (form,) = [f for f in document.iter("form") if f.attrs.get("action") == action]
    keys = [i.attrs["value"] for i in form.iter("input") if i.attrs.get("name") == "submission"]
    assert len(keys) == 1, f"the form to {action} carries no one-time key"
    return {"submission": keys[0]}


def twice(client, page: str, action: str, form: dict | None = None) -> list:
    key = one_time_key(client, page, action)
    return [post(client, action, {**(form or {}), **key}) for _ in range(2)]


def test_the_accept_page_sent_twice_opens_one_match_and_leads_both_times_to_it(
    app, activist, offer
):
    accept = f"/offers/{offer.public_id}/accept"
    answers = twice(as_user(app, activist), accept, accept)
    match = Match.get()
    assert [(a.status_code, a.headers["Location"]) for a in answers] == [
        (302, f"/matches/{match.public_id}")
    ] * 2
    assert Match.select().count() == 1
    assert Notification.select().where(Notification.kind == "offer_accepted").count() == 1


def test_a_withdrawal_sent_twice_tells_the_author_once(app, provider, offer, help_request):
    withdraw = f"/offers/{offer.public_id}/withdraw"
    answers = twice(as_user(app, provider), withdraw, withdraw)
    assert [a.status_code for a in answers] == [302, 302]
    assert Offer.get_by_id(offer.id).status == "withdrawn"
    assert Notification.select().where(Notification.kind == "offer_withdrawn").count() == 1


def test_a_cancellation_sent_twice_is_led_to_the_cancelled_match_not_refused(app, activist, match):
    page = f"/matches/{match.public_id}/cancel"
    answers = twice(as_user(app, activist), page, page, {"reason": "We found other help."})
    assert [(a.status_code, a.headers["Location"]) for a in answers] == [
        (302, f"/matches/{match.public_id}")
    ] * 2
    assert Match.get_by_id(match.id).status == "cancelled"
    assert Notification.select().where(Notification.kind == "match_cancelled").count() == 1


def test_the_second_done_sent_twice_leads_both_times_to_the_rating(app, activist, provider, match):
    matches.mark_done(activist, match)
    page = f"/matches/{match.public_id}"
    answers = twice(as_user(app, provider), page, page + "/done")
    assert [(a.status_code, a.headers["Location"]) for a in answers] == [
        (302, f"/matches/{match.public_id}#rate")
    ] * 2
    assert Match.get_by_id(match.id).status == "completed"
