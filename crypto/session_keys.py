"""A signed-in user's private key, sealed under a key that only their session's cookie gives.

At sign-in the unwrapped private key is sealed here and the blob is stored with the session's
row in the database. Each request derives the sealing key again from the random token its
cookie carries, so any process serving the same database opens the key for the visitor
holding the cookie, and no process can open it for anyone else: the server keeps no key of its
own that opens a session's blob, in memory or on disk. A restart keeps every session.

The sealing key is HKDF-SHA256 of the cookie's token (at least 256 random bits; salt: the
server secret; info: a label and the context), used with AES-256-GCM. The server secret is
one every process serving an instance already shares, because it signs the cookie; mixing it
in means a copy of the database and a cookie, without the instance's key files, still opens
nothing (a leaked dump, a replica). The context names the session (its token's hash) and the
user (id and public key), so a blob copied to another session or user, or kept across a change
of the user's key pair, fails to open.

Format "C1" (sizes in bytes):

    0   2   b"C1"
    2   12  nonce, random
    14  32  AES-256-GCM ciphertext of the 32-byte private key
    46  16  GCM tag

The GCM associated data is the 14-byte header followed by the context. Every sealing key is
used once per sign-in; the nonce is random anyway.

What this does not protect: a process that serves a request holds the token and the private
key in clear while it does, so an adversary who reads a running server's memory gets the keys
of the requests in flight; and whoever holds the database, the server secret and a user's
cookie opens that user's key, exactly as the user's browser does.
"""

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ._blob import as_bytes
from .errors import DecryptionError

VERSION = b"C1"
NONCE_SIZE = 12
KEY_SIZE = 32
TAG_SIZE = 16
HEADER_SIZE = len(VERSION) + NONCE_SIZE
BLOB_SIZE = HEADER_SIZE + KEY_SIZE + TAG_SIZE
MIN_TOKEN_LENGTH = 32
MIN_SERVER_SECRET_SIZE = 32

_HKDF_LABEL = b"movements-onion session key C1\x00"


def seal_session_key(
    key_bytes: bytes, token: str, *, server_secret: bytes, context: bytes
) -> bytes:
    """Seal a 32-byte private key so that only `token` (with the server secret) opens it."""
    return _seal_c1(key_bytes, token, server_secret, context, os.urandom(NONCE_SIZE))


def open_session_key(blob: bytes, token: str, *, server_secret: bytes, context: bytes) -> bytes:
    """The private key sealed in `blob`, or DecryptionError (another token, context, secret or
    format, or any damage)."""
    blob = as_bytes(blob, "sealed session key")
    context = as_bytes(context, "context")
    if not blob.startswith(VERSION):
        raise DecryptionError("unknown format version")
    if len(blob) != BLOB_SIZE:
        raise DecryptionError("wrong length")
    aead = AESGCM(_derive_key(token, server_secret, context))
    try:
        return aead.decrypt(
            blob[len(VERSION) : HEADER_SIZE], blob[HEADER_SIZE:], blob[:HEADER_SIZE] + context
        )
    except InvalidTag:
        raise DecryptionError("authentication failed") from None


def _seal_c1(
    key_bytes: bytes, token: str, server_secret: bytes, context: bytes, nonce: bytes
) -> bytes:
    """The C1 format. The nonce is an argument only for known-answer tests."""
    key_bytes = as_bytes(key_bytes, "key bytes")
    context = as_bytes(context, "context")
    if len(key_bytes) != KEY_SIZE:
        raise ValueError(f"a private key is {KEY_SIZE} bytes")
    header = VERSION + nonce
    aead = AESGCM(_derive_key(token, server_secret, context))
    return header + aead.encrypt(nonce, key_bytes, header + context)


def _derive_key(token: str, server_secret: bytes, context: bytes) -> bytes:
    if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
        raise ValueError(f"a session token is a random string of at least {MIN_TOKEN_LENGTH} chars")
    server_secret = as_bytes(server_secret, "server secret")
    if len(server_secret) < MIN_SERVER_SECRET_SIZE:
        raise ValueError(f"a server secret is at least {MIN_SERVER_SECRET_SIZE} bytes")
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=server_secret, info=_HKDF_LABEL + context
    ).derive(token.encode("utf-8"))
