"""/account/delete: everything a user wrote leaves the database file, and nothing else breaks."""

import secrets

import pytest

from movements.app.accounts.deletion import delete_account
from movements.app.accounts.rules import update_languages, update_profile
from movements.app.audit.chain import verify
from movements.app.core.models import (
    ContactField,
    Evidence,
    HelpRequest,
    LoginSession,
    Match,
    Message,
    Notification,
    Offer,
    Rating,
    RecoveryCode,
    StaffLogEntry,
    User,
    Vouch,
)
from movements.app.directory import rules as directory
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.app.matches.rules import community_rating
from movements.app.requests import rules as requests_rules
from movements.app.trust import evidence, vouches
from tests.support.accounts import PASSWORD, as_user, key_of, make_user, post, request_fields
from tests.support.pages import problems_in

from ..directory.conftest import standing_offer_fields
from ..trust_safety.conftest import make_staff
from .conftest import database_bytes, finish, open_match, reveal_all


def markers(*labels: str) -> dict[str, str]:
    """A unique lowercase word per field (the full-text index lowercases what it stores)."""
    return {label: f"{label[:4]}{secrets.token_hex(6)}" for label in labels}


def traces(data: bytes, planted: dict[str, str]) -> list[str]:
    """Planted markers found in the bytes, whole or by their random tail.

    The tail matters: an index may store a word as "the first n letters of the word before it,
    then the rest", so a whole-word search alone could miss what is still there.
    """
    return [
        label
        for label, word in planted.items()
        if word.encode() in data or word[-8:].encode() in data
    ]


def delete_through_the_page(app, user):
    client = as_user(app, user)
    response = post(client, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def test_activist_deletion_leaves_no_planted_word_in_the_database_files(app, instance):
    planted = markers(
        "username", "bio", "contact", "title", "description", "message", "comment", "reason"
    )
    leaving = make_user(planted["username"], "activist")
    helper = make_user("helper", "provider")
    update_profile(leaving, planted["bio"], ",legal,")
    update_languages(leaving, ",fa,", "IR")
    contacts.set_contact(leaving, "signal", planted["contact"])
    help_request = requests_rules.create_request(
        leaving,
        request_fields(
            title=f"Help with {planted['title']}",
            description=f"Three journalists {planted['description']} need advice.",
        ),
    )
    match = open_match(leaving, helper, help_request)
    reveal_all(match, leaving)
    matches.post_message(leaving, match, f"My number is {planted['message']}")
    finish(match)
    matches.rate(leaving, Match.get_by_id(match.id), 2, f"Slow, {planted['comment']}")
    matches.rate(helper, Match.get_by_id(match.id), 5, "Clear and brave")
    second = requests_rules.create_request(leaving, request_fields(title="A second request"))
    cancelled = open_match(leaving, helper, second)
    matches.cancel_match(leaving, cancelled, f"Changed plans {planted['reason']}")

    stored_in_clear = ["username", "bio", "title", "description", "comment", "reason"]
    assert traces(database_bytes(instance), planted) == stored_in_clear  # the test can see them

    client = delete_through_the_page(app, leaving)

    assert traces(database_bytes(instance), planted) == []
    wal = instance / "movements.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert client.get("/account").status_code == 302  # signed out
    assert User.get_or_none(User.id == leaving.id) is None


def test_provider_deletion_leaves_no_planted_word_in_the_database_files(
    app, instance, activist, help_request
):
    planted = markers(
        "username", "bio", "contact", "offer", "message", "comment", "standing", "summary"
    )
    leaving = make_user(planted["username"], "provider")
    update_profile(leaving, planted["bio"], ",legal,")
    update_languages(leaving, ",fa,", "")
    contacts.set_contact(leaving, "email", f"{planted['contact']}@example.org")
    directory.publish(
        leaving,
        standing_offer_fields(
            title=f"Advice on {planted['standing']}",
            description=f"I advise on {planted['summary']} and appeals.",
        ),
    )
    match = open_match(activist, leaving, help_request, f"I can help: {planted['offer']}")
    reveal_all(match, leaving)
    matches.post_message(leaving, match, f"Call me {planted['message']}")
    finish(match)
    matches.rate(leaving, Match.get_by_id(match.id), 3, f"Fine {planted['comment']}")

    assert "standing" in traces(database_bytes(instance), planted)

    delete_through_the_page(app, leaving)

    assert traces(database_bytes(instance), planted) == []


def test_ratings_they_gave_keep_their_stars_without_name_or_comment(app, activist, provider, match):
    finish(match)
    matches.rate(provider, Match.get_by_id(match.id), 2, "Never answered on time")
    matches.rate(activist, Match.get_by_id(match.id), 5, "Excellent")

    delete_account(provider)

    kept = Rating.get()
    assert (kept.stars, kept.rater_id, kept.comment, kept.match_id) == (2, None, "", None)
    assert kept.ratee_id == activist.id
    assert community_rating(activist).count == 1
    assert community_rating(activist).average == 2.0


def test_everything_of_theirs_goes_and_the_other_side_keeps_their_own(
    app, activist, provider, match
):
    contacts.set_contact(provider, "signal", "+1 555 0100")
    reveal_all(match, provider)
    matches.post_message(provider, match, "hello")
    matches.post_message(activist, match, "hi")

    delete_account(provider)

    theirs = [
        ContactField.user,
        Offer.provider,
        Match.provider,
        Message.sender,
        LoginSession.user,
        RecoveryCode.user,
        Notification.user,
    ]
    for column in theirs:
        assert not column.model.select().where(column == provider.id).exists(), column
    assert Match.select().count() == Message.select().count() == 0
    assert RecoveryCode.select().where(RecoveryCode.user == activist).count() == 6
    assert contacts.contacts_of(activist, key_of(activist)) == []
    assert User.get_by_id(activist.id).username == "leila"


def test_a_request_they_were_helping_with_opens_again_and_its_author_is_told(
    app, activist, provider, match
):
    delete_account(provider)

    help_request = HelpRequest.get_by_id(match.help_request_id)
    assert help_request.status == HelpRequest.OPEN
    told = Notification.select().where(Notification.user == activist).order_by(Notification.id)
    assert told[-1].kind == "match_cancelled"
    assert told[-1].link == f"/requests/{help_request.public_id}"


def test_their_requests_offers_and_other_peoples_notifications_about_them_go(
    app, activist, provider, help_request, match
):
    notified = Notification.select().where(Notification.user == provider).count()
    assert notified  # the accepted offer told the provider, with the request's title

    delete_account(activist)

    assert HelpRequest.select().count() == Offer.select().count() == 0
    # what they were told names nothing of the deleted account: only that the match ended
    told = Notification.select().where(Notification.user == provider)
    assert [(n.kind, n.subject) for n in told] == [("match_ended_deleted", "")]
    assert User.get_by_id(provider.id)


def test_evidence_and_vouches_about_them_go_but_the_staff_log_stays_intact(app, activist, provider):
    warden = make_staff("warden")
    evidence.add_evidence(warden, provider, "spoke", "Video call; confirmed bar membership")
    User.update(trust_stars=4).where(User.id == provider.id).execute()
    vouches.vouch(User.get_by_id(provider.id), activist)
    entries = StaffLogEntry.select().count()

    delete_account(provider)

    assert Evidence.select().count() == Vouch.select().count() == 0
    assert StaffLogEntry.select().count() == entries
    assert verify().intact
    assert not Notification.select().where(Notification.subject == "lawyer_anna").exists()


def test_every_session_of_theirs_ends(app, provider):
    elsewhere = as_user(app, provider)
    assert elsewhere.get("/account").status_code == 200

    delete_through_the_page(app, provider)

    assert elsewhere.get("/account").status_code == 302
    assert LoginSession.select().count() == 0


def test_the_confirmation_page_says_what_is_deleted_and_what_stays(app, provider):
    response = as_user(app, provider).get("/account/delete")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert problems_in(response) == []
    assert "What is deleted" in page
    assert "What stays, without your name" in page
    assert 'type="password"' in page


def test_the_account_page_links_to_deletion(app, provider):
    page = as_user(app, provider).get("/account").get_data(as_text=True)
    assert 'href="/account/delete"' in page


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for response in (client.get("/account/delete"), post(client, "/account/delete", {})):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "data",
    [
        {"password": "not the password"},
        {"password": ""},
        {},
        {"password": "x" * 5000},
        {"password": ["a", "b"]},
    ],
)
def test_a_wrong_or_missing_password_changes_nothing(app, provider, data):
    client = as_user(app, provider)
    response = post(client, "/account/delete", data)
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert User.get_or_none(User.id == provider.id) is not None
    assert client.get("/account").status_code == 200  # still signed in


def test_without_a_csrf_token_nothing_is_deleted(app, provider):
    client = as_user(app, provider)
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert User.get_or_none(User.id == provider.id) is not None


def test_guessing_the_password_is_throttled_like_sign_in(app, provider):
    client = as_user(app, provider)
    for _attempt in range(5):
        post(client, "/account/delete", {"password": "guess number one"})
    response = post(client, "/account/delete", {"password": PASSWORD})
    assert response.status_code == 429
    assert User.get_or_none(User.id == provider.id) is not None


def test_the_username_is_free_again_for_a_fresh_account(app, provider):
    update_profile(provider, "Asylum lawyer in Berlin", ",legal,")
    update_languages(provider, ",de,", "")
    delete_account(provider)
    again = make_user("lawyer_anna", "provider")
    assert again.bio == ""
    assert RecoveryCode.select().where(RecoveryCode.user == again).count() == 6
