"""Per-user X25519 key pairs, with the private key stored only wrapped by a secret.

The secret is the user's password, or one of their recovery codes (one wrapped copy each).
A wrapping key is derived from it with argon2id under its own random salt, separate from
the login hash, and the private key is encrypted with AES-256-GCM under it. Without the
secret, a seized database yields nothing but the public key.

Wrapped format "W1" (all sizes in bytes; integers big-endian):

    0   2   b"W1"
    2   4   argon2id time cost (passes)
    6   4   argon2id memory cost (KiB)
    10  4   argon2id parallelism (lanes)
    14  16  salt, random
    30  12  nonce, random
    42  48  AES-256-GCM ciphertext of the 32-byte private key, then the 16-byte tag

The GCM associated data is the 42-byte header followed by the caller's optional context.
The parameters travel in the blob, so raising `KDF_PARAMETERS` later leaves old blobs
readable; `needs_rewrap` tells the app to rewrap at the next sign-in. Argon2 is version
0x13. Parameters read from a blob are bounded (`MAX_KDF_PARAMETERS`), so a tampered blob
cannot make a sign-in allocate gigabytes.
"""

import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ._blob import as_bytes
from .argon2_helper import argon2id_raw
from .argon2_processes import argon2id_in_helper
from .errors import DecryptionError

VERSION = b"W1"
SALT_SIZE = 16
NONCE_SIZE = 12
KEY_SIZE = 32
TAG_SIZE = 16
ENCODED_KDF_SIZE = 12  # three big-endian 32-bit numbers: passes, KiB, lanes
_PARAMETERS_AT = len(VERSION)
_SALT_AT = _PARAMETERS_AT + ENCODED_KDF_SIZE
_NONCE_AT = _SALT_AT + SALT_SIZE
HEADER_SIZE = _NONCE_AT + NONCE_SIZE
WRAPPED_SIZE = HEADER_SIZE + KEY_SIZE + TAG_SIZE
MAX_SECRET_LENGTH = 1024  # characters; the app's own limits are lower, this bounds the KDF input


@dataclass(frozen=True)
class KdfParameters:
    """argon2id cost: passes, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int

    def __post_init__(self) -> None:
        for name in ("time_cost", "memory_cost", "parallelism"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer")
        if self.memory_cost < 8 * self.parallelism:
            raise ValueError("argon2 needs at least 8 KiB of memory per lane")

    def within(self, limit: "KdfParameters") -> bool:
        return (
            self.time_cost <= limit.time_cost
            and self.memory_cost <= limit.memory_cost
            and self.parallelism <= limit.parallelism
        )

    def encode(self) -> bytes:
        """The 12-byte header field that wrapped keys and backups carry."""
        return b"".join(
            value.to_bytes(4, "big")
            for value in (self.time_cost, self.memory_cost, self.parallelism)
        )

    @classmethod
    def decode(cls, field: bytes) -> "KdfParameters":
        """Parameters read from a stored header, refused beyond MAX_KDF_PARAMETERS, so a
        tampered file cannot make the reader spend unbounded time or memory."""
        if len(field) != ENCODED_KDF_SIZE:
            raise DecryptionError("wrong length of KDF parameters")
        values = [int.from_bytes(field[at : at + 4], "big") for at in range(0, 12, 4)]
        try:
            parameters = cls(*values)
        except ValueError:
            raise DecryptionError("invalid KDF parameters") from None
        if not parameters.within(MAX_KDF_PARAMETERS):
            raise DecryptionError("KDF parameters beyond the allowed maximum")
        return parameters


# RFC 9106 section 4, second recommended option ("low memory"): t=3, m=64 MiB, p=4.
KDF_PARAMETERS = KdfParameters(time_cost=3, memory_cost=64 * 1024, parallelism=4)
# The most a stored blob may ask for: 1 GiB, 10 passes, 16 lanes.
MAX_KDF_PARAMETERS = KdfParameters(time_cost=10, memory_cost=1024 * 1024, parallelism=16)

_current = KDF_PARAMETERS


def use_kdf_parameters(parameters: KdfParameters) -> KdfParameters:
    """Set the cost new wraps use and return the previous one.

    Production never calls this. Tests call it from a fixture to make wrapping cheap, and
    restore the returned value afterwards.
    """
    global _current
    if not isinstance(parameters, KdfParameters) or not parameters.within(MAX_KDF_PARAMETERS):
        raise ValueError("parameters out of bounds")
    previous, _current = _current, parameters
    return previous


def current_kdf_parameters() -> KdfParameters:
    return _current


def generate_keypair() -> tuple[X25519PrivateKey, bytes]:
    """A new private key and its 32-byte raw public key."""
    private_key = X25519PrivateKey.generate()
    return private_key, public_bytes(private_key)


def public_bytes(private_key: X25519PrivateKey) -> bytes:
    """The 32-byte raw public key, what `sealing.seal` takes and the database stores."""
    return private_key.public_key().public_bytes_raw()


def private_bytes(private_key: X25519PrivateKey) -> bytes:
    """The 32 raw private bytes, for the in-memory session store and nothing else."""
    return private_key.private_bytes_raw()


def private_from_bytes(data: bytes) -> X25519PrivateKey:
    data = as_bytes(data, "private key")
    if len(data) != KEY_SIZE:
        raise ValueError(f"an X25519 private key is {KEY_SIZE} bytes")
    return X25519PrivateKey.from_private_bytes(data)


def wrap_private_key(
    private_key: X25519PrivateKey,
    secret: str,
    *,
    context: bytes = b"",
    parameters: KdfParameters | None = None,
) -> bytes:
    """Encrypt the private key under `secret` with the current (or the given) KDF parameters.

    `parameters` lets a caller spend less on a secret that is already long and random (a
    recovery code of 80 random bits gains nothing from 64 MiB of memory hardness).
    `context` (optional, e.g. associated_data("user", id, "password")) binds the blob to the
    slot it is stored in; unwrapping must pass the same context. The secret is used exactly as
    given, encoded as UTF-8, like the login hash, so whatever signs a user in also unwraps.
    A recovery code must be normalised the same way on wrapping and unwrapping.
    """
    return _wrap_v1(
        private_bytes(private_key),
        encode_secret(secret),
        parameters or _current,
        os.urandom(SALT_SIZE),
        os.urandom(NONCE_SIZE),
        as_bytes(context, "context"),
    )


def unwrap_private_key(blob: bytes, secret: str, *, context: bytes = b"") -> X25519PrivateKey:
    """The private key inside `blob`; DecryptionError on a wrong secret or any damage."""
    blob = as_bytes(blob, "wrapped key")
    context = as_bytes(context, "context")
    parameters = kdf_parameters_of(blob)
    try:
        secret_bytes = encode_secret(secret)
    except ValueError:
        raise DecryptionError("wrong secret") from None
    salt = blob[_SALT_AT:_NONCE_AT]
    nonce = blob[_NONCE_AT:HEADER_SIZE]
    wrapping_key = argon2id_key(secret_bytes, salt, parameters)
    try:
        raw = AESGCM(wrapping_key).decrypt(nonce, blob[HEADER_SIZE:], blob[:HEADER_SIZE] + context)
    except InvalidTag:
        raise DecryptionError("wrong secret or damaged blob") from None
    return X25519PrivateKey.from_private_bytes(raw)


def kdf_parameters_of(blob: bytes) -> KdfParameters:
    """The parameters a wrapped blob was made with; DecryptionError if it is not one."""
    blob = as_bytes(blob, "wrapped key")
    if not blob.startswith(VERSION):
        raise DecryptionError("unknown format version")
    if len(blob) != WRAPPED_SIZE:
        raise DecryptionError("wrong length")
    return KdfParameters.decode(blob[_PARAMETERS_AT:_SALT_AT])


def needs_rewrap(blob: bytes) -> bool:
    """True when a blob opens but was made with parameters other than the current ones."""
    return kdf_parameters_of(blob) != _current


def _wrap_v1(
    raw_private: bytes,
    secret: bytes,
    parameters: KdfParameters,
    salt: bytes,
    nonce: bytes,
    context: bytes,
) -> bytes:
    """The W1 format. Salt and nonce are arguments only so known-answer tests can pin bytes."""
    header = VERSION + parameters.encode() + salt + nonce
    wrapping_key = argon2id_key(secret, salt, parameters)
    return header + AESGCM(wrapping_key).encrypt(nonce, raw_private, header + context)


def argon2id_key(secret: bytes, salt: bytes, parameters: KdfParameters) -> bytes:
    """A 32-byte key stretched from a secret by one argon2id run with these parameters: in
    one of the argon2 helper processes when they run (crypto/argon2_processes.py)."""
    hashed = argon2id_in_helper(
        secret, salt, parameters.time_cost, parameters.memory_cost, parameters.parallelism
    )
    if hashed is not None:
        return hashed
    return argon2id_raw(
        secret, salt, parameters.time_cost, parameters.memory_cost, parameters.parallelism
    )


def encode_secret(secret: str) -> bytes:
    """A password or code as the bytes argon2id is given: UTF-8, length bounded."""
    if not isinstance(secret, str):
        raise TypeError("the secret must be a str")
    if not 1 <= len(secret) <= MAX_SECRET_LENGTH:
        raise ValueError(f"the secret must be 1 to {MAX_SECRET_LENGTH} characters")
    return secret.encode("utf-8")
