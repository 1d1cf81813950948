"""When an account is deleted, the other side of each match keeps their own copy and is told."""

from movements.app.accounts.deletion import delete_account
from movements.app.core.models import EndedMessage, Match, Message, Notification
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from tests.support.accounts import as_user
from tests.support.markup import parse

from .conftest import database_bytes, reveal_all


def words(response) -> str:
    return parse(response.get_data(as_text=True)).text()


def test_the_other_side_keeps_their_copy_under_a_deleted_account(
    app, instance, activist, provider, match
):
    contacts.set_contact(provider, "signal", "+1 555 0100")
    reveal_all(match, provider)
    matches.post_message(activist, match, "Can we talk on Thursday?")
    matches.post_message(provider, match, "Thursday works for me.")

    delete_account(provider)

    assert Match.select().count() == Message.select().count() == 0
    leila = as_user(app, activist)
    page = leila.get(f"/matches/{match.public_id}")
    assert page.status_code == 200
    text = words(page)
    assert "Legal advice for detained journalists" in text
    assert "You wrote" in text and "Can we talk on Thursday?" in text
    assert "A deleted account wrote" in text and "Thursday works for me." in text
    assert "a deleted account" in text and "Ended: the other account was deleted" in text
    assert "lawyer_anna" not in page.get_data(as_text=True)
    assert "+1 555 0100" not in text  # the contact details they revealed went with them
    assert b"Thursday works" not in database_bytes(instance)  # kept only sealed
    (told,) = Notification.select().where(Notification.kind == "match_ended_deleted")
    assert told.user_id == activist.id and told.link == f"/matches/{match.public_id}"
    assert "the other account was deleted" in words(leila.get("/notifications"))
    assert "Ended: the other account was deleted" in words(leila.get("/matches"))


def test_when_the_activist_leaves_the_provider_keeps_the_conversation(
    app, activist, provider, match
):
    matches.post_message(activist, match, "Here are the families' questions.")

    delete_account(activist)

    text = words(as_user(app, provider).get(f"/matches/{match.public_id}"))
    assert "A deleted account wrote" in text and "the families' questions" in text
    assert "Legal advice for detained journalists" in text  # sealed to the provider alone


def test_a_kept_copy_is_its_owners_alone(app, activist, provider, stranger, match):
    matches.post_message(provider, match, "Hello.")
    delete_account(provider)
    assert as_user(app, stranger).get(f"/matches/{match.public_id}").status_code == 404
    assert EndedMessage.select().count() == 1
    delete_account(activist)  # and it goes with its owner
    assert EndedMessage.select().count() == 0


def test_the_delete_page_says_what_the_others_keep(app, provider):
    text = words(as_user(app, provider).get("/account/delete"))
    assert "keeps their own encrypted copy of your conversation" in text
    assert "“a deleted account”" in text
    assert "the match ended because your account was deleted" in text
    assert "The contact details you revealed in a match go with your account." in text
