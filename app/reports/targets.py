"""What a report can point at, written `kind:key`, and who may point at it.

A reporter may only report what they can see: a request visible to them, an offer on their
own request, a message in their own match (and not their own), a published rating, or a
user. Anything else, malformed or missing, is NotFound, so reports cannot probe for
existence.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from movements.app.core.errors import NotFound
from movements.app.core.members import find_member
from movements.app.core.models import HelpRequest, Match, Message, Offer, Rating, User
from movements.app.core.visibility import can_see
from movements.app.matches.rules import messages_of
from movements.app.web.ids import parse_id

KINDS = ("user", "request", "offer", "message", "rating")
KEY_MAX = 64


@dataclass(frozen=True)
class Target:
    kind: str
    key: str
    owner: User | None  # whose content it is; None for a rating whose author left
    title: str  # a short description the reporter recognises
    message_text: str | None = None  # a message's text as the reporter reads it

    @property
    def param(self) -> str:
        """As written in /report?target=..."""
        return f"{self.kind}:{self.key}"


def parse(raw: str | None) -> tuple[str, str]:
    kind, _, key = (raw or "").partition(":")
    if kind not in KINDS or not 0 < len(key) <= KEY_MAX:
        raise NotFound
    if kind in ("message", "rating") and parse_id(key) is None:
        raise NotFound
    return kind, key


def _user(reporter: User, key: str) -> Target:
    user = find_member(key)
    return Target("user", user.username, user, user.username)


def _request(reporter: User, key: str) -> Target:
    help_request = HelpRequest.get_or_none(HelpRequest.public_id == key)
    if help_request is None or not can_see(reporter, help_request):
        raise NotFound
    return Target("request", key, help_request.author, help_request.title)


def _offer(reporter: User, key: str) -> Target:
    """Only the request's author reads the offers made on it."""
    offer = Offer.get_or_none(Offer.public_id == key)
    if offer is None or offer.help_request.author_id != reporter.id:
        raise NotFound
    return Target("offer", key, offer.provider, offer.help_request.title)


def _message(reporter: User, key: str, reader_key: X25519PrivateKey | None) -> Target:
    message = Message.get_or_none(Message.id == int(key))
    if message is None or message.sender_id == reporter.id:
        raise NotFound
    match = Match.get_by_id(message.match_id)
    if reporter.id not in match.parties():
        raise NotFound
    shown = next(m for m in messages_of(reporter, match, reader_key) if m.id == message.id)
    return Target("message", key, message.sender, match.help_request.title, shown.text)


def _rating(reporter: User, key: str) -> Target:
    rating = Rating.get_or_none((Rating.id == int(key)) & ~Rating.removed)
    if rating is None:
        raise NotFound
    return Target("rating", key, rating.rater, rating.comment[:80])


def resolve(reporter: User, raw: str | None, reader_key: X25519PrivateKey | None) -> Target:
    kind, key = parse(raw)
    if kind == "message":
        return _message(reporter, key, reader_key)
    finders = {"user": _user, "request": _request, "offer": _offer, "rating": _rating}
    return finders[kind](reporter, key)
