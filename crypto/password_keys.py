"""One argon2id run per password: the verifier that checks it and the key that unwraps with it.

A sign-in used to run argon2id twice: once to check the password against its hash, once more
(under another salt) to derive the key that unwraps the user's private key. Now a single
argon2id output, 32 bytes that are never stored, is expanded with HKDF-SHA256 under two
separate contexts into

- the verifier, kept in the password record and compared in constant time, and
- the wrapping key, which encrypts the private key with AES-256-GCM and is never kept.

HKDF outputs under different contexts are independent: the verifier tells nothing about the
wrapping key. Someone holding the database still pays one full argon2id run per guess, as
before; the server now pays one per sign-in, not two.

Password record "P1" (ASCII text, stored where the password hash was):

    $argon2id-hkdf-v1$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<verifier>

salt (16 bytes) and verifier (32 bytes) in unpadded standard base64, as argon2's own hashes
write them. Argon2 is version 0x13. Parameters read from a record are bounded as for wrapped
keys (`MAX_KDF_PARAMETERS`), so a tampered record cannot make a sign-in allocate gigabytes.

Wrapped key "W2" (bytes):

    0   2   b"W2"
    2   12  nonce, random
    14  48  AES-256-GCM ciphertext of the 32-byte private key, then the 16-byte tag

The GCM associated data is the 14-byte header followed by the caller's context. A W2 blob has
no salt or cost of its own: it opens only with the wrapping key of the record it was made with,
so the two are always written together.
"""

import base64
import binascii
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from . import userkeys
from ._blob import as_bytes
from .errors import DecryptionError
from .userkeys import KdfParameters

RECORD_PREFIX = "$argon2id-hkdf-v1$"
SALT_SIZE = 16
VERIFIER_SIZE = KEY_SIZE = 32
VERIFIER_CONTEXT = b"movements password record v1: verifier"
WRAPPING_CONTEXT = b"movements password record v1: wrapping key"
_RECORD = re.compile(
    r"\$argon2id-hkdf-v1\$m=([0-9]{1,10}),t=([0-9]{1,10}),p=([0-9]{1,10})"
    r"\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})"
)

WRAPPED_VERSION = b"W2"
NONCE_SIZE = 12
WRAPPED_HEADER_SIZE = len(WRAPPED_VERSION) + NONCE_SIZE
WRAPPED_SIZE = WRAPPED_HEADER_SIZE + userkeys.KEY_SIZE + 16


@dataclass(frozen=True)
class PasswordKeys:
    """What a new password gives: the record to store, and the key to wrap with now."""

    record: str
    wrapping_key: bytes


def is_record(stored: str) -> bool:
    """Whether `stored` is a P1 record (rather than a hash from before, or anything else)."""
    return isinstance(stored, str) and stored.startswith(RECORD_PREFIX)


def new_password_keys(password: str, parameters: KdfParameters | None = None) -> PasswordKeys:
    """A record for `password` under a new salt, with the current (or given) argon2id cost."""
    parameters = parameters or userkeys.current_kdf_parameters()
    salt = os.urandom(SALT_SIZE)
    verifier, wrapping_key = _expand(_stretch(password, salt, parameters))
    encoded = f"m={parameters.memory_cost},t={parameters.time_cost},p={parameters.parallelism}"
    record = f"{RECORD_PREFIX}{encoded}${_b64(salt)}${_b64(verifier)}"
    return PasswordKeys(record, wrapping_key)


def check_password(record: str, password: str) -> bytes | None:
    """The wrapping key when `password` is the record's, otherwise None.

    A record that cannot be read (damaged, tampered, out of bounds) matches no password.
    """
    try:
        parameters, salt, stored_verifier = _parse(record)
        verifier, wrapping_key = _expand(_stretch(password, salt, parameters))
    except (DecryptionError, ValueError, TypeError):
        return None
    return wrapping_key if hmac.compare_digest(verifier, stored_verifier) else None


def record_parameters(record: str) -> KdfParameters:
    """The argon2id cost a record was made with; DecryptionError if it is not a P1 record."""
    return _parse(record)[0]


def wrap_with_key(
    private_key: X25519PrivateKey, wrapping_key: bytes, *, context: bytes = b""
) -> bytes:
    """The private key as a W2 blob, under a record's wrapping key."""
    header = WRAPPED_VERSION + os.urandom(NONCE_SIZE)
    raw = userkeys.private_bytes(private_key)
    associated = header + as_bytes(context, "context")
    return header + _aead(wrapping_key).encrypt(header[len(WRAPPED_VERSION) :], raw, associated)


def unwrap_with_key(blob: bytes, wrapping_key: bytes, *, context: bytes = b"") -> X25519PrivateKey:
    """The private key inside a W2 blob; DecryptionError on a wrong key or any damage."""
    blob = as_bytes(blob, "wrapped key")
    if not blob.startswith(WRAPPED_VERSION) or len(blob) != WRAPPED_SIZE:
        raise DecryptionError("not a W2 wrapped key")
    header = blob[:WRAPPED_HEADER_SIZE]
    try:
        raw = _aead(wrapping_key).decrypt(
            header[len(WRAPPED_VERSION) :],
            blob[WRAPPED_HEADER_SIZE:],
            header + as_bytes(context, "context"),
        )
    except InvalidTag:
        raise DecryptionError("wrong key or damaged blob") from None
    return X25519PrivateKey.from_private_bytes(raw)


def _aead(wrapping_key: bytes) -> AESGCM:
    if not isinstance(wrapping_key, bytes) or len(wrapping_key) != KEY_SIZE:
        raise ValueError("a wrapping key is 32 bytes")
    return AESGCM(wrapping_key)


def _stretch(password: str, salt: bytes, parameters: KdfParameters) -> bytes:
    """The one argon2id run: its output is only ever expanded, never stored."""
    return userkeys.argon2id_key(userkeys.encode_secret(password), salt, parameters)


def _expand(stretched: bytes) -> tuple[bytes, bytes]:
    """The verifier and the wrapping key: HKDF-SHA256 under two separate contexts."""
    return tuple(
        HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=context).derive(stretched)
        for context in (VERIFIER_CONTEXT, WRAPPING_CONTEXT)
    )


def _parse(record: str) -> tuple[KdfParameters, bytes, bytes]:
    found = _RECORD.fullmatch(record) if isinstance(record, str) else None
    if found is None:
        raise DecryptionError("not a P1 password record")
    memory, passes, lanes = (int(found.group(n)) for n in (1, 2, 3))
    try:
        parameters = KdfParameters(time_cost=passes, memory_cost=memory, parallelism=lanes)
        salt, verifier = _unb64(found.group(4)), _unb64(found.group(5))
    except (ValueError, binascii.Error):
        raise DecryptionError("damaged password record") from None
    if not parameters.within(userkeys.MAX_KDF_PARAMETERS):
        raise DecryptionError("KDF parameters beyond the allowed maximum")
    if len(salt) != SALT_SIZE or len(verifier) != VERIFIER_SIZE:
        raise DecryptionError("damaged password record")
    return parameters, salt, verifier


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
