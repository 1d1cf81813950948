"""Sealing a value to the one person who may read it, and opening it with their key.

A blob is either sealed to a user's public key ("S1": only their unwrapped private key opens
it) or, for an account from before per-user keys, encrypted under the server keyring ("K1"),
until that account's next sign-in reseals it. Either way the associated data names where the
blob lives, so one moved to another row, column or reader does not open.
"""

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from movements.app.core.models import User
from movements.app.keys import vault
from movements.crypto import DecryptionError, associated_data, open_sealed, seal

KEYRING_PREFIX = b"K1"

Context = tuple[str | int, ...]


def seal_to(reader: User, plaintext: str, context: Context) -> bytes:
    data = plaintext.encode()
    if reader.public_key is None:
        return vault.encrypt(data, associated_data(*context))
    return seal(data, bytes(reader.public_key), associated_data(*context))


def open_with(key: X25519PrivateKey | None, blob: bytes, context: Context) -> str | None:
    """The plaintext, or None when it cannot be opened: wrong reader, tampered, moved, no key."""
    blob = bytes(blob)
    try:
        if blob.startswith(KEYRING_PREFIX):
            data = vault.decrypt(blob, associated_data(*context))
        elif key is not None:
            data = open_sealed(blob, key, associated_data(*context))
        else:
            return None
        return data.decode() if data is not None else None
    except (DecryptionError, UnicodeDecodeError):
        return None


def is_keyring_blob(blob: bytes | None) -> bool:
    return blob is not None and bytes(blob).startswith(KEYRING_PREFIX)


def reseal_to_owner_key(reader: User, blob: bytes, context: Context) -> bytes | None:
    """Move a keyring blob to the reader's new public key; None if it no longer opens."""
    plaintext = open_with(None, blob, context)
    if plaintext is None:
        return None
    return seal_to(reader, plaintext, context)
