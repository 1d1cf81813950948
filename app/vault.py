"""Encrypting the fields that identify people, under the instance's server keyring.

Associated data names the table, column and row, so a ciphertext moved to another row or
column no longer opens. A value that cannot be opened reads as None, which pages show as
"could not be decrypted" rather than failing.
"""

from pathlib import Path

from flask import Flask

from crypto import DecryptionError, Keyring, associated_data

KEYRING_DIR = "keys"

_keyring_handle: list[Keyring] = []


def init_app(app: Flask) -> None:
    """Bind the instance's keyring, like the database handle: one per process."""
    _keyring_handle[:] = [Keyring.open(Path(app.config["INSTANCE_PATH"]) / KEYRING_DIR)]


def _keyring() -> Keyring:
    return _keyring_handle[0]


def seal_field(table: str, column: str, row: str, plaintext: str) -> bytes:
    return _keyring().encrypt(plaintext.encode(), associated_data(table, column, row))


def open_field(table: str, column: str, row: str, blob: bytes) -> str | None:
    try:
        return _keyring().decrypt(bytes(blob), associated_data(table, column, row)).decode()
    except (DecryptionError, UnicodeDecodeError):
        return None
