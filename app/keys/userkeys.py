"""Each account's X25519 key pair: made at sign-up, unwrapped at sign-in, sealed to the session.

The private key is stored only wrapped: under the wrapping key of the password's record (the
same argon2id run, 64 MiB, that checks the password: app/keys/passwords.py) and once under
each recovery code. At sign-in the unwrapped key is sealed under a key derived from the new
session's cookie token (crypto/session_keys.py) and stored with the session's row, so any
process serving the database opens it for the browser holding the cookie, a restart keeps it,
and deleting the row (sign-out, expiry, password change, deletion) ends it. A seized server
holds nothing that opens a signed-out user's contacts or messages.
"""

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

# A recovery code already carries 80 random bits; memory hardness would only slow sign-up.
RECOVERY_CODE_KDF = KdfParameters(time_cost=1, memory_cost=8 * 1024, parallelism=1)


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
