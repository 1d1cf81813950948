"""A seized server reveals nothing about users who are not signed in; their password opens it.

A signed-in user's key is in the database too, sealed under their session's cookie: the seized
database opens it only together with that cookie, and then opens only that user's data.
"""

import base64
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from movements.app.core.models import ContactReveal, Message, User
from movements.app.offers import rules as offers
from movements.crypto import (
    DecryptionError,
    Keyring,
    associated_data,
    check_password,
    open_sealed,
    open_session_key,
    private_from_bytes,
    unwrap_with_key,
)
from tests.support.accounts import PASSWORD, as_user, post

CONTACT = "signal-7f3a91-+963-555-0101"
MESSAGE = "the-meeting-point-is-b82c"


@pytest.fixture
def browsers(app, activist, provider):
    """The activist's and the provider's browsers, signed in."""
    return as_user(app, activist), as_user(app, provider)


@pytest.fixture
def journey(browsers, activist, provider, help_request):
    """Two users, a match, contacts revealed both ways, messages both ways, all over HTTP."""
    activist_client, provider_client = browsers
    post(provider_client, "/account/contacts", {"kind": "signal", "value": CONTACT})
    post(activist_client, "/account/contacts", {"kind": "email", "value": "noor-" + CONTACT})
    offer = offers.make_offer(provider, help_request, "I can help with this case.")
    match = offers.accept_offer(activist, offer)
    url = f"/matches/{match.public_id}"
    for client, user in ((provider_client, provider), (activist_client, activist)):
        post(client, url + "/messages", {"text": f"{MESSAGE} from {user.username}"})
        (contact,) = user.contacts
        post(client, url + "/contacts", {"contacts": [str(contact.id)]})
    page = activist_client.get(url).get_data(as_text=True)
    assert CONTACT in page and f"{MESSAGE} from lawyer_anna" in page
    return match


def seize(instance: Path, tmp_path: Path) -> Path:
    """Everything on the server's disk, copied as an adversary would."""
    copy = tmp_path / "seized"
    shutil.copytree(instance, copy)
    return copy


def all_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def stored_blobs(database: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(database) as conn:
        rows = [("contact", b) for (b,) in conn.execute("select sealed_value from contactfield")]
        rows += [("reveal", b) for (b,) in conn.execute("select sealed_value from contactreveal")]
        for a, p in conn.execute("select for_activist, for_provider from message"):
            rows += [("message", a), ("message", p)]
    return rows


def test_no_plaintext_anywhere_in_the_seized_instance(app, instance, journey, tmp_path):
    seized = all_bytes(seize(instance, tmp_path))
    assert b"I can help with this case." in seized  # the search sees the real files
    assert CONTACT.encode() not in seized
    assert MESSAGE.encode() not in seized


def test_no_server_key_opens_any_sealed_value(app, instance, journey, tmp_path):
    copy = seize(instance, tmp_path)
    keyring = Keyring.open(copy / "keys", create=False)
    server_secrets = [p.read_bytes() for p in (copy / "keys").glob("*.key")]
    server_secrets.append((copy / "secret_key").read_bytes()[:32])
    blobs = stored_blobs(copy / "movements.sqlite3")
    assert len(blobs) == 8
    for _kind, blob in blobs:
        with pytest.raises(DecryptionError):
            keyring.decrypt(blob, b"")
        for secret in server_secrets:
            as_x25519 = X25519PrivateKey.from_private_bytes(secret[:32])
            with pytest.raises(DecryptionError):
                open_sealed(blob, as_x25519, b"")


def test_the_users_password_opens_their_data_in_the_seized_copy(app, instance, journey, tmp_path):
    copy = seize(instance, tmp_path)
    with sqlite3.connect(copy / "movements.sqlite3") as conn:
        user_id, record, wrapped = conn.execute(
            "select id, password_hash, wrapped_key from user where username = 'lawyer_anna'"
        ).fetchone()
        (sealed,) = conn.execute(
            "select sealed_value from contactfield where user_id = ?", (user_id,)
        ).fetchone()
    slot = associated_data("user", user_id, "wrapped_key")
    assert check_password(record, "a wrong guess") is None
    # what the record keeps to check a password opens nothing
    verifier = base64.b64decode(record.rsplit("$", 1)[1] + "=")
    with pytest.raises(DecryptionError):
        unwrap_with_key(wrapped, verifier, context=slot)
    key = unwrap_with_key(wrapped, check_password(record, PASSWORD), context=slot)
    context = associated_data("contact_field", "sealed_value", user_id, "signal")
    assert open_sealed(sealed, key, context).decode() == CONTACT


def test_messages_are_sealed_to_both_parties_and_staff_cannot_read_them(app, journey):
    message = Message.select().first()
    assert bytes(message.for_activist) != bytes(message.for_provider)
    assert ContactReveal.select().count() == 2
    assert all(bytes(u.wrapped_key) and bytes(u.public_key) for u in User.select())


def test_ciphertext_lengths_fall_in_buckets(app, provider):
    client = as_user(app, provider)
    post(client, "/account/contacts", {"kind": "signal", "value": "a"})
    post(client, "/account/contacts", {"kind": "matrix", "value": "b" * 200})
    lengths = {len(bytes(c.sealed_value)) for c in User.get_by_id(provider.id).contacts}
    assert len(lengths) == 1


def cookie_token(app, client) -> str:
    """The session token in a browser's cookie: what an adversary holding the cookie reads."""
    cookie = client.get_cookie("movements_session").value
    return app.session_interface.get_signing_serializer(app).loads(cookie)["token"]


def open_session_row(database: Path, secret: bytes, token: str):
    """The private key sealed in the seized session row of `token`, as the app opens it."""
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    with sqlite3.connect(database) as conn:
        found = conn.execute(
            "select s.sealed_key, u.id, u.public_key from loginsession s"
            " join user u on u.id = s.user_id where s.token_hash = ?",
            (token_hash,),
        ).fetchone()
    if found is None:
        return None
    sealed, user_id, public_key = found
    context = associated_data("login_session", "sealed_key", token_hash, user_id, public_key)
    return private_from_bytes(
        open_session_key(sealed, token, server_secret=secret, context=context)
    )


def test_a_seized_database_with_a_signed_in_users_cookie_opens_their_data_only(
    app, instance, browsers, journey, tmp_path
):
    leila, anna = browsers
    leila_token, anna_token = cookie_token(app, leila), cookie_token(app, anna)
    post(anna, "/logout")
    copy = seize(instance, tmp_path)
    seized = all_bytes(copy)
    assert leila_token.encode() not in seized and anna_token.encode() not in seized
    secret = (copy / "secret_key").read_bytes().strip()
    key = open_session_row(copy / "movements.sqlite3", secret, leila_token)
    with sqlite3.connect(copy / "movements.sqlite3") as conn:
        user_id, sealed = conn.execute(
            "select u.id, c.sealed_value from contactfield c join user u on u.id = c.user_id"
            " where u.username = 'leila'"
        ).fetchone()
    context = associated_data("contact_field", "sealed_value", user_id, "email")
    assert open_sealed(sealed, key, context).decode() == "noor-" + CONTACT
    # the signed-out provider's cookie finds nothing, and leila's key opens nothing of his
    assert open_session_row(copy / "movements.sqlite3", secret, anna_token) is None
    with sqlite3.connect(copy / "movements.sqlite3") as conn:
        anna_id, anna_sealed = conn.execute(
            "select u.id, c.sealed_value from contactfield c join user u on u.id = c.user_id"
            " where u.username = 'lawyer_anna'"
        ).fetchone()
    with pytest.raises(DecryptionError):
        anna_context = associated_data("contact_field", "sealed_value", anna_id, "signal")
        open_sealed(anna_sealed, key, anna_context)


def test_a_session_row_opens_nothing_without_its_cookie(app, instance, browsers, journey, tmp_path):
    """Every server secret, and for token what the seizure holds: the row's own hash, the
    secrets, another user's cookie."""
    _leila, anna = browsers
    copy = seize(instance, tmp_path)
    server_secrets = [p.read_bytes() for p in (copy / "keys").glob("*.key")]
    server_secrets.append((copy / "secret_key").read_bytes().strip())
    with sqlite3.connect(copy / "movements.sqlite3") as conn:
        rows = conn.execute(
            "select s.token_hash, s.sealed_key, u.id, u.public_key from loginsession s"
            " join user u on u.id = s.user_id where u.username = 'leila'"
        ).fetchall()
    assert len(rows) == 1
    for token_hash, sealed, user_id, public_key in rows:
        context = associated_data("login_session", "sealed_key", token_hash, user_id, public_key)
        guesses = [token_hash, cookie_token(app, anna), *(s.hex() for s in server_secrets)]
        for secret in server_secrets:
            for guess in guesses:
                with pytest.raises(DecryptionError):
                    open_session_key(sealed, guess, server_secret=secret, context=context)


def test_a_database_copy_and_a_cookie_without_the_instance_secret_open_nothing(
    app, instance, browsers, journey, tmp_path
):
    leila, _anna = browsers
    copy = seize(instance, tmp_path)
    token = cookie_token(app, leila)
    for key_file in (copy / "keys").glob("*.key"):
        with pytest.raises(DecryptionError):
            open_session_row(copy / "movements.sqlite3", key_file.read_bytes(), token)
