"""Sealing a value to one user's public key, so only their private key opens it.

Each seal draws a fresh ephemeral X25519 key. The shared secret with the recipient's key
goes through HKDF-SHA256 (salt: both public keys; info: a label and the context) to give an
AES-256-GCM key. The plaintext is padded to 256-byte buckets first.

Sealed format "S1" (all sizes in bytes):

    0   2   b"S1"
    2   8   recipient key id: the first 8 bytes of SHA-256 of the recipient's public key
    10  32  ephemeral public key
    42  12  nonce, random
    54  n   AES-256-GCM ciphertext of the padded plaintext (n = 256, 512, ...)
    54+n 16 GCM tag

The GCM associated data is the 54-byte header followed by the context, which names where
the value lives and for whom (e.g. associated_data("contact", "value", row, "to", user)).
A blob moved to another row, column or user fails to open. The key is single-use, so the
nonce could be fixed; it is random anyway, so a repeated ephemeral key would still not
repeat a (key, nonce) pair.

The key id lets a blob sealed to someone else fail before any work, and tells the app which
of a user's keys a blob needs. It does link blobs to a recipient, which the rows they sit
in already do.
"""

import hashlib
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ._blob import as_bytes
from .errors import DecryptionError
from .padding import BUCKET_SIZE, pad, unpad

VERSION = b"S1"
KEY_ID_SIZE = 8
PUBLIC_KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
_KEY_ID_AT = len(VERSION)
_EPHEMERAL_AT = _KEY_ID_AT + KEY_ID_SIZE
_NONCE_AT = _EPHEMERAL_AT + PUBLIC_KEY_SIZE
HEADER_SIZE = _NONCE_AT + NONCE_SIZE

_HKDF_LABEL = b"movements-onion seal S1\x00"


def seal(plaintext: bytes, recipient_public: bytes, context: bytes) -> bytes:
    """Encrypt `plaintext` so that only the holder of `recipient_public`'s private key reads it."""
    return _seal_v1(
        plaintext,
        recipient_public,
        context,
        X25519PrivateKey.generate(),
        os.urandom(NONCE_SIZE),
    )


def open_sealed(blob: bytes, private_key: X25519PrivateKey, context: bytes) -> bytes:
    """The plaintext of a sealed blob, or DecryptionError (wrong user, context or any damage)."""
    blob = as_bytes(blob, "sealed blob")
    context = as_bytes(context, "context")
    if not blob.startswith(VERSION):
        raise DecryptionError("unknown format version")
    body = len(blob) - HEADER_SIZE - TAG_SIZE
    if body < BUCKET_SIZE or body % BUCKET_SIZE:
        raise DecryptionError("wrong length")
    recipient_public = private_key.public_key().public_bytes_raw()
    if blob[_KEY_ID_AT:_EPHEMERAL_AT] != key_id(recipient_public):
        raise DecryptionError("sealed to another key")
    ephemeral_public = blob[_EPHEMERAL_AT:_NONCE_AT]
    try:
        shared = private_key.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError:  # a low-order point gives an all-zero secret, which is refused
        raise DecryptionError("invalid ephemeral key") from None
    aead = AESGCM(_derive_key(shared, ephemeral_public, recipient_public, context))
    try:
        padded = aead.decrypt(
            blob[_NONCE_AT:HEADER_SIZE], blob[HEADER_SIZE:], blob[:HEADER_SIZE] + context
        )
    except InvalidTag:
        raise DecryptionError("authentication failed") from None
    return unpad(padded)


def key_id(public_key: bytes) -> bytes:
    """The 8-byte id a sealed blob carries for its recipient."""
    return hashlib.sha256(as_bytes(public_key, "public key")).digest()[:KEY_ID_SIZE]


def _seal_v1(
    plaintext: bytes,
    recipient_public: bytes,
    context: bytes,
    ephemeral: X25519PrivateKey,
    nonce: bytes,
) -> bytes:
    """The S1 format. Ephemeral key and nonce are arguments only for known-answer tests."""
    recipient_public = as_bytes(recipient_public, "recipient public key")
    context = as_bytes(context, "context")
    if len(recipient_public) != PUBLIC_KEY_SIZE:
        raise ValueError(f"a recipient public key is {PUBLIC_KEY_SIZE} bytes")
    ephemeral_public = ephemeral.public_key().public_bytes_raw()
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    header = VERSION + key_id(recipient_public) + ephemeral_public + nonce
    aead = AESGCM(_derive_key(shared, ephemeral_public, recipient_public, context))
    return header + aead.encrypt(nonce, pad(plaintext), header + context)


def _derive_key(
    shared: bytes, ephemeral_public: bytes, recipient_public: bytes, context: bytes
) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=ephemeral_public + recipient_public,
        info=_HKDF_LABEL + context,
    ).derive(shared)
