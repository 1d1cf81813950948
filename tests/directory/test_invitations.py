"""Invitations from an activist to a listed provider, answered by an offer or declined."""

import re

import pytest

from movements.app.blocks.rules import block
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import (
    HelpRequest,
    Invitation,
    Match,
    Notification,
    Offer,
    StandingOffer,
    User,
)
from movements.app.directory import invitations, rules
from movements.app.matches.rules import cancel_match
from movements.app.offers.rules import accept_offer, make_offer
from movements.app.requests.rules import create_request, withdraw_request
from tests.support.accounts import REQUEST_FORM, as_user, key_of, make_user, post, request_fields
from tests.support.pages import problems_in

from .conftest import standing_offer_fields


def text_of(response) -> str:
    """A page's text as a reader sees it: user text sits in <bdi> inside sentences."""
    return re.sub(r"<[^>]+>", "", response.get_data(as_text=True))


def invite_url(name: str = "lawyer_anna") -> str:
    return f"/providers/{name}/invite"


LAWYERS_OFFER = {
    "title": "Legal advice for detained journalists",
    "description": "Criminal lawyer; I advise families and colleagues of detained reporters.",
    "skills": ["legal", "press"],
    "languages": ["fa", "en"],
    "countries": ["IR"],
    "capacity": "2",
}


def form_for(help_request, note: str = "Your asylum work looks like what we need.") -> dict:
    return {"help_request_id": help_request.public_id, "note": note}


def test_activist_finds_invites_and_matches_a_provider(app, activist, provider):
    """The issue's whole journey, through the pages a person would use."""
    anna = as_user(app, provider)
    assert post(anna, "/providers/me/offers/new", LAWYERS_OFFER).status_code == 302
    leila = as_user(app, activist)
    assert post(leila, "/requests/new", REQUEST_FORM).status_code == 302
    help_request = HelpRequest.get()

    found = leila.get("/providers?skill=legal&language=fa").get_data(as_text=True)
    assert "lawyer_anna" in found
    assert 'href="/providers/lawyer_anna/invite"' in found
    offer_id = StandingOffer.get().public_id
    form = leila.get(f"/providers/lawyer_anna/invite?offer={offer_id}").get_data(as_text=True)
    assert "Lawyer for three detained journalists" in form
    response = post(
        leila,
        invite_url(),
        {**form_for(help_request, "Can you look at this?"), "standing_offer": offer_id},
    )
    assert response.headers["Location"] == f"/requests/{help_request.public_id}"
    invitation = Invitation.get()
    assert invitation.standing_offer.public_id == offer_id
    assert "Waiting for an answer" in leila.get(response.headers["Location"]).get_data(as_text=True)

    notices = text_of(anna.get("/notifications"))
    assert "You are invited to offer help on “Lawyer for three detained journalists”" in notices
    request_page = anna.get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "You are invited to help" in request_page and "Can you look at this?" in request_page
    assert "Send my offer" in request_page
    message = {"message": "I can advise the families this week, in Persian."}
    assert post(anna, f"/requests/{help_request.public_id}/offer", message).status_code == 302
    assert invitations.pending_for(provider) == []

    offer = Offer.get()
    accepted = post(leila, f"/offers/{offer.public_id}/accept")
    match = Match.get()
    assert accepted.headers["Location"] == f"/matches/{match.public_id}"
    assert (match.activist_id, match.provider_id) == (activist.id, provider.id)
    shown = leila.get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "Answered with an offer" in shown


def test_invitation_is_refused_when_the_provider_does_not_meet_the_visibility(
    app, activist, provider, standing_offer
):
    guarded = create_request(activist, request_fields(visibility="stars", min_stars=3))
    response = post(as_user(app, activist), invite_url(), form_for(guarded))
    assert response.status_code == 400
    assert "more trust stars" in response.get_data(as_text=True)
    assert Invitation.select().count() == 0
    User.update(trust_stars=3).where(User.id == provider.id).execute()
    assert post(as_user(app, activist), invite_url(), form_for(guarded)).status_code == 302
    assert Invitation.select().count() == 1


def test_signed_in_only_requests_may_invite_any_listed_provider(activist, provider, standing_offer):
    members = create_request(activist, request_fields(visibility="signed_in"))
    assert invitations.invite(activist, provider, members, "").provider_id == provider.id


def test_invitations_per_day_are_limited(app, activist, standing_offer):
    requests = [
        create_request(activist, request_fields(title=f"Request number {n:02d}"))
        for n in range(invitations.INVITATIONS_PER_DAY + 1)
    ]
    for help_request in requests[:-1]:
        invitations.invite(activist, standing_offer.provider, help_request, "")
    response = post(as_user(app, activist), invite_url(), form_for(requests[-1]))
    assert response.status_code == 400
    assert "10 invitations a day" in response.get_data(as_text=True)
    assert Invitation.select().count() == invitations.INVITATIONS_PER_DAY


def test_paused_provider_receives_no_invitations(app, activist, provider, standing_offer):
    help_request = create_request(activist, request_fields())
    rules.pause(provider)
    leila = as_user(app, activist)
    assert 'href="/providers/lawyer_anna/invite"' not in leila.get("/users/lawyer_anna").get_data(
        as_text=True
    )
    assert "paused" in leila.get(invite_url()).get_data(as_text=True)
    response = post(leila, invite_url(), form_for(help_request))
    assert response.status_code == 409
    assert "paused" in response.get_data(as_text=True)
    with pytest.raises(RuleViolation):
        invitations.invite(activist, provider, help_request, "")
    assert Invitation.select().count() == 0


def test_provider_at_capacity_receives_no_invitations(app, activist, provider):
    rules.publish(provider, standing_offer_fields(capacity=1))
    first = create_request(activist, request_fields(title="The first request"))
    accept_offer(activist, make_offer(provider, first, "I can take this one on right away."))
    second = create_request(activist, request_fields(title="The second request"))
    leila = as_user(app, activist)
    assert "At capacity" in leila.get("/providers").get_data(as_text=True)
    assert "/providers/lawyer_anna/invite" not in leila.get("/providers").get_data(as_text=True)
    assert leila.get(invite_url()).status_code == 409
    response = post(leila, invite_url(), form_for(second))
    assert response.status_code == 409
    assert "at capacity" in response.get_data(as_text=True)
    with pytest.raises(RuleViolation):
        invitations.invite(activist, provider, second, "")
    assert Invitation.select().count() == 0
    cancel_match(activist, Match.get(), "They could not travel after all.")
    assert invitations.invite(activist, provider, second, "").provider_id == provider.id


def test_unlisted_or_unknown_providers_cannot_be_invited(app, activist, stranger):
    help_request = create_request(activist, request_fields())
    leila = as_user(app, activist)
    for name in ("stranger", "nobody_here", "x" * 300):
        assert leila.get(invite_url(name)).status_code == 404
        assert post(leila, invite_url(name), form_for(help_request)).status_code == 404
    assert Invitation.select().count() == 0


def test_an_activist_cannot_invite_themselves_or_another_activist(app, activist):
    help_request = create_request(activist, request_fields())
    make_user("omid", "activist")
    leila = as_user(app, activist)
    for name in ("leila", "omid"):
        assert post(leila, invite_url(name), form_for(help_request)).status_code == 404
    with pytest.raises(NotFound):
        invitations.invite(activist, activist, help_request, "")
    assert Invitation.select().count() == 0


def test_providers_cannot_invite(app, provider, stranger, standing_offer, help_request):
    rules.publish(stranger, standing_offer_fields())
    client = as_user(app, provider)
    assert client.get(invite_url("stranger")).status_code == 409
    assert post(client, invite_url("stranger"), form_for(help_request)).status_code == 409
    with pytest.raises(RuleViolation):
        invitations.invite(provider, stranger, help_request, "")
    assert Invitation.select().count() == 0


def test_invitations_on_others_requests_are_refused(app, provider, standing_offer, help_request):
    omid = make_user("omid", "activist")
    create_request(omid, request_fields(title="Omid's own request"))
    response = post(as_user(app, omid), invite_url(), form_for(help_request))
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    with pytest.raises(NotFound):
        invitations.invite(omid, provider, help_request, "")
    assert Invitation.select().count() == 0


def test_invitations_on_closed_requests_are_refused(app, activist, provider, standing_offer):
    withdrawn = create_request(activist, request_fields())
    withdraw_request(activist, withdrawn)
    leila = as_user(app, activist)
    assert "no open request" in leila.get(invite_url()).get_data(as_text=True)
    assert post(leila, invite_url(), form_for(withdrawn)).status_code == 400
    with pytest.raises(RuleViolation):
        invitations.invite(activist, provider, HelpRequest.get_by_id(withdrawn.id), "")
    assert Invitation.select().count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"help_request_id": ""},
        {"help_request_id": "nonexistent"},
        {"help_request_id": "x" * 5000},
        {"note": "x" * 1001},
        {"standing_offer": "nonexistent"},
    ],
)
def test_bad_invitation_form_is_refused(app, activist, standing_offer, help_request, changes):
    response = post(as_user(app, activist), invite_url(), {**form_for(help_request), **changes})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert Invitation.select().count() == 0
    assert Notification.select().count() == 0


def test_another_providers_standing_offer_cannot_be_named(
    activist, provider, stranger, standing_offer, help_request
):
    with pytest.raises(NotFound):
        invitations.invite(activist, stranger, help_request, "", standing_offer)
    rules.close(provider, standing_offer)
    with pytest.raises(NotFound):
        invitations.invite(activist, provider, help_request, "", standing_offer)
    assert Invitation.select().count() == 0


def test_a_provider_is_invited_once_per_request(app, activist, provider, standing_offer):
    help_request = create_request(activist, request_fields())
    invitations.invite(activist, provider, help_request, "")
    response = post(as_user(app, activist), invite_url(), form_for(help_request))
    assert response.status_code == 400
    assert "already invited" in response.get_data(as_text=True)
    assert Invitation.select().count() == 1


def test_a_provider_who_already_offered_is_not_invited(activist, provider, standing_offer):
    help_request = create_request(activist, request_fields())
    make_offer(provider, help_request, "I already saw this and can help.")
    with pytest.raises(RuleViolation):
        invitations.invite(activist, provider, help_request, "")
    assert Invitation.select().count() == 0


def test_provider_declines_and_the_activist_is_told(app, activist, provider, standing_offer):
    help_request = create_request(activist, request_fields())
    invitation = invitations.invite(activist, provider, help_request, "Please have a look.")
    anna = as_user(app, provider)
    assert "Please have a look." in anna.get("/providers/me").get_data(as_text=True)
    response = post(anna, f"/invitations/{invitation.public_id}/decline")
    assert response.headers["Location"] == f"/requests/{help_request.public_id}"
    assert Invitation.get_by_id(invitation.id).status == "declined"
    notices = text_of(as_user(app, activist).get("/notifications"))
    assert "Your invitation on “Legal advice for detained journalists” was declined." in notices
    assert post(anna, f"/invitations/{invitation.public_id}/decline").status_code == 409
    assert "Please have a look." not in anna.get("/providers/me").get_data(as_text=True)


def test_only_the_invited_provider_may_decline(app, activist, provider, stranger, standing_offer):
    help_request = create_request(activist, request_fields())
    invitation = invitations.invite(activist, provider, help_request, "")
    for who in (stranger, activist):
        url = f"/invitations/{invitation.public_id}/decline"
        assert post(as_user(app, who), url).status_code == 404
    assert post(as_user(app, provider), "/invitations/nonexistent/decline").status_code == 404
    assert Invitation.get_by_id(invitation.id).status == "pending"
    with pytest.raises(NotFound):
        invitations.decline(stranger, invitation)


def test_an_answered_invitation_cannot_be_declined(activist, provider, standing_offer):
    help_request = create_request(activist, request_fields())
    invitation = invitations.invite(activist, provider, help_request, "")
    make_offer(provider, help_request, "Yes, I can help with this request.")
    with pytest.raises(RuleViolation):
        invitations.decline(provider, invitation)
    assert invitations.status_of(invitation) == "answered"


def test_invitation_note_is_seen_only_by_the_two_people(app, activist, provider, stranger):
    rules.publish(provider, standing_offer_fields())
    help_request = create_request(activist, request_fields())
    invitations.invite(activist, provider, help_request, "A private word for anna.")
    url = f"/requests/{help_request.public_id}"
    assert "A private word for anna." in as_user(app, provider).get(url).get_data(as_text=True)
    for page in (as_user(app, stranger).get(url), app.test_client().get(url)):
        assert "A private word" not in page.get_data(as_text=True)
        assert "You are invited" not in page.get_data(as_text=True)
    author_page = as_user(app, activist).get(url)
    assert "Invitations you sent" in author_page.get_data(as_text=True)
    assert problems_in(author_page) == []
    assert problems_in(as_user(app, provider).get(url)) == []


def test_invitation_note_is_sealed_to_both_people_not_stored_in_clear(
    app, instance, activist, provider
):
    rules.publish(provider, standing_offer_fields())
    help_request = create_request(activist, request_fields())
    invitations.invite(activist, provider, help_request, "note-marker-3f9a for anna")
    stored = b"".join(p.read_bytes() for p in instance.glob("movements.sqlite3*"))
    assert b"note-marker-3f9a" not in stored
    (invitation,) = Invitation.select()
    assert (
        invitations.note_for(activist, key_of(activist), invitation) == "note-marker-3f9a for anna"
    )
    assert (
        invitations.note_for(provider, key_of(provider), invitation) == "note-marker-3f9a for anna"
    )
    assert invitations.note_for(provider, key_of(activist), invitation) is None


@pytest.mark.parametrize("who_blocks", ["activist", "provider"])
def test_no_invitations_between_people_who_blocked_each_other(
    app, activist, provider, standing_offer, help_request, who_blocks
):
    if who_blocks == "activist":
        block(activist, provider)
    else:
        block(provider, activist)
    leila = as_user(app, activist)
    assert "/providers/lawyer_anna/invite" not in leila.get("/users/lawyer_anna").get_data(
        as_text=True
    )
    response = post(leila, invite_url(), form_for(help_request))
    assert response.status_code == 409
    assert "one blocked the other" in response.get_data(as_text=True)
    assert Invitation.select().count() == 0
