"""A sign-in costs one argon2id run: the password's record checks it and unwraps the key.

Accounts from before (an argon2id hash, and a private key wrapped under an argon2id run of its
own) sign in as ever, keep their data, and are moved over on the way.
"""

import sys
from collections import Counter

import pytest
from argon2 import PasswordHasher

from movements.app.accounts import rules as accounts
from movements.app.core.models import User
from movements.app.keys import passwords
from movements.app.keys.contacts import set_contact
from movements.crypto import associated_data, is_record, wrap_private_key
from tests.support.accounts import CHEAP_KDF, PASSWORD, csrf_token, key_of, post

ARGON2_ENTRY_POINTS = ("hash_secret", "hash_secret_raw", "verify_secret")


def count_argon2_runs(monkeypatch) -> Counter:
    """From now on, how many times argon2 runs, wherever the app or argon2's hasher calls it."""
    runs = Counter()

    def counted(name, real):
        def run(*args, **kwargs):
            runs["argon2"] += 1
            return real(*args, **kwargs)

        return run

    for module in list(sys.modules.values()):
        if not getattr(module, "__name__", "").startswith(("movements.", "argon2.")):
            continue
        for name in ARGON2_ENTRY_POINTS:
            real = getattr(module, name, None)
            if callable(real):
                monkeypatch.setattr(module, name, counted(name, real))
    return runs


@pytest.fixture
def argon2_runs(monkeypatch) -> Counter:
    return count_argon2_runs(monkeypatch)


def sign_in_form(client, username, password):
    form = {"csrf_token": csrf_token(client), "username": username, "password": password}
    return client.post("/login", data=form)


def make_from_before(user: User) -> None:
    """The account as it was stored before P1 records, with the same key pair."""
    hasher = PasswordHasher(
        time_cost=CHEAP_KDF.time_cost,
        memory_cost=CHEAP_KDF.memory_cost,
        parallelism=CHEAP_KDF.parallelism,
    )
    slot = associated_data("user", user.id, "wrapped_key")
    user.password_hash = hasher.hash(PASSWORD)
    user.wrapped_key = wrap_private_key(key_of(user), PASSWORD, context=slot)
    user.save()


def test_a_sign_in_runs_argon2_once(app, activist, argon2_runs):
    response = sign_in_form(app.test_client(), "leila", PASSWORD)
    assert response.status_code == 302
    assert argon2_runs["argon2"] == 1


def test_an_unknown_name_costs_the_same_one_run(app, activist, monkeypatch):
    passwords.dummy_record()  # made once per process, at the first unknown name
    argon2_runs = count_argon2_runs(monkeypatch)
    response = sign_in_form(app.test_client(), "nobody_here", PASSWORD)
    assert response.status_code == 400
    assert argon2_runs["argon2"] == 1


def test_a_wrong_password_costs_one_run_and_unlocks_nothing(app, activist, argon2_runs):
    assert sign_in_form(app.test_client(), "leila", "not the password").status_code == 400
    assert argon2_runs["argon2"] == 1


def test_an_account_from_before_signs_in_keeps_its_data_and_is_moved_over(app, activist):
    set_contact(activist, "signal", "+98 912 555 0101")
    make_from_before(activist)
    client = app.test_client()
    assert sign_in_form(client, "leila", PASSWORD).status_code == 302
    assert "+98 912 555 0101" in client.get("/account").get_data(as_text=True)
    moved = User.get_by_id(activist.id)
    assert is_record(moved.password_hash) and bytes(moved.wrapped_key).startswith(b"W2")
    post(client, "/logout")
    again = app.test_client()
    assert sign_in_form(again, "leila", PASSWORD).status_code == 302
    assert "+98 912 555 0101" in again.get("/account").get_data(as_text=True)


def test_the_next_sign_in_of_a_moved_account_runs_argon2_once(app, activist, monkeypatch):
    make_from_before(activist)
    assert accounts.authenticate("leila", PASSWORD) is not None
    runs = count_argon2_runs(monkeypatch)
    assert accounts.authenticate("leila", PASSWORD) is not None
    assert runs["argon2"] == 1


def test_a_wrong_password_leaves_an_account_from_before_as_it_was(app, activist):
    make_from_before(activist)
    before = User.get_by_id(activist.id)
    assert sign_in_form(app.test_client(), "leila", "not the password").status_code == 400
    after = User.get_by_id(activist.id)
    assert (after.password_hash, bytes(after.wrapped_key)) == (
        before.password_hash,
        bytes(before.wrapped_key),
    )


def test_a_password_change_runs_argon2_twice_and_the_new_password_unlocks(
    app, provider, monkeypatch
):
    client = app.test_client()
    assert sign_in_form(client, "lawyer_anna", PASSWORD).status_code == 302
    set_contact(provider, "email", "anna@example.org")
    new = "a completely new passphrase"
    form = {"current": PASSWORD, "password": new, "confirm": new}
    runs = count_argon2_runs(monkeypatch)
    assert post(client, "/account/password", form).status_code == 302
    assert runs["argon2"] == 2  # the current password checked, the new one's record made
    assert accounts.authenticate("lawyer_anna", PASSWORD) is None
    again = app.test_client()
    assert sign_in_form(again, "lawyer_anna", new).status_code == 302
    assert "anna@example.org" in again.get("/account").get_data(as_text=True)
