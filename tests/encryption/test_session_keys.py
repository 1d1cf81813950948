"""A session's key lives sealed in its row: the cookie opens it, and only the cookie.

Whatever goes wrong with a cookie's session (its row deleted, expired, its sealed key damaged,
copied from another session or user, or sealed before the user's key pair was replaced), the
browser is signed out with a message, never a 500, and the row is gone.
"""

import datetime

import pytest
from playhouse.migrate import SchemaMigrator, migrate

from movements.app.accounts.deletion import delete_account
from movements.app.core import db, schema
from movements.app.core.models import LoginSession, User, utcnow
from movements.app.keys import passwords, userkeys
from movements.app.keys.contacts import set_contact
from movements.crypto import private_bytes
from tests.support.accounts import PASSWORD, as_user, key_of, post

SIGNED_OUT = "You were signed out. Please sign in again."


def session_of(user) -> LoginSession:
    (row,) = LoginSession.select().where(LoginSession.user == user)
    return row


def assert_signed_out_cleanly(client) -> None:
    """The next page sends the browser to sign in, and the sign-in page says why."""
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get("/login").get_data(as_text=True)
    assert SIGNED_OUT in page
    assert client.get("/account").status_code == 302  # and stays signed out, without a loop


@pytest.fixture
def leila(app, activist):
    set_contact(activist, "signal", "+98 912 000 1111")
    return as_user(app, activist)


def test_the_row_holds_the_key_sealed_and_the_cookie_opens_it(leila, activist):
    row = session_of(activist)
    assert private_bytes(key_of(activist)) not in bytes(row.sealed_key)
    assert "+98 912 000 1111" in leila.get("/account").get_data(as_text=True)


def test_a_cookie_whose_session_row_is_gone_is_signed_out_with_a_message(leila, activist):
    LoginSession.delete().execute()
    assert_signed_out_cleanly(leila)


def test_a_damaged_sealed_key_signs_the_browser_out(leila, activist):
    row = session_of(activist)
    damaged = bytearray(row.sealed_key)
    damaged[-1] ^= 1
    LoginSession.update(sealed_key=bytes(damaged)).execute()
    assert_signed_out_cleanly(leila)
    assert LoginSession.select().count() == 0


def test_another_sessions_sealed_key_opens_nothing(app, leila, activist):
    other_browser = as_user(app, activist)
    first, second = LoginSession.select().where(LoginSession.user == activist)
    LoginSession.update(sealed_key=first.sealed_key).where(
        LoginSession.token_hash == second.token_hash
    ).execute()
    browsers = (leila, other_browser)
    pages = [browser.get("/account").status_code for browser in browsers]
    assert sorted(pages) == [200, 302]
    assert LoginSession.select().count() == 1


def test_another_users_sealed_key_opens_nothing(app, leila, activist, provider):
    anna = as_user(app, provider)
    LoginSession.update(sealed_key=session_of(activist).sealed_key).where(
        LoginSession.user == provider
    ).execute()
    assert_signed_out_cleanly(anna)
    assert leila.get("/account").status_code == 200


def test_a_key_pair_replaced_since_sign_in_signs_the_browser_out(leila, activist):
    user = User.get_by_id(activist.id)
    fresh = passwords.new_password(PASSWORD)
    user.password_hash = fresh.record
    userkeys.give_keys(user, fresh.wrapping_key)
    user.save()
    assert_signed_out_cleanly(leila)


def test_a_session_from_before_sealed_keys_signs_in_again(leila, activist):
    LoginSession.update(sealed_key=None).execute()
    assert_signed_out_cleanly(leila)


def test_an_older_database_gains_the_column_and_its_sessions_sign_in_again(leila, activist):
    with db.database.connection_context():
        migrator = SchemaMigrator.from_database(db.database.obj)
        migrate(migrator.drop_column("loginsession", "sealed_key"))
        version = schema.MIGRATIONS.index(schema.add_session_sealed_key) + 1
        schema.SchemaVersion.update(version=version).execute()
        assert schema.upgrade() == schema.current_version()
    assert_signed_out_cleanly(leila)


@pytest.mark.parametrize("column", ["expires_at", "idle_expires_at"])
def test_an_expired_session_is_signed_out_with_a_message_and_deleted(leila, activist, column):
    LoginSession.update({column: utcnow() - datetime.timedelta(seconds=1)}).execute()
    assert_signed_out_cleanly(leila)
    assert LoginSession.select().count() == 0


def test_signing_in_deletes_sessions_that_expired_meanwhile(app, leila, activist, provider):
    LoginSession.update(idle_expires_at=utcnow() - datetime.timedelta(minutes=1)).execute()
    as_user(app, provider)
    assert [row.user_id for row in LoginSession.select()] == [provider.id]


def test_a_password_change_leaves_only_the_new_session(app, leila, activist):
    elsewhere = as_user(app, activist)
    form = {"current": PASSWORD, "password": "another long passphrase"}
    form["confirm"] = form["password"]
    assert post(leila, "/account/password", form).status_code == 302
    assert LoginSession.select().count() == 1
    assert "+98 912 000 1111" in leila.get("/account").get_data(as_text=True)
    assert_signed_out_cleanly(elsewhere)


def test_deleting_the_account_deletes_every_session_and_its_key(app, leila, activist):
    as_user(app, activist)
    delete_account(User.get_by_id(activist.id))
    assert LoginSession.select().count() == 0
    assert_signed_out_cleanly(leila)


def test_a_visitor_without_a_session_sees_no_message(client):
    assert SIGNED_OUT not in client.get("/login").get_data(as_text=True)
