"""Signed-in browsers, kept server-side so signing out really ends a session.

The cookie holds only a random token. The database holds its SHA-256, the user, two expiry
times and the user's private key sealed under a key derived from the token
(app/keys/userkeys.py): every process serving the database knows every session and opens its
key with the cookie the request carries, a restart keeps them all, and a row alone, without
its cookie, opens nothing. Deleting the row makes any copy of the cookie useless and takes the
sealed key with it.
"""

import datetime
import hashlib
import secrets
from functools import wraps

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask import current_app, flash, g, redirect, session
from flask_babel import gettext as _

from movements.app.core.models import LoginSession, User, utcnow
from movements.app.core.prepared import Prepared, slot
from movements.app.keys import userkeys
from movements.app.web.return_to import login_url

IDLE_REFRESH = datetime.timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(user: User, key: X25519PrivateKey | None) -> None:
    """Start a fresh session: a new token and a new CSRF secret, nothing carried over.

    The user's unwrapped private key is stored with the session, sealed under its token.
    Sessions that have expired meanwhile, anyone's, are deleted on the way.
    """
    session.clear()
    token = secrets.token_urlsafe(32)
    token_hash = _token_hash(token)
    now = utcnow()
    end_expired_sessions(now)
    LoginSession.create(
        token_hash=token_hash,
        user=user,
        expires_at=now + datetime.timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"]),
        idle_expires_at=now + _idle_timeout(),
        sealed_key=None if key is None else userkeys.seal_for_session(token, token_hash, user, key),
    )
    session["token"] = token
    g.user, g.user_key = user, key


def sign_out() -> None:
    token = session.get("token")
    if isinstance(token, str):
        LoginSession.delete().where(LoginSession.token_hash == _token_hash(token)).execute()
    session.clear()
    g.user, g.user_key = None, None


def sign_out_everywhere(user: User) -> None:
    LoginSession.delete().where(LoginSession.user == user).execute()
    session.clear()
    g.user, g.user_key = None, None


def end_expired_sessions(now: datetime.datetime) -> int:
    """Delete every session past its absolute or idle expiry, and its sealed key with it."""
    return (
        LoginSession.delete()
        .where((LoginSession.expires_at <= now) | (LoginSession.idle_expires_at <= now))
        .execute()
    )


def _idle_timeout() -> datetime.timedelta:
    return datetime.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


_USER_FIELDS = [field.name for field in User._meta.sorted_fields]

# asked on every request of a signed-in browser: plain rows, and the user built from them as
# peewee itself builds a model from a row (its general reader cost more than the query)
_SESSION = Prepared(
    lambda _shape: (
        LoginSession.select(
            LoginSession.expires_at,
            LoginSession.idle_expires_at,
            LoginSession.sealed_key,
            *User._meta.sorted_fields,
        )
        .join(User)
        .where(LoginSession.token_hash == slot("token_hash"))
    )
)


def _session_of(token_hash: str) -> tuple[datetime.datetime, datetime.datetime, bytes, User] | None:
    found = _SESSION.rows(None, token_hash=token_hash)
    if not found:
        return None
    expires_at, idle_expires_at, sealed_key, *user_values = found[0]
    user = User(__no_default__=1, **dict(zip(_USER_FIELDS, user_values, strict=True)))
    user._dirty.clear()
    return expires_at, idle_expires_at, sealed_key, user


def _this_session(token_hash: str):
    return LoginSession.token_hash == token_hash


def load_current_user() -> None:
    """Find the user behind this request's cookie, and open their key with it.

    A cookie whose session is gone or expired, or whose sealed key does not open (damaged,
    another session's, sealed before the user's key pair was replaced), signs the browser out
    and says so: without their key the user could not read their own data, so they sign in
    again to unwrap it. The session's row, if any is left, is deleted.
    """
    g.user, g.user_key = None, None
    token = session.get("token")
    if not token:
        return
    token_hash = _token_hash(token) if isinstance(token, str) else None
    found = _session_of(token_hash) if token_hash else None
    now = utcnow()
    live = found is not None and found[0] > now and found[1] > now
    key = None
    if live and found[3].public_key is not None:
        key = userkeys.open_for_session(token, token_hash, found[3], found[2])
        live = key is not None
    if not live:
        if found is not None:
            LoginSession.delete().where(_this_session(token_hash)).execute()
        session.clear()
        flash(_("You were signed out. Please sign in again."))
        return
    _expires_at, idle_expires_at, _sealed_key, user = found
    new_idle = now + _idle_timeout()
    if new_idle - idle_expires_at >= IDLE_REFRESH:
        LoginSession.update(idle_expires_at=new_idle).where(_this_session(token_hash)).execute()
    g.user, g.user_key = user, key


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(login_url())
        return view(*args, **kwargs)

    return wrapped
