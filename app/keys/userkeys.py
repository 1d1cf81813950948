"""Each account's X25519 key pair: made at sign-up, unwrapped at sign-in, held only in memory.

The private key is stored only wrapped: under the wrapping key of the password's record (the
same argon2id run, 64 MiB, that checks the password: app/keys/passwords.py) and once under each
recovery code. The unwrapped key lives in a per-process store for as long as the session,
so a seized server holds nothing that opens a signed-out user's contacts or messages.
"""

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask import Flask

from movements.app.core.models import RecoveryCode, User
from movements.app.keys import passwords
from movements.app.keys.argon2_pool import argon2_slot
from movements.crypto import (
    DecryptionError,
    KdfParameters,
    SessionKeyStore,
    associated_data,
    generate_keypair,
    private_bytes,
    private_from_bytes,
    unwrap_private_key,
    unwrap_with_key,
    wrap_private_key,
    wrap_with_key,
)

# A recovery code already carries 80 random bits; memory hardness would only slow sign-up.
RECOVERY_CODE_KDF = KdfParameters(time_cost=1, memory_cost=8 * 1024, parallelism=1)

_store: list[SessionKeyStore] = []


def init_app(app: Flask) -> None:
    _store[:] = [
        SessionKeyStore(
            absolute_lifetime=app.config["SESSION_LIFETIME_HOURS"] * 3600,
            idle_lifetime=app.config["SESSION_IDLE_MINUTES"] * 60,
        )
    ]


def _password_slot(user: User) -> bytes:
    return associated_data("user", user.id, "wrapped_key")


def _code_slot(user: User) -> bytes:
    return associated_data("recovery_code", user.id, "wrapped_key")


def give_keys(user: User, wrapping_key: bytes) -> X25519PrivateKey:
    """A new key pair for the user, wrapped under their password's wrapping key; the caller
    saves the user."""
    private, public = generate_keypair()
    user.public_key = public
    rewrap(user, private, wrapping_key)
    return private


def rewrap(user: User, private: X25519PrivateKey, wrapping_key: bytes) -> None:
    user.wrapped_key = wrap_with_key(private, wrapping_key, context=_password_slot(user))


def store_recovery_codes(user: User, private: X25519PrivateKey, codes: list[str]) -> None:
    """Replace the user's recovery codes; each can later unwrap the private key once."""
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    RecoveryCode.insert_many(
        [
            {
                "user": user,
                "code_hash": passwords.recovery_code_hash(code),
                "wrapped_key": wrap_private_key(
                    private,
                    passwords.normalise_recovery_code(code),
                    context=_code_slot(user),
                    parameters=RECOVERY_CODE_KDF,
                ),
            }
            for code in codes
        ]
    ).execute()


def unlock(user: User, wrapping_key: bytes) -> X25519PrivateKey | None:
    """The private key, with the wrapping key the password's check gave."""
    try:
        return unwrap_with_key(bytes(user.wrapped_key), wrapping_key, context=_password_slot(user))
    except DecryptionError:
        return None


def unlock_from_before(user: User, password: str) -> X25519PrivateKey | None:
    """The private key of an account from before P1 records, wrapped under an argon2id run
    of its own: once, on the sign-in that moves the account over."""
    try:
        with argon2_slot():
            return unwrap_private_key(
                bytes(user.wrapped_key), password, context=_password_slot(user)
            )
    except DecryptionError:
        return None


def unlock_with_code(user: User, code_row: RecoveryCode, code: str) -> X25519PrivateKey | None:
    if code_row.wrapped_key is None:
        return None
    try:
        return unwrap_private_key(
            bytes(code_row.wrapped_key),
            passwords.normalise_recovery_code(code),
            context=_code_slot(user),
        )
    except DecryptionError:
        return None


def remember(token: str, user: User, private: X25519PrivateKey) -> None:
    _store[0].put(token, private_bytes(private), user_id=user.id)


def recall(token: str) -> X25519PrivateKey | None:
    held = _store[0].get(token)
    return private_from_bytes(held) if held is not None else None


def forget(token: str) -> None:
    _store[0].drop(token)


def forget_all(user: User) -> None:
    _store[0].drop_all_for(user.id)
