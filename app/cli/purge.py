"""The daily clean-up: requests past their date expire, unused accounts are warned, then deleted.

"Unused" rests on one coarse fact, the date of the last sign-in (User.active_on): no time,
no count, no history. An account unused for ACCOUNT_RETENTION_DAYS is deleted, but only once
an in-app notice has waited ACCOUNT_PURGE_NOTICE_DAYS for its holder: whoever signs in in
that time keeps the account, since signing in moves the date. Staff accounts are left to the
operator, who creates and removes them (`movements staff ...`).

It also deletes what expires by the minute rather than the day: sessions past their expiry,
with the keys sealed to them, and counters whose window is over (`end_expired_state`).

Every function takes `today` or `now`, so tests choose the time and nothing here reads a clock.
"""

import datetime
from dataclasses import dataclass

from movements.app.accounts.deletion import delete_account, scrub_database
from movements.app.core import fulltext
from movements.app.core.db import database
from movements.app.core.models import HelpRequest, Notification, Offer, RequestText, User
from movements.app.web.sessions import end_expired_sessions
from movements.app.web.throttle import end_finished_windows

NOTICE = "account_expiring"  # its text is in app/notifications/rules.py


@dataclass(frozen=True)
class Retention:
    days: int
    notice_days: int

    def __post_init__(self) -> None:
        if not 1 <= self.notice_days < self.days:
            raise ValueError("the purge notice must come at least a day before retention ends")

    @classmethod
    def from_config(cls, config) -> "Retention":
        return cls(config["ACCOUNT_RETENTION_DAYS"], config["ACCOUNT_PURGE_NOTICE_DAYS"])


@dataclass(frozen=True)
class PurgeCounts:
    requests_expired: int
    notices_sent: int
    accounts_deleted: int
    wal_emptied: bool


def expire_requests(today: datetime.date) -> int:
    """Open requests past their date become "expired"; their pending offers are declined.

    The words leave the search index, as for a withdrawn request: an expired request is
    still shown to whoever has its link and may see it, but is no longer found by search.
    """
    with database.atomic():
        due = list(
            HelpRequest.select(HelpRequest.id).where(
                (HelpRequest.status == HelpRequest.OPEN) & (HelpRequest.expires_on < today)
            )
        )
        ids = [row.id for row in due]
        if not ids:
            return 0
        HelpRequest.update(status=HelpRequest.EXPIRED).where(HelpRequest.id.in_(ids)).execute()
        Offer.update(status=Offer.DECLINED).where(
            Offer.help_request.in_(ids) & (Offer.status == Offer.PENDING)
        ).execute()
        fulltext.unindex(RequestText, ids)
    return len(ids)


def _unused_since(cutoff: datetime.date) -> list[User]:
    """Accounts (not staff) whose last sign-in was on or before `cutoff`."""
    return list(User.select().where((User.role != User.STAFF) & (User.active_on <= cutoff)))


def _noticed_on(user: User) -> datetime.date | None:
    """The date of the notice sent since the last sign-in; a sign-in voids older ones."""
    notice = (
        Notification.select(Notification.created_on)
        .where(
            (Notification.user == user)
            & (Notification.kind == NOTICE)
            & (Notification.created_on > user.active_on)
        )
        .order_by(Notification.created_on.desc())
        .first()
    )
    return notice.created_on if notice else None


def deletion_date(user: User, retention: Retention, noticed_on: datetime.date) -> datetime.date:
    return max(
        user.active_on + datetime.timedelta(days=retention.days),
        noticed_on + datetime.timedelta(days=retention.notice_days),
    )


def send_notices(today: datetime.date, retention: Retention) -> int:
    """Warn every account that reaches retention within the notice period and was not warned."""
    cutoff = today - datetime.timedelta(days=retention.days - retention.notice_days)
    sent = 0
    for user in _unused_since(cutoff):
        if _noticed_on(user) is not None:
            continue
        # not notify(): the notice is dated by the injected clock, which purge decisions read
        Notification.create(
            user=user,
            kind=NOTICE,
            link="/account",
            subject=deletion_date(user, retention, today).isoformat(),
            created_on=today,
        )
        sent += 1
    return sent


def delete_expired_accounts(today: datetime.date, retention: Retention) -> int:
    """Delete accounts unused past retention whose notice has had its full time."""
    cutoff = today - datetime.timedelta(days=retention.days)
    deleted = 0
    for user in _unused_since(cutoff):
        noticed_on = _noticed_on(user)
        if noticed_on is None or deletion_date(user, retention, noticed_on) > today:
            continue
        delete_account(user)
        deleted += 1
    return deleted


def end_expired_state(now: datetime.datetime) -> int:
    """Expired sessions (and the keys sealed to them) and finished counters. Signing in and
    sending messages delete these as they go; this catches those nobody came back to."""
    return end_expired_sessions(now) + end_finished_windows(now)


def purge(today: datetime.date, retention: Retention) -> PurgeCounts:
    """All of the daily clean-up, then a VACUUM so the file keeps no free pages behind."""
    expired = expire_requests(today)
    deleted = delete_expired_accounts(today, retention)
    noticed = send_notices(today, retention)
    emptied = scrub_database(vacuum=True)
    return PurgeCounts(expired, noticed, deleted, emptied)
