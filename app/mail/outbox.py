"""Mail waiting to go: written in the request's own transaction, sent later by the sender.

Nothing here talks to an SMTP server, so no page ever waits for one. A user has at most one
notice waiting: news that comes while it waits is counted when it goes ("You have 3 new
notifications"), so a busy day is one e-mail, not thirty.
"""

import datetime

from peewee import JOIN

from movements.app.core.models import MailAddress, MailOutbox, User, utcnow
from movements.app.core.taxonomy import unpack
from movements.app.mail import settings
from movements.app.mail.choices import category_of

# every digest goes at this hour (UTC), the same for everyone, so it tells no one when
DIGEST_HOUR = 6
# a sender that took a row and vanished (a killed process) gives it back after this long
CLAIM = datetime.timedelta(minutes=10)
LONGEST_WAIT = datetime.timedelta(hours=1)


def next_digest_at(now: datetime.datetime) -> datetime.datetime:
    today_at = datetime.datetime.combine(now.date(), datetime.time(DIGEST_HOUR))
    return today_at if now < today_at else today_at + datetime.timedelta(days=1)


def queue_notice(user: User, kind: str) -> None:
    """After an in-app notification: a notice for a confirmed address that wants this kind.

    One query answers both questions (is there such an address, does a notice wait already),
    and the common case, a notice already waiting, writes nothing.
    """
    if not settings.enabled():
        return
    waiting = (MailOutbox.user == MailAddress.user) & (MailOutbox.kind == MailOutbox.NOTICE)
    address = (
        MailAddress.select(MailAddress.mode, MailAddress.kinds, MailOutbox.id.alias("waiting"))
        .join(MailOutbox, JOIN.LEFT_OUTER, on=waiting)
        .where((MailAddress.user == user) & MailAddress.confirmed)
        .dicts()
        .first()
    )
    if address is None or address["waiting"] or category_of(kind) not in unpack(address["kinds"]):
        return
    now = utcnow()
    due = next_digest_at(now) if address["mode"] == MailAddress.DIGEST else now
    MailOutbox.insert(user=user, kind=MailOutbox.NOTICE, due_at=due).on_conflict_ignore().execute()


def queue_confirmation(user: User) -> None:
    """The mail with the confirmation link, replacing one still waiting for an older address."""
    MailOutbox.delete().where(
        (MailOutbox.user == user) & (MailOutbox.kind == MailOutbox.CONFIRM)
    ).execute()
    MailOutbox.create(user=user, kind=MailOutbox.CONFIRM, due_at=utcnow())


def forget(user: User) -> None:
    """Nothing more goes to this user: their address is gone or no longer confirmed."""
    MailOutbox.delete().where(MailOutbox.user == user).execute()


def due(now: datetime.datetime, limit: int) -> list[MailOutbox]:
    """Mail whose time has come and which no other sender holds, oldest first."""
    free = MailOutbox.claimed_until.is_null() | (MailOutbox.claimed_until < now)
    return list(
        MailOutbox.select()
        .where((MailOutbox.due_at <= now) & free)
        .order_by(MailOutbox.due_at, MailOutbox.id)
        .limit(limit)
    )


def claim(row: MailOutbox, now: datetime.datetime) -> bool:
    """Take the row for this sender, so two senders (a server and a timer) never both send it."""
    free = MailOutbox.claimed_until.is_null() | (MailOutbox.claimed_until < now)
    taken = MailOutbox.update(claimed_until=now + CLAIM).where((MailOutbox.id == row.id) & free)
    return taken.execute() == 1


def sent(row: MailOutbox) -> None:
    MailOutbox.delete().where(MailOutbox.id == row.id).execute()


def postpone(row: MailOutbox, now: datetime.datetime, first_wait: float) -> None:
    """Back off after a failure: the first wait, doubled at each failure, at most an hour."""
    doubled = datetime.timedelta(seconds=first_wait) * 2 ** min(row.attempts, 20)
    wait = min(doubled, LONGEST_WAIT)
    MailOutbox.update(
        attempts=MailOutbox.attempts + 1, due_at=now + wait, claimed_until=None
    ).where(MailOutbox.id == row.id).execute()


def waiting() -> int:
    return MailOutbox.select().count()
