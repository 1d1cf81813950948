"""Signed-in browsers, kept server-side so signing out really ends a session.

The cookie holds only a random token; the database holds its SHA-256, the user and two
expiry times. Deleting the row makes any copy of the cookie useless.
"""

import datetime
import hashlib
import secrets
from functools import wraps

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask import current_app, g, redirect, session

from movements.app.core.models import LoginSession, User, utcnow
from movements.app.core.prepared import Prepared, slot
from movements.app.keys import userkeys
from movements.app.web.return_to import login_url

IDLE_REFRESH = datetime.timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(user: User, key: X25519PrivateKey | None) -> None:
    """Start a fresh session: a new token and a new CSRF secret, nothing carried over.

    The user's unwrapped private key is held in memory under the token for this session only.
    """
    session.clear()
    token = secrets.token_urlsafe(32)
    now = utcnow()
    LoginSession.create(
        token_hash=_token_hash(token),
        user=user,
        expires_at=now + datetime.timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"]),
        idle_expires_at=now + _idle_timeout(),
    )
    session["token"] = token
    if key is not None:
        userkeys.remember(token, user, key)
    g.user, g.user_key = user, key


def sign_out() -> None:
    token = session.get("token")
    if token:
        LoginSession.delete().where(LoginSession.token_hash == _token_hash(token)).execute()
        userkeys.forget(token)
    session.clear()
    g.user, g.user_key = None, None


def sign_out_everywhere(user: User) -> None:
    LoginSession.delete().where(LoginSession.user == user).execute()
    userkeys.forget_all(user)
    session.clear()
    g.user, g.user_key = None, None


def _idle_timeout() -> datetime.timedelta:
    return datetime.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


# asked on every request of a signed-in browser
_SESSION = Prepared(
    lambda _shape: LoginSession.select(LoginSession, User)
    .join(User)
    .where(LoginSession.token_hash == slot("token_hash"))
)


def load_current_user() -> None:
    """Find the user behind this request's cookie; expired sessions are removed on sight.

    A session whose key is no longer in memory (the process restarted) is ended too: without
    the key the user could not read their own data, so they sign in again to unwrap it.
    """
    g.user, g.user_key = None, None
    token = session.get("token")
    if not token:
        return
    found = _SESSION.objects(None, token_hash=_token_hash(token))
    row = found[0] if found else None
    now = utcnow()
    key = userkeys.recall(token)
    expired = row is None or row.expires_at <= now or row.idle_expires_at <= now
    if expired or (key is None and row.user.public_key is not None):
        if row is not None:
            row.delete_instance()
        userkeys.forget(token)
        session.clear()
        return
    new_idle = now + _idle_timeout()
    if new_idle - row.idle_expires_at >= IDLE_REFRESH:
        row.idle_expires_at = new_idle
        row.save()
    g.user, g.user_key = row.user, key


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(login_url())
        return view(*args, **kwargs)

    return wrapped
