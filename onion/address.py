"""Version 3 onion addresses (rend-spec-v3, "Encoding onion addresses").

An address is ``base32(PUBKEY || CHECKSUM || VERSION)``, 56 lowercase characters, where
``CHECKSUM = SHA3-256(".onion checksum" || PUBKEY || VERSION)[:2]`` and ``VERSION = 0x03``.
Deriving it ourselves lets the app know and print its address before tor is even running, and
lets tests check that tor publishes exactly the address the stored key implies.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from . import ed25519
from .errors import InvalidOnionAddress

VERSION = b"\x03"
ADDRESS_LENGTH = 56
_CHECKSUM_PREFIX = b".onion checksum"
_BASE32_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


def _checksum(public_key: bytes) -> bytes:
    return hashlib.sha3_256(_CHECKSUM_PREFIX + public_key + VERSION).digest()[:2]


def address_from_public_key(public_key: bytes) -> str:
    """Return the 56-character address (without ``.onion``) of a 32-byte ed25519 public key."""
    if len(public_key) != 32:
        raise InvalidOnionAddress("an ed25519 public key is 32 bytes")
    raw = public_key + _checksum(public_key) + VERSION
    return base64.b32encode(raw).decode("ascii").lower()


def normalize_address(text: str) -> str:
    """Return the bare 56-character address from ``text``, or raise InvalidOnionAddress.

    Accepts the address with or without ``.onion`` and in any letter case, because people paste
    addresses from many places; checks length, alphabet, version, checksum and that the key is a
    point of the prime-order subgroup (tor rejects addresses that fail any of these).
    """
    candidate = text.strip().lower()
    candidate = candidate.removesuffix(".onion")
    if len(candidate) != ADDRESS_LENGTH or not set(candidate) <= _BASE32_ALPHABET:
        raise InvalidOnionAddress(f"not a v3 onion address: {text!r}")
    try:
        raw = base64.b32decode(candidate.upper())
    except binascii.Error as exc:  # pragma: no cover - alphabet and length are checked above
        raise InvalidOnionAddress(f"not base32: {text!r}") from exc
    public_key, checksum, version = raw[:32], raw[32:34], raw[34:]
    if version != VERSION:
        raise InvalidOnionAddress(f"onion address version is not 3: {text!r}")
    if checksum != _checksum(public_key):
        raise InvalidOnionAddress(f"onion address checksum does not match: {text!r}")
    if not ed25519.is_valid_public_key(public_key):
        raise InvalidOnionAddress(f"onion address key is not a valid ed25519 key: {text!r}")
    return candidate


def is_valid_address(text: str) -> bool:
    """True if :func:`normalize_address` accepts ``text``."""
    try:
        normalize_address(text)
    except InvalidOnionAddress:
        return False
    return True


def public_key_from_address(text: str) -> bytes:
    """Return the 32-byte ed25519 public key an address encodes (after validating it)."""
    return base64.b32decode(normalize_address(text).upper())[:32]
