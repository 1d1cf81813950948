"""The instance's server keyring: what was encrypted before per-user keys, and its rotation.

Accounts from before per-user keys keep their fields under this keyring until their next
sign-in moves them to sealing (app/keys/envelopes.py). Associated data names table, column and row,
so a ciphertext moved elsewhere no longer opens.
"""

from pathlib import Path

from flask import Flask

from movements.crypto import DecryptionError, Keyring

KEYRING_DIR = "keys"

_keyring_handle: list[Keyring] = []


def init_app(app: Flask) -> None:
    """Bind the instance's keyring, like the database handle: one per process."""
    _keyring_handle[:] = [Keyring.open(Path(app.config["INSTANCE_PATH"]) / KEYRING_DIR)]


def keyring() -> Keyring:
    return _keyring_handle[0]


def encrypt(plaintext: bytes, associated_data: bytes) -> bytes:
    return keyring().encrypt(plaintext, associated_data)


def decrypt(blob: bytes, associated_data: bytes) -> bytes | None:
    try:
        return keyring().decrypt(bytes(blob), associated_data)
    except DecryptionError:
        return None
