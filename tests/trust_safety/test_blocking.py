"""Blocking: the blocked person can no longer offer help to, or message, the blocker."""

import pytest

from movements.app.blocks import rules as blocks
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Block, Message, Offer
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, post
from tests.support.pages import problems_in


def test_a_blocked_provider_cannot_offer_help(app, activist, provider, help_request):
    blocks.block(activist, provider)
    assert not offers.may_offer(provider, help_request)
    with pytest.raises(RuleViolation):
        offers.make_offer(provider, help_request, "Let me help you anyway, please.")
    page = as_user(app, provider).get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "Send my offer" not in page
    refused = post(
        as_user(app, provider),
        f"/requests/{help_request.public_id}/offer",
        {"message": "Let me help you anyway, please."},
    )
    assert refused.status_code == 400 and Offer.select().count() == 0


def test_unblocking_lets_them_offer_again(activist, provider, help_request):
    blocks.block(activist, provider)
    blocks.unblock(activist, provider)
    offers.make_offer(provider, help_request, "Thank you, here is my offer.")
    assert Offer.select().count() == 1


def test_a_blocked_party_cannot_message_in_a_match(activist, provider, help_request):
    offer = offers.make_offer(provider, help_request, "I can advise this week on this.")
    match = offers.accept_offer(activist, offer)
    blocks.block(activist, provider)
    with pytest.raises(RuleViolation):
        matches.post_message(provider, match, "Why did you block me?")
    matches.post_message(activist, match, "I am closing this.")  # the blocker still can
    assert Message.select().count() == 1


def test_blocking_through_the_pages(app, activist, provider):
    client = as_user(app, activist)
    page = client.get("/users/lawyer_anna/block")
    assert page.status_code == 200 and problems_in(page) == []
    assert Block.select().count() == 0  # the confirmation page changes nothing
    assert post(client, "/users/lawyer_anna/block").status_code == 302
    assert blocks.has_blocked(activist, provider)
    safety = client.get("/report").get_data(as_text=True)
    assert "lawyer_anna" in safety and "Unblock" in safety
    assert post(client, "/users/lawyer_anna/unblock").status_code == 302
    assert not blocks.has_blocked(activist, provider)


def test_blocking_bad_input(app, activist, provider):
    client = as_user(app, activist)
    assert post(client, "/users/leila/block").status_code == 404  # yourself
    assert post(client, "/users/nobody-at-all/block").status_code == 404
    assert post(client, "/users/" + "y" * 100 + "/block").status_code == 404
    assert post(client, "/users/lawyer_anna/unblock").status_code == 404  # not blocked
    assert client.post("/users/lawyer_anna/block").status_code == 400  # no CSRF token
    assert post(client, "/users/lawyer_anna/block").status_code == 302
    assert post(client, "/users/lawyer_anna/block").status_code == 409  # twice
    assert Block.select().count() == 1


def test_blocking_yourself_is_refused_by_the_rule(activist):
    with pytest.raises(RuleViolation):
        blocks.block(activist, activist)
    with pytest.raises(NotFound):
        blocks.unblock(activist, activist)
