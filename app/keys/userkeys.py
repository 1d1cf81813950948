"""Each account's X25519 key pair: made at sign-up, unwrapped at sign-in, sealed to the session.

The private key is stored only wrapped: under the wrapping key of the password's record (the
same argon2id run, 64 MiB, that checks the password: app/keys/passwords.py) and once under
each recovery code. At sign-in the unwrapped key is sealed under a key derived from the new
session's cookie token (crypto/session_keys.py) and stored with the session's row, so any
process serving the database opens it for the browser holding the cookie, a restart keeps it,
and deleting the row (sign-out, expiry, password change, deletion) ends it. A seized server
holds nothing that opens a signed-out user's contacts or messages.
"""

import secrets

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask import current_app

from movements.app.core.models import RecoveryCode, User
from movements.app.keys import passwords
from movements.app.keys.argon2_pool import argon2_slot
from movements.crypto import (
    DecryptionError,
    KdfParameters,
    associated_data,
    generate_keypair,
    open_session_key,
    private_bytes,
    private_from_bytes,
    seal_session_key,
    unwrap_private_key,
    unwrap_with_key,
    wrap_private_key,
    wrap_with_key,
)

# A word code carries 51.7 random bits and is checked only through this key derivation, so it
# must be slow to guess offline: argon2id with OWASP's lowest recommended cost (19 MiB, 2 passes).
RECOVERY_CODE_KDF = KdfParameters(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# what a word code's row holds instead of a hash of the code: a random, unique marker
WORD_CODE_MARK = "words:"


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


def _session_slot(token_hash: str, user: User) -> bytes:
    """A session's sealed key is bound to that session, that user and their current key pair."""
    return associated_data(
        "login_session", "sealed_key", token_hash, user.id, bytes(user.public_key)
    )


def _server_secret() -> bytes:
    """The instance's secret key, which every process serving it shares: it signs the cookie."""
    secret = current_app.config["SECRET_KEY"]
    return secret.encode() if isinstance(secret, str) else secret


def seal_for_session(token: str, token_hash: str, user: User, private: X25519PrivateKey) -> bytes:
    """The private key as the session's row stores it: only this session's cookie opens it."""
    return seal_session_key(
        private_bytes(private),
        token,
        server_secret=_server_secret(),
        context=_session_slot(token_hash, user),
    )


def open_for_session(
    token: str, token_hash: str, user: User, sealed: bytes | None
) -> X25519PrivateKey | None:
    """The key a session's row holds, or None if it does not open: damaged, copied from
    another session or user, or sealed before the user's key pair was replaced."""
    if sealed is None or user.public_key is None:
        return None
    try:
        opened = open_session_key(
            bytes(sealed),
            token,
            server_secret=_server_secret(),
            context=_session_slot(token_hash, user),
        )
    except DecryptionError:
        return None
    return private_from_bytes(opened)
