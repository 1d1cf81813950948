"""Password hashing with argon2id, and the one-time recovery codes."""

import hashlib
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from movements.app.keys.argon2_pool import argon2_slot

# RFC 9106, second recommended option ("low memory"): t=3, m=64 MiB, p=4.
ARGON2_PARAMETERS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

PASSWORD_MIN, PASSWORD_MAX = 10, 128
RECOVERY_CODE_COUNT = 10

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
