"""Each account's X25519 key pair: made at sign-up, unwrapped at sign-in, held only in memory.

The private key is stored only wrapped: under the password (argon2id, 64 MiB) and once under
each recovery code. The unwrapped key lives in a per-process store for as long as the session,
so a seized server holds nothing that opens a signed-out user's contacts or messages.
"""

import secrets

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
    needs_rewrap,
    private_bytes,
    private_from_bytes,
    unwrap_private_key,
    wrap_private_key,
)

# A word code carries 51.7 random bits and is checked only through this key derivation, so it
# must be slow to guess offline: argon2id with OWASP's lowest recommended cost (19 MiB, 2 passes).
RECOVERY_CODE_KDF = KdfParameters(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# what a word code's row holds instead of a hash of the code: a random, unique marker
WORD_CODE_MARK = "words:"

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


def give_keys(user: User, password: str) -> X25519PrivateKey:
    """A new key pair for the user, wrapped under the password; the caller saves the user."""
    private, public = generate_keypair()
    user.public_key = public
    rewrap(user, private, password)
    return private


def rewrap(user: User, private: X25519PrivateKey, password: str) -> None:
    with argon2_slot():
        user.wrapped_key = wrap_private_key(private, password, context=_password_slot(user))


def store_recovery_codes(user: User, private: X25519PrivateKey, codes: list[str]) -> None:
    """Replace the user's recovery codes; each can later unwrap the private key once.

    A row keeps no hash of its word code, only a random marker: the code is recognised by the
    key it unwraps (`match_recovery_code`).
    """
    RecoveryCode.delete().where(RecoveryCode.user == user).execute()
    RecoveryCode.insert_many(
        [
            {
                "user": user,
                "code_hash": WORD_CODE_MARK + secrets.token_hex(16),
                "wrapped_key": wrap_private_key(
                    private,
                    _word_code(code),
                    context=_code_slot(user),
                    parameters=RECOVERY_CODE_KDF,
                ),
            }
            for code in codes
        ]
    ).execute()


def unlock_with_password(user: User, password: str) -> X25519PrivateKey | None:
    """The private key, rewrapped on the way if the stored cost is out of date."""
    try:
        with argon2_slot():
            private = unwrap_private_key(
                bytes(user.wrapped_key), password, context=_password_slot(user)
            )
    except DecryptionError:
        return None
    if needs_rewrap(bytes(user.wrapped_key)):
        rewrap(user, private, password)
        user.save()
    return private


def match_recovery_code(
    user: User, code: str
) -> tuple[RecoveryCode, X25519PrivateKey | None] | None:
    """The user's unspent code that `code` is, and the private key it unwraps; None if none.

    A word code is tried against each of the user's word-code rows (six at most) by unwrapping
    its key. An older hexadecimal code is found by its hash, as before; an account from before
    per-user keys has no key under it (None).
    """
    words = passwords.normalise_word_code(code)
    if words is not None:
        rows = RecoveryCode.select().where(
            (RecoveryCode.user == user)
            & RecoveryCode.code_hash.startswith(WORD_CODE_MARK)
            & RecoveryCode.wrapped_key.is_null(False)
        )
        with argon2_slot():
            for row in rows:
                try:
                    key = unwrap_private_key(
                        bytes(row.wrapped_key), words, context=_code_slot(user)
                    )
                except DecryptionError:
                    continue
                return row, key
        return None
    row = RecoveryCode.get_or_none(
        (RecoveryCode.user == user) & (RecoveryCode.code_hash == passwords.recovery_code_hash(code))
    )
    return (row, _unlock_with_old_code(user, row, code)) if row is not None else None


def _unlock_with_old_code(user: User, row: RecoveryCode, code: str) -> X25519PrivateKey | None:
    if row.wrapped_key is None:
        return None
    try:
        return unwrap_private_key(
            bytes(row.wrapped_key),
            passwords.normalise_recovery_code(code),
            context=_code_slot(user),
        )
    except DecryptionError:
        return None


def _word_code(code: str) -> str:
    words = passwords.normalise_word_code(code)
    if words is None:
        raise ValueError("not a word code")
    return words


def remember(token: str, user: User, private: X25519PrivateKey) -> None:
    _store[0].put(token, private_bytes(private), user_id=user.id)


def recall(token: str) -> X25519PrivateKey | None:
    held = _store[0].get(token)
    return private_from_bytes(held) if held is not None else None


def forget(token: str) -> None:
    _store[0].drop(token)


def forget_all(user: User) -> None:
    _store[0].drop_all_for(user.id)
