"""Password hashing with argon2id, and the one-time recovery codes."""

import hashlib
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from movements.app.keys import wordlist
from movements.app.keys.argon2_pool import argon2_slot

# RFC 9106, second recommended option ("low memory"): t=3, m=64 MiB, p=4.
ARGON2_PARAMETERS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

PASSWORD_MIN, PASSWORD_MAX = 10, 128
# Six codes of four words: each carries 4 × 12.9 = 51.7 random bits (at least 50 is the rule).
RECOVERY_CODE_COUNT = 6
RECOVERY_CODE_WORDS = 4
RECOVERY_CODE_MIN_BITS = 50

_hasher = PasswordHasher(type=Type.ID, **ARGON2_PARAMETERS)
_dummy_hash: str | None = None


def use_parameters(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Swap the hasher's cost; tests call this to keep the suite fast."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(
        type=Type.ID, time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism
    )
    _dummy_hash = None


def dummy_hash() -> str:
    """A hash of nothing, verified against when a username does not exist."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_hex(16))
    return _dummy_hash


def hash_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValueError("password length out of bounds")
    with argon2_slot():
        return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > PASSWORD_MAX:
        return False
    try:
        with argon2_slot():
            return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


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
