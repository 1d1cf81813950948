"""The server keyring: AES-256-GCM keys with ids, one of them active, kept in a directory.

What a server key protects is readable by whoever holds the server's disk, so it is only for
what the server must read while nobody is signed in. Values that identify people are sealed
to their owners instead (`sealing`).

On disk (directory mode 0700, files mode 0600, each created atomically):

    <key id>.key   32 random bytes; the key id is 4 random bytes written as 8 hex digits
    active         the active key's id in hex and a newline

Blob format "K1" (all sizes in bytes):

    0   2   b"K1"
    2   4   key id
    6   12  nonce, random
    18  n   AES-256-GCM ciphertext of the padded plaintext (n = 256, 512, ...)
    18+n 16 GCM tag

The GCM associated data is the 18-byte header followed by the caller's associated data
(`binding.associated_data`), so neither the header nor the row a value belongs to can be
changed without the value failing to open.

Several processes may share one directory (the app and `movements keys rotate`): each
encryption first checks whether the active pointer changed and reloads if so, and so does a
decryption that meets a key id not loaded yet, before declaring the blob undecryptable.
"""

import contextlib
import os
import re
import secrets
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from . import _files
from ._blob import as_bytes
from .errors import DecryptionError, KeyringError
from .padding import BUCKET_SIZE, pad, unpad

VERSION = b"K1"
KEY_SIZE = 32
KEY_ID_SIZE = 4
NONCE_SIZE = 12
TAG_SIZE = 16
_KEY_ID_AT = len(VERSION)
_NONCE_AT = _KEY_ID_AT + KEY_ID_SIZE
HEADER_SIZE = _NONCE_AT + NONCE_SIZE

_ACTIVE = "active"
_KEY_SUFFIX = ".key"
_KEY_ID_PATTERN = re.compile(r"[0-9a-f]{8}")


class Keyring:
    """The keys in one directory. Thread-safe; build it with `Keyring.open(directory)`."""

    def __init__(self, directory: Path) -> None:
        self._directory = directory
        self._lock = threading.Lock()
        self._keys: dict[bytes, AESGCM] = {}
        self._active = b""
        self._stamp: tuple[int, int, int] | None = None
        with self._lock:
            self._load()

    @classmethod
    def open(cls, directory: str | os.PathLike[str], *, create: bool = True) -> "Keyring":
        """Load the keyring in `directory`; with create=True make it, and a first key, if absent.

        Raises KeyringError if the directory or a key file is open to other users, a key file
        is malformed, or the active key is missing.
        """
        directory = Path(directory)
        if create:
            _files.ensure_private_directory(directory)
            _ensure_active_key(directory)
        return cls(directory)

    @property
    def active_key_id(self) -> str:
        self._refresh_if_rotated()
        with self._lock:
            return self._active.hex()

    def key_ids(self) -> list[str]:
        """Every key id held, active or not, sorted."""
        self._refresh_if_rotated()
        with self._lock:
            return sorted(key_id.hex() for key_id in self._keys)

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        """Encrypt under the active key with a fresh random nonce."""
        self._refresh_if_rotated()
        with self._lock:
            key_id, aead = self._active, self._keys[self._active]
        return _encrypt_v1(aead, key_id, os.urandom(NONCE_SIZE), plaintext, associated_data)

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        """Open a blob made by `encrypt` with the same associated data, or raise DecryptionError."""
        blob = as_bytes(blob, "blob")
        associated_data = as_bytes(associated_data, "associated data")
        key_id = _parse_key_id(blob)
        aead = self._key(key_id)
        if aead is None:
            raise DecryptionError("unknown key id")
        try:
            padded = aead.decrypt(
                blob[_NONCE_AT:HEADER_SIZE],
                blob[HEADER_SIZE:],
                blob[:HEADER_SIZE] + associated_data,
            )
        except InvalidTag:
            raise DecryptionError("authentication failed") from None
        return unpad(padded)

    def key_id_of(self, blob: bytes) -> str:
        """The id of the key a blob claims to be under (not checked until it is opened)."""
        return _parse_key_id(as_bytes(blob, "blob")).hex()

    def reencrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        """The same value under the active key. A blob already under it is checked and returned.

        Returning such a blob unchanged lets a batch job skip rows it has already done, which is
        what makes an interrupted rotation resumable.
        """
        plaintext = self.decrypt(blob, associated_data)
        if self.key_id_of(blob) == self.active_key_id:
            return as_bytes(blob, "blob")
        return self.encrypt(plaintext, associated_data)

    def rotate(self) -> str:
        """Create a new key and make it the active one; return its id.

        Older keys stay until `retire`, so everything encrypted under them still opens.
        """
        with self._lock:
            key_id = _create_key(self._directory)
            _files.write_private_file(
                self._directory / _ACTIVE, key_id.hex().encode() + b"\n", replace=True
            )
            self._load()
        return key_id.hex()

    def retire(self, key_id: str, *, remaining_uses: int) -> None:
        """Delete an old key's file. The caller states how many blobs still use it.

        The count must be 0: the keyring cannot see the database, so the caller (the rotation
        command) counts blobs whose `key_id_of` is `key_id` after re-encrypting, and this refuses
        anything else. The active key is never retired. Raises KeyringError when refused.
        """
        if not isinstance(key_id, str) or not _KEY_ID_PATTERN.fullmatch(key_id):
            raise KeyringError(f"{key_id!r} is not a key id")
        raw = bytes.fromhex(key_id)
        with self._lock:
            self._load()
            if raw == self._active:
                raise KeyringError("the active key cannot be retired; rotate first")
            if raw not in self._keys:
                raise KeyringError(f"no key {key_id} in {self._directory}")
            if remaining_uses != 0:
                raise KeyringError(f"{remaining_uses} values still use key {key_id}")
            _files.remove_file(self._directory / f"{key_id}{_KEY_SUFFIX}")
            del self._keys[raw]

    def __repr__(self) -> str:
        return f"<Keyring {self._directory} active={self._active.hex()}>"

    def _key(self, key_id: bytes) -> AESGCM | None:
        with self._lock:
            aead = self._keys.get(key_id)
        if aead is None:
            # A key this process has not seen can only have come from a rotation elsewhere,
            # which replaced the active pointer; reload only then. A directory broken since
            # start-up must not turn a read into a crash.
            try:
                self._refresh_if_rotated()
            except (KeyringError, OSError):
                return None
            with self._lock:
                aead = self._keys.get(key_id)
        return aead

    def _refresh_if_rotated(self) -> None:
        stamp = _stamp(self._directory)
        with self._lock:
            if stamp != self._stamp:
                self._load()

    def _load(self) -> None:
        """Read the directory afresh. The caller holds the lock."""
        _files.check_private_directory(self._directory)
        stamp = _stamp(self._directory)
        active = _read_active(self._directory)
        keys = {}
        for key_id, path in _key_files(self._directory):
            try:
                material = _files.read_private_file(path)
            except FileNotFoundError:  # retired by another process meanwhile
                continue
            if len(material) != KEY_SIZE:
                raise KeyringError(f"{path} is not a {KEY_SIZE}-byte key")
            keys[key_id] = AESGCM(material)
        if active not in keys:
            raise KeyringError(f"the active key {active.hex()} is missing from {self._directory}")
        self._keys, self._active, self._stamp = keys, active, stamp


def _encrypt_v1(
    aead: AESGCM, key_id: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes
) -> bytes:
    """The K1 format. Nonce given explicitly only so known-answer tests can pin the bytes."""
    associated_data = as_bytes(associated_data, "associated data")
    header = VERSION + key_id + nonce
    return header + aead.encrypt(nonce, pad(plaintext), header + associated_data)


def _parse_key_id(blob: bytes) -> bytes:
    """Check the version and the lengths and return the key id, or raise DecryptionError."""
    if not blob.startswith(VERSION):
        raise DecryptionError("unknown format version")
    body = len(blob) - HEADER_SIZE - TAG_SIZE
    if body < BUCKET_SIZE or body % BUCKET_SIZE:
        raise DecryptionError("wrong length")
    return blob[_KEY_ID_AT:_NONCE_AT]


def _stamp(directory: Path) -> tuple[int, int, int] | None:
    """What changes when the active pointer is replaced (a new inode each time)."""
    try:
        st = os.stat(directory / _ACTIVE)
    except FileNotFoundError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _read_active(directory: Path) -> bytes:
    try:
        text = _files.read_private_file(directory / _ACTIVE)
    except FileNotFoundError:
        raise KeyringError(f"{directory} has no active key") from None
    key_id = text.decode("ascii", "replace").strip()
    if not _KEY_ID_PATTERN.fullmatch(key_id):
        raise KeyringError(f"{directory / _ACTIVE} does not hold a key id")
    return bytes.fromhex(key_id)


def _key_files(directory: Path) -> list[tuple[bytes, Path]]:
    found = []
    for entry in os.scandir(directory):
        stem, suffix = entry.name[: -len(_KEY_SUFFIX)], entry.name[-len(_KEY_SUFFIX) :]
        if suffix == _KEY_SUFFIX and _KEY_ID_PATTERN.fullmatch(stem):
            found.append((bytes.fromhex(stem), Path(entry.path)))
    return found


def _create_key(directory: Path) -> bytes:
    """Write a new random key under a new random id and return the id."""
    while True:
        key_id = secrets.token_bytes(KEY_ID_SIZE)
        try:
            _files.write_private_file(
                directory / f"{key_id.hex()}{_KEY_SUFFIX}",
                AESGCM.generate_key(bit_length=256),
                replace=False,
            )
        except FileExistsError:
            continue  # an id collision: 1 in 2**32 per existing key, so draw again
        return key_id


def _ensure_active_key(directory: Path) -> None:
    """Give a new keyring its first key. A crash between the two writes is repaired here."""
    if (directory / _ACTIVE).exists():
        return
    keys = _key_files(directory)
    if len(keys) > 1:
        raise KeyringError(
            f"{directory} holds several keys but no active one; write the active key's id "
            f"into {directory / _ACTIVE}"
        )
    key_id = keys[0][0] if keys else _create_key(directory)
    # If another process opening the same new keyring won the race, its choice stands.
    with contextlib.suppress(FileExistsError):
        _files.write_private_file(directory / _ACTIVE, key_id.hex().encode() + b"\n", replace=False)
