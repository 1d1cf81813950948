"""A seized server reveals nothing about users who are not signed in; their password opens it."""

import base64
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
    unwrap_with_key,
)

from ..conftest import PASSWORD, as_user, post

CONTACT = "signal-7f3a91-+963-555-0101"
MESSAGE = "the-meeting-point-is-b82c"


@pytest.fixture
def journey(app, activist, provider, help_request):
    """Two users, a match, contacts revealed both ways, messages both ways, all over HTTP."""
    activist_client, provider_client = as_user(app, activist), as_user(app, provider)
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
