"""Recovery codes: six of four words, shown after a redirect, downloadable, confirmed as saved."""

import hashlib
import math
import re

from movements.app.accounts import rules as accounts
from movements.app.core.db import database
from movements.app.core.models import RecoveryCode, User
from movements.app.keys import contacts, passwords, userkeys, wordlist
from movements.crypto import wrap_private_key
from tests.support.accounts import PASSWORD, post
from tests.support.markup import parse

SIGNUP = {
    "username": "noor",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "role": "provider",
    "risk_read": "y",
}
NEW_PASSWORD = "a brand new password"


def shown_codes(page: str) -> list[str]:
    return [code.text() for code in parse(page).iter("code")]


def test_each_code_is_four_words_carrying_at_least_50_random_bits(app):
    codes = passwords.new_recovery_codes()
    assert len(codes) == len(set(codes)) == 6
    for code in codes:
        words = code.split(" ")
        assert len(words) == 4 and set(words) <= wordlist.known()
    assert len(wordlist.words()) >= 7772
    assert 4 * math.log2(len(wordlist.words())) >= 50


def test_signing_up_leads_to_the_codes_and_a_reload_sends_nothing_again(app, client):
    response = post(client, "/signup", SIGNUP)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/recovery-codes"
    first = client.get("/account/recovery-codes").get_data(as_text=True)
    again = client.get("/account/recovery-codes").get_data(as_text=True)
    codes = shown_codes(first)
    assert len(codes) == 6 and shown_codes(again) == codes
    assert User.select().count() == 1 and RecoveryCode.select().count() == 6
    assert "Forgot your password? Use a recovery code." in first  # where they are used later


def test_the_codes_download_as_a_text_file(app, client):
    post(client, "/signup", SIGNUP)
    codes = shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    assert 'href="/account/recovery-codes.txt"' in page
    download = client.get("/account/recovery-codes.txt")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Cache-Control"] == "no-store"
    text = download.get_data(as_text=True)
    assert all(f"{n}. {code}" in text for n, code in enumerate(codes, 1))
    assert "Forgot your password? Use a recovery code." in text


def test_continuing_needs_the_box_ticked_then_the_codes_are_gone(app, client):
    post(client, "/signup", SIGNUP)
    codes = shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))
    unticked = post(client, "/account/recovery-codes", {})
    assert unticked.status_code == 400
    assert "Tick the box" in unticked.get_data(as_text=True)
    assert shown_codes(unticked.get_data(as_text=True)) == codes
    ticked = post(client, "/account/recovery-codes", {"saved": "y"})
    assert ticked.status_code == 302 and ticked.headers["Location"] == "/"
    assert client.get("/account/recovery-codes").headers["Location"] == "/"
    assert client.get("/account/recovery-codes.txt").status_code == 404
    assert "Log out" in client.get("/").get_data(as_text=True)  # still signed in


def test_signing_out_drops_codes_not_yet_saved(app, client):
    post(client, "/signup", SIGNUP)
    post(client, "/logout")
    post(client, "/login", {"username": "noor", "password": PASSWORD})
    assert client.get("/account/recovery-codes").headers["Location"] == "/"


def test_no_code_is_stored_in_clear_nor_under_a_fast_hash(app, client):
    post(client, "/signup", SIGNUP)
    codes = shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))
    stored = "\n".join(database.connection().iterdump())
    for code in codes:
        assert code not in stored and code.replace(" ", "") not in stored
        assert passwords.recovery_code_hash(code) not in stored
        assert hashlib.sha256(code.encode()).hexdigest() not in stored
    assert all(row.code_hash.startswith("words:") for row in RecoveryCode.select())


def test_a_code_works_whatever_its_case_and_separators_and_only_once(app, client):
    signed_up, codes = accounts.register("amal", PASSWORD, "activist", "EG")
    contacts.set_contact(signed_up.user, "signal", "amal.07")
    typed = "  " + re.sub(" ", " - ", codes[2].upper()) + "\n"
    form = {"username": "amal", "code": typed, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert post(client, "/recover", form).status_code == 302
    signed_in = accounts.authenticate("amal", NEW_PASSWORD)
    assert [c.value for c in contacts.contacts_of(signed_in.user, signed_in.key)] == ["amal.07"]
    post(client, "/logout")
    spent = post(client, "/recover", {**form, "password": "x" * 12, "confirm": "x" * 12})
    assert spent.status_code == 400
    assert accounts.authenticate("amal", NEW_PASSWORD) is not None
    assert RecoveryCode.select().count() == 5


def test_a_wrong_or_foreign_code_changes_nothing(app, client):
    accounts.register("amal", PASSWORD, "activist", "EG")
    _other, their_codes = accounts.register("karim", PASSWORD, "provider", "")
    for code in (their_codes[0], "apple apple apple apple", "not even words 42"):
        form = {"username": "amal", "code": code, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        assert post(client, "/recover", form).status_code == 400
    assert accounts.authenticate("amal", NEW_PASSWORD) is None
    assert RecoveryCode.select().count() == 12


def test_an_older_hexadecimal_code_keeps_working(app, client):
    """Accounts made before word codes keep the codes they wrote down."""
    signed_up, _codes = accounts.register("amal", PASSWORD, "activist", "EG")
    user, key = signed_up.user, signed_up.key
    contacts.set_contact(user, "signal", "amal.07")
    old = "3f2a9-0b1c4-77de0-a5b6c"
    RecoveryCode.delete().execute()
    RecoveryCode.create(
        user=user,
        code_hash=passwords.recovery_code_hash(old),
        wrapped_key=wrap_private_key(
            key,
            passwords.normalise_recovery_code(old),
            context=userkeys._code_slot(user),
            parameters=userkeys.RECOVERY_CODE_KDF,
        ),
    )
    form = {"username": "amal", "code": old.upper(), "password": NEW_PASSWORD}
    assert post(client, "/recover", {**form, "confirm": NEW_PASSWORD}).status_code == 302
    signed_in = accounts.authenticate("amal", NEW_PASSWORD)
    assert [c.value for c in contacts.contacts_of(signed_in.user, signed_in.key)] == ["amal.07"]
    assert RecoveryCode.select().count() == 0
