"""Private feed addresses: one random token per user, kept only as its hash.

A feed reader sends no cookie, so the secret is in the address: 256 bits from `secrets`, never
guessed. The database keeps its SHA-256 alone, so a copy of the database opens no feed; the
address is shown once, when it is made. Making a new one, or turning feeds off, ends the old
addresses at once. Any token asked about costs the same hash and one indexed look-up whatever
its shape, so a wrong, revoked or malformed one is answered alike and as fast: not found.
"""

import hashlib
import secrets

from movements.app.core.db import database
from movements.app.core.errors import NotFound
from movements.app.core.models import FeedToken, User

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def turn_on(user: User) -> str:
    """A new token for the user's feeds, replacing any earlier one; shown once, never kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with database.atomic():
        FeedToken.delete().where(FeedToken.user == user).execute()
        FeedToken.create(user=user, token_hash=_hash(token))
    return token


def turn_off(user: User) -> None:
    FeedToken.delete().where(FeedToken.user == user).execute()


def feeds_on(user: User | None) -> FeedToken | None:
    """The user's feed token row (its date, never the token), or None when feeds are off."""
    if user is None:
        return None
    return FeedToken.get_or_none(FeedToken.user == user)


def owner_of(token: str) -> User:
    """Whose feeds the token opens; NotFound for any token that opens none."""
    owner = (
        User.select()
        .join(FeedToken, on=(FeedToken.user == User.id))
        .where((FeedToken.token_hash == _hash(token)) & User.removed_on.is_null())
        .first()
    )
    if owner is None:
        raise NotFound
    return owner
