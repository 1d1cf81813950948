"""A match: the private space of two people working together, from first message to rating."""

import datetime
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError, fn

from movements.app.blocks.rules import has_blocked
from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, Match, Message, Rating, User, utcnow
from movements.app.keys.envelopes import Context, open_with, seal_to
from movements.app.matches import letters
from movements.app.notifications.rules import notify
from movements.app.trust.stars import recompute

MESSAGE_MAX = 5000


@dataclass(frozen=True)
class ShownMessage:
    id: int
    sender: str
    mine: bool
    text: str | None  # None: stored, but could not be decrypted (or removed)
    sent_on: object
    removed: bool = False  # by moderators
    sent_at: datetime.datetime | None = None  # UTC, from inside the sealed copy when it has it


def get_match_for(user: User | None, public_id: str) -> Match:
    """Only the two parties may know a match exists."""
    match = (
        Match.select(Match, HelpRequest)
        .join(HelpRequest)
        .where(Match.public_id == public_id)
        .first()
    )
    if match is None or user is None or user.id not in match.parties():
        raise NotFound
    return match


def _party(user: User, match: Match) -> None:
    if user.id not in match.parties():
        raise NotFound


def _link(match: Match) -> str:
    return f"/matches/{match.public_id}"


def message_context(message: Message, column: str) -> Context:
    return ("message", column, message.id)


def _reader_column(user: User, match: Match) -> str:
    return "for_activist" if user.id == match.activist_id else "for_provider"


def post_message(user: User, match: Match, text: str) -> Message:
    """Store a message sealed once to each party, so neither copy opens without its reader."""
    _party(user, match)
    if match.status == Match.CANCELLED:
        raise RuleViolation(_l("This match was cancelled; no more messages can be sent."))
    text = text.strip()
    if not text or len(text) > MESSAGE_MAX:
        raise RuleViolation(_l("A message has 1 to 5000 characters."))
    if has_blocked(match.other_party(user), user):
        raise RuleViolation(_l("The other side blocked you; you cannot send them messages."))
    now = utcnow()
    sealed = letters.seal_form(text, now)
    with database.atomic():
        message = Message.create(
            match=match, sender=user, for_activist=b"", for_provider=b"", sent_on=now.date()
        )
        message.for_activist = seal_to(
            match.activist, sealed, message_context(message, "for_activist")
        )
        message.for_provider = seal_to(
            match.provider, sealed, message_context(message, "for_provider")
        )
        message.save()
        notify(match.other_party(user), "message", _link(match), match.help_request.title)
    return message


def messages_of(user: User, match: Match, key: X25519PrivateKey | None) -> list[ShownMessage]:
    """The thread as this party reads it, opened with their own session key."""
    _party(user, match)
    column = _reader_column(user, match)
    rows = (
        Message.select(Message, User).join(User).where(Message.match == match).order_by(Message.id)
    )
    shown = []
    for row in rows:
        opened = (
            None
            if row.removed
            else open_with(key, getattr(row, column), message_context(row, column))
        )
        text, sent_at = (
            letters.read_form(opened, row.sent_on) if opened is not None else (None, None)
        )
        shown.append(
            ShownMessage(
                id=row.id,
                sender=row.sender.username,
                mine=row.sender_id == user.id,
                text=text,
                sent_on=row.sent_on,
                removed=row.removed,
                sent_at=sent_at,
            )
        )
    return shown


def mark_done(user: User, match: Match) -> None:
    """Each side says the work is done; when both have, the request is completed."""
    _party(user, match)
    if match.status != Match.OPEN:
        raise RuleViolation(_l("Only an open match can be marked done."))
    flag = Match.activist_done if user.id == match.activist_id else Match.provider_done
    with database.atomic():
        # one column at a time, so two sides pressing "done" together cannot undo each other
        Match.update({flag: True}).where(
            (Match.id == match.id) & (Match.status == Match.OPEN)
        ).execute()
        fresh = Match.get_by_id(match.id)
        match.activist_done, match.provider_done = fresh.activist_done, fresh.provider_done
        title = match.help_request.title
        both_done = match.activist_done and match.provider_done
        if both_done and _change_status(match, Match.OPEN, Match.COMPLETED):
            match.status = Match.COMPLETED
            HelpRequest.update(status=HelpRequest.COMPLETED).where(
                HelpRequest.id == match.help_request_id
            ).execute()
            for party in (match.activist, match.provider):
                notify(party, "match_completed", _link(match) + "#rate", title)
        elif not both_done:
            notify(match.other_party(user), "match_done", _link(match), title)


def _change_status(match: Match, expected: str, new: str) -> bool:
    changed = Match.update(status=new).where((Match.id == match.id) & (Match.status == expected))
    return changed.execute() == 1


def ensure_may_cancel(user: User, match: Match) -> None:
    """Either side may end an open match; the cancel page asks this before it is shown."""
    _party(user, match)
    if match.status != Match.OPEN:
        raise RuleViolation(_l("Only an open match can be cancelled."))


def cancel_match(user: User, match: Match, reason: str) -> None:
    """Either side may end a match; the request opens again for other offers."""
    ensure_may_cancel(user, match)
    with database.atomic():
        if not _change_status(match, Match.OPEN, Match.CANCELLED):
            raise RuleViolation(_l("Only an open match can be cancelled."))
        match.status = Match.CANCELLED
        match.cancel_reason = reason.strip()
        Match.update(cancel_reason=match.cancel_reason).where(Match.id == match.id).execute()
        HelpRequest.update(status=HelpRequest.OPEN).where(
            HelpRequest.id == match.help_request_id
        ).execute()
        notify(match.other_party(user), "match_cancelled", _link(match), match.help_request.title)


def has_rated(user: User, match: Match) -> bool:
    return Rating.select().where((Rating.match == match) & (Rating.rater == user)).exists()


def may_rate(user: User, match: Match) -> bool:
    return match.status == Match.COMPLETED and not has_rated(user, match)


def rate(user: User, match: Match, stars: int, comment: str) -> Rating:
    _party(user, match)
    if match.status != Match.COMPLETED:
        raise RuleViolation(_l("You can rate once both sides have marked the match done."))
    if not 1 <= stars <= 5:
        raise RuleViolation(_l("Choose 1 to 5 stars."))
    try:
        with database.atomic():
            rating = Rating.create(
                match=match,
                rater=user,
                ratee=match.other_party(user),
                stars=stars,
                comment=comment.strip(),
            )
            recompute(rating.ratee)  # a good rating is part of a track record, which earns stars
            notify(
                match.other_party(user),
                "rated",
                f"/users/{user.username}",
                match.help_request.title,
            )
    except IntegrityError:
        raise RuleViolation(_l("You have already rated this match.")) from None
    return rating


@dataclass(frozen=True)
class CommunityRating:
    average: float | None
    count: int


def community_rating(user: User) -> CommunityRating:
    row = (
        Rating.select(fn.AVG(Rating.stars).alias("average"), fn.COUNT(Rating.id).alias("count"))
        .where((Rating.ratee == user) & ~Rating.removed)
        .dicts()
        .get()
    )
    average = float(row["average"]) if row["count"] else None
    return CommunityRating(average, row["count"])


def recent_comments(user: User, limit: int = 10) -> list[Rating]:
    return list(
        Rating.select()
        .where((Rating.ratee == user) & ((Rating.comment != "") | Rating.removed))
        .order_by(Rating.id.desc())
        .limit(limit)
    )


def completed_matches_count(user: User) -> int:
    return (
        Match.select()
        .where(
            ((Match.activist == user) | (Match.provider == user))
            & (Match.status == Match.COMPLETED)
        )
        .count()
    )


def matches_of(user: User) -> list[Match]:
    return list(
        Match.select(Match, HelpRequest)
        .join(HelpRequest)
        .where((Match.activist == user) | (Match.provider == user))
        .order_by(Match.id.desc())
    )
