"""A password hash whose helper process keeps dying is a busy moment for the visitor (503 with
Retry-After, app/keys/argon2_pool.py), never a server error, and the hash is tried no more."""

import pytest

from movements.app.keys import passwords
from movements.app.keys.argon2_pool import Busy
from movements.crypto import argon2_processes
from tests.support.accounts import PASSWORD, post


@pytest.fixture
def helpers_that_die_at_once(tmp_path, monkeypatch):
    """Real helper processes, each of which ends before reading anything."""
    dying = tmp_path / "dying_helper.py"
    dying.write_text("raise SystemExit(1)\n")
    monkeypatch.setattr(argon2_processes, "HELPER", dying)
    with argon2_processes.running(1) as helpers:
        yield helpers


def test_a_hash_whose_helper_keeps_dying_is_answered_busy(app, helpers_that_die_at_once):
    with pytest.raises(Busy):
        passwords.new_password("a long enough password")
    with pytest.raises(Busy):  # and the next one: each is tried again with new helpers
        passwords.new_password("another long password")


def test_a_sign_in_whose_helper_keeps_dying_gets_503_with_retry_after(
    client, activist, helpers_that_die_at_once
):
    response = post(client, "/login", {"username": activist.username, "password": PASSWORD})
    assert response.status_code == 503
    assert response.headers["Retry-After"]
