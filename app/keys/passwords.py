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

from movements.app.keys import wordlist
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
# Six codes of four words: each carries 4 × 12.9 = 51.7 random bits (at least 50 is the rule).
RECOVERY_CODE_COUNT = 6
RECOVERY_CODE_WORDS = 4
RECOVERY_CODE_MIN_BITS = 50

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
    """Six codes of four common English words, easy to copy by hand and to read back.

    A word code is checked only by unwrapping the key stored under it (app/keys/userkeys.py,
    argon2id), never by a fast hash: at 51.7 bits, a fast hash would let a copy of the
    database be searched for every user's codes at once.
    """
    words = wordlist.words()
    if RECOVERY_CODE_WORDS * wordlist.bits_per_word() < RECOVERY_CODE_MIN_BITS:
        raise RuntimeError("the word list is too short for recovery codes")
    return [
        " ".join(secrets.choice(words) for _ in range(RECOVERY_CODE_WORDS))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def normalise_word_code(code: str) -> str | None:
    """A typed word code in its one stored form (lower case, single spaces), whatever the
    case or the separators; None if it is not four words of the list."""
    typed = wordlist.WORD.findall(code.lower())
    if len(typed) != RECOVERY_CODE_WORDS or not set(typed) <= wordlist.known():
        return None
    return " ".join(typed)


def normalise_recovery_code(code: str) -> str:
    """An older code (before word codes): its hexadecimal digits, grouping and case aside."""
    return "".join(ch for ch in code.lower() if ch in "0123456789abcdef")


def recovery_code_hash(code: str) -> str:
    """How an older code is found. A fast hash is enough there: each carries 80 random bits."""
    return hashlib.sha256(normalise_recovery_code(code).encode()).hexdigest()
