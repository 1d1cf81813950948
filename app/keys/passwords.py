"""Passwords: one argon2id run checks one and yields its key-wrapping key; recovery codes.

A password is stored as a P1 record (movements.crypto.password_keys): its single argon2id
output gives both the verifier that checks it and the key that wraps the user's private key,
so a sign-in costs one argon2id run rather than two. Accounts from before keep an argon2id
hash (and a private key wrapped under its own argon2id run) until their next sign-in moves them
over (`needs_rehash`, app/accounts/rules.py).
"""

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from movements.app.keys.argon2_pool import argon2_slot
from movements.crypto import (
    PasswordKeys,
    check_password,
    current_kdf_parameters,
    is_record,
    new_password_keys,
    record_parameters,
)

PASSWORD_MIN, PASSWORD_MAX = 10, 128
RECOVERY_CODE_COUNT = 10

# reads the argon2id hashes of accounts from before P1 records; every one names its own cost
_legacy_hasher = PasswordHasher()
_dummy: list[str] = []


@dataclass(frozen=True)
class Checked:
    """A password found right, with the key it unwraps the private key with; None for a hash
    from before, whose private key is wrapped under an argon2id run of its own."""

    wrapping_key: bytes | None


def new_password(password: str) -> PasswordKeys:
    """A record for a new password (sign-up, a change, a reset) and its wrapping key."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValueError("password length out of bounds")
    with argon2_slot():
        return new_password_keys(password)


def check(stored: str, password: str) -> Checked | None:
    """The password against what an account stores, at the cost of one argon2id run."""
    if len(password) > PASSWORD_MAX:
        return None
    with argon2_slot():
        if is_record(stored):
            wrapping_key = check_password(stored, password)
            return Checked(wrapping_key) if wrapping_key is not None else None
        try:
            return Checked(None) if _legacy_hasher.verify(stored, password) else None
        except (VerificationError, InvalidHashError):
            return None


def needs_rehash(stored: str) -> bool:
    """A hash from before, or a record made with another cost than today's: the next sign-in
    replaces it (and rewraps the private key with it)."""
    return not is_record(stored) or record_parameters(stored) != current_kdf_parameters()


def dummy_record() -> str:
    """A record of nothing, checked when a username does not exist: the same one argon2id run
    as for a real account, so timing does not tell which names exist."""
    if not _dummy or needs_rehash(_dummy[0]):
        _dummy[:] = [new_password_keys(secrets.token_hex(16)).record]
    return _dummy[0]


def new_recovery_codes() -> list[str]:
    """Ten codes of 80 random bits each, grouped for reading aloud or writing down."""
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = secrets.token_hex(10)
        codes.append("-".join(raw[i : i + 5] for i in range(0, 20, 5)))
    return codes


def normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch in "0123456789abcdef")


def recovery_code_hash(code: str) -> str:
    """A fast hash is enough: each code carries 80 random bits, so guessing is hopeless."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
