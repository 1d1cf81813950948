"""Signed-in browsers, kept server-side so signing out really ends a session.

The cookie holds only a random token; the database holds its SHA-256, the user and two
expiry times. Deleting the row makes any copy of the cookie useless.
"""

import datetime
import hashlib
import secrets
from functools import wraps

from flask import current_app, g, redirect, request, session, url_for

from ..models import LoginSession, User, utcnow

IDLE_REFRESH = datetime.timedelta(minutes=1)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(user: User) -> None:
    """Start a fresh session: a new token and a new CSRF secret, nothing carried over."""
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
    g.user = user


def sign_out() -> None:
    token = session.get("token")
    if token:
        LoginSession.delete().where(LoginSession.token_hash == _token_hash(token)).execute()
    session.clear()
    g.user = None


def sign_out_everywhere(user: User) -> None:
    LoginSession.delete().where(LoginSession.user == user).execute()
    session.clear()
    g.user = None


def _idle_timeout() -> datetime.timedelta:
    return datetime.timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def load_current_user() -> None:
    """Find the user behind this request's cookie; expired sessions are removed on sight."""
    g.user = None
    token = session.get("token")
    if not token:
        return
    row = (
        LoginSession.select(LoginSession, User)
        .join(User)
        .where(LoginSession.token_hash == _token_hash(token))
        .first()
    )
    now = utcnow()
    if row is None or row.expires_at <= now or row.idle_expires_at <= now:
        if row is not None:
            row.delete_instance()
        session.clear()
        return
    new_idle = now + _idle_timeout()
    if new_idle - row.idle_expires_at >= IDLE_REFRESH:
        row.idle_expires_at = new_idle
        row.save()
    g.user = row.user


def login_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if g.user is None:
            return redirect(url_for("accounts.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped
