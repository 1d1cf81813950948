"""While every place for a password check is taken, a password form is turned away before any
work is done for it: no form read, no attempt counted, nothing changed, and the page says when
to come back. Once a place is free the same form works."""

import contextlib

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core.models import RecoveryCode, SignInThrottle, User
from movements.app.keys import argon2_pool, passwords
from tests.support.accounts import PASSWORD, as_user, post

NEW = "a brand new password"


def take_every_place() -> contextlib.ExitStack:
    places = contextlib.ExitStack()
    for _ in range(argon2_pool.PASSWORD_CHECKS_AT_ONCE):
        places.enter_context(argon2_pool.password_check_place())
    assert argon2_pool.every_password_check_place_is_taken()
    return places


@pytest.fixture
def every_place_taken():
    with take_every_place() as places:
        yield places


def assert_turned_away(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "The site is very busy. Please try again in a moment." in response.get_data(True)


def test_a_sign_in_is_turned_away_uncounted_while_every_place_is_taken(
    app, activist, every_place_taken
):
    client = app.test_client()
    answer = post(client, "/login", {"username": "leila", "password": "not the password"})
    assert_turned_away(answer)
    assert not SignInThrottle.select().where(SignInThrottle.user == activist).exists()
    every_place_taken.close()
    assert not argon2_pool.every_password_check_place_is_taken()
    assert post(client, "/login", {"username": "leila", "password": PASSWORD}).status_code == 302


def test_a_password_change_is_turned_away_and_the_password_stays(app, activist):
    client = as_user(app, activist)
    form = {"current": PASSWORD, "password": NEW, "confirm": NEW}
    with take_every_place():
        answer = post(client, "/account/password", form)
        assert_turned_away(answer)
        assert "Log out" in answer.get_data(True)  # still shown as signed in
    stored = User.get_by_id(activist.id).password_hash
    assert passwords.check(stored, PASSWORD) is not None
    assert post(client, "/account/password", form).status_code == 302


def test_an_account_deletion_is_turned_away_and_the_account_stays(app, activist):
    client = as_user(app, activist)
    with take_every_place():
        assert_turned_away(post(client, "/account/delete", {"password": PASSWORD}))
    assert User.select().where(User.id == activist.id).exists()
    assert client.get("/account").status_code == 200


def test_a_recovery_is_turned_away_and_its_code_is_not_spent(app):
    _signed_up, codes = accounts.register("amal", PASSWORD, "activist", "EG")
    form = {"username": "amal", "code": codes[0], "password": NEW, "confirm": NEW}
    client = app.test_client()
    with take_every_place():
        assert_turned_away(post(client, "/recover", form))
        with pytest.raises(argon2_pool.Busy):  # the rule itself, called from anywhere
            accounts.reset_with_recovery_code("amal", codes[0], NEW)
    assert RecoveryCode.select().count() == len(codes)
    assert post(client, "/recover", form).status_code == 302
    assert RecoveryCode.select().count() == len(codes) - 1


def test_a_page_is_served_while_every_place_is_taken(app, every_place_taken):
    assert app.test_client().get("/login").status_code == 200


def test_a_sign_in_is_turned_away_before_its_form_is_read(app, every_place_taken):
    # the cheap refusal a flood gets (bench/flood.py): not even the form's errors are drawn
    assert_turned_away(post(app.test_client(), "/login", {"username": "", "password": ""}))
