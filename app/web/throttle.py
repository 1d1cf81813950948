"""Limits that work behind Tor, where every visitor arrives from the same address.

Nothing here keys on an address: sign-in delays key on the account, sign-ups share a global
budget, and posting keys on the poster's account (argon2's own pool is in app/keys/argon2_pool.py).
Every count lives in the database, so every process serving the site enforces one limit.
The clock is `now()`, which tests replace.
"""

import datetime
import math

from flask import current_app
from flask_babel import lazy_gettext as _l

from movements.app.core.db import database
from movements.app.core.models import (
    Budget,
    HelpRequest,
    MessageRate,
    Offer,
    SignInThrottle,
    User,
    utcnow,
)

FREE_SIGN_IN_FAILURES = 5
FIRST_DELAY = datetime.timedelta(seconds=30)
LONGEST_DELAY = datetime.timedelta(minutes=15)  # never longer: no one can be locked out for good


def now() -> datetime.datetime:
    return utcnow()


class Throttled(Exception):
    """Too many of something; the visitor may try again after `retry_after` seconds."""

    def __init__(self, message, retry_after: float):
        super().__init__(str(message))
        self.message = message
        self.retry_after = max(1, math.ceil(retry_after))


# --- sign-in: per account, growing delays, never a permanent lock ---------------------------


def count_attempt(user: User) -> None:
    """Count one password attempt on the account before the password is checked.

    Counted first and in one transaction, so guesses sent together cannot all be checked
    while the account should wait: each takes its turn on the account's row, and once the
    count reaches the free attempts the next delay starts. The right password clears the
    count afterwards (`sign_in_succeeded`). Refused attempts are not counted.
    """
    current = now()
    with database.atomic():
        SignInThrottle.insert(user=user).on_conflict_ignore().execute()
        # one statement, so on PostgreSQL too a second attempt waits for the first's row
        admitted = (
            SignInThrottle.update(failures=SignInThrottle.failures + 1)
            .where(
                (SignInThrottle.user == user)
                & (SignInThrottle.retry_after.is_null() | (SignInThrottle.retry_after <= current))
            )
            .execute()
        )
        row = SignInThrottle.get(SignInThrottle.user == user)
        if not admitted:
            wait = (row.retry_after - current).total_seconds()
            raise Throttled(_l("Too many wrong passwords for this account."), wait)
        if row.failures >= FREE_SIGN_IN_FAILURES:
            delay = FIRST_DELAY * 2 ** (row.failures - FREE_SIGN_IN_FAILURES)
            retry_after = current + min(delay, LONGEST_DELAY)
            SignInThrottle.update(retry_after=retry_after).where(
                SignInThrottle.user == user
            ).execute()


def sign_in_succeeded(user: User) -> None:
    SignInThrottle.delete().where(SignInThrottle.user == user).execute()


# --- counters over a window: sign-up budgets, messages per minute -----------------------------


def _count_one(model, key, limit: int, window: datetime.timedelta) -> float | None:
    """Count one use in `model`'s row for `key` if its window has room: None when counted,
    else the seconds until the window ends. `model` has `window_start` and `used` columns.

    Never a read followed by a write, which two processes could both pass on PostgreSQL: the
    row is made or locked by an upsert, then raised by UPDATEs whose conditions the database
    checks on the row as it is. On SQLite the transaction holds the write lock from its start.
    """
    current = now()
    mine = model._meta.primary_key == key
    with database.atomic():
        model.insert(
            {model._meta.primary_key: key, model.window_start: current, model.used: 0}
        ).on_conflict(
            conflict_target=[model._meta.primary_key], update={model.used: model.used}
        ).execute()
        model.update(window_start=current, used=0).where(
            mine & (model.window_start <= current - window)
        ).execute()
        if model.update(used=model.used + 1).where(mine & (model.used < limit)).execute():
            return None
        start = model.select(model.window_start).where(mine).scalar()
    return (start + window - current).total_seconds()


# --- sign-up: one budget shared by everyone, per minute and per hour --------------------------

LONGEST_BUDGET_WINDOW = datetime.timedelta(hours=1)


def _spend(name: str, limit: int, window: datetime.timedelta, message) -> None:
    wait = _count_one(Budget, name, limit, window)
    if wait is not None:
        raise Throttled(message, wait)


def spend_sign_up() -> None:
    config = current_app.config
    busy = _l("Many people are signing up right now.")
    _spend("signup-minute", config["SIGNUPS_PER_MINUTE"], datetime.timedelta(minutes=1), busy)
    _spend("signup-hour", config["SIGNUPS_PER_HOUR"], datetime.timedelta(hours=1), busy)


def spend_mail_confirmation() -> None:
    """Confirmation mails go to addresses nobody has confirmed yet: a budget for everyone
    together keeps the site from being used to send mail to strangers in bulk."""
    _spend(
        "mail-confirm-hour",
        current_app.config["MAIL_CONFIRMATIONS_PER_HOUR"],
        datetime.timedelta(hours=1),
        _l("Many confirmation e-mails were sent in the last hour."),
    )


# --- posting: per account -----------------------------------------------------------------------


def _seconds_to_midnight() -> float:
    current = now()
    midnight = datetime.datetime.combine(
        current.date() + datetime.timedelta(days=1), datetime.time()
    )
    return (midnight - current).total_seconds()


def check_requests_today(user: User) -> None:
    posted = (
        HelpRequest.select()
        .where((HelpRequest.author == user) & (HelpRequest.created_on == now().date()))
        .count()
    )
    if posted >= current_app.config["REQUESTS_PER_DAY"]:
        raise Throttled(
            _l("You have posted as many requests as allowed today."), _seconds_to_midnight()
        )


def check_offers_today(user: User) -> None:
    made = (
        Offer.select().where((Offer.provider == user) & (Offer.created_on == now().date())).count()
    )
    if made >= current_app.config["OFFERS_PER_DAY"]:
        raise Throttled(
            _l("You have made as many offers as allowed today."), _seconds_to_midnight()
        )


MESSAGE_WINDOW = datetime.timedelta(minutes=1)


def check_message_rate(user: User) -> None:
    """At most N messages a minute per account, the minute starting at its first message.

    Minutes that are over, the account's own and others', are deleted as it goes.
    """
    wait = _count_one(
        MessageRate, user.id, current_app.config["MESSAGES_PER_MINUTE"], MESSAGE_WINDOW
    )
    _finished_minutes(now()).execute()  # after the count's transaction, holding no lock
    if wait is not None:
        raise Throttled(_l("You are sending messages very fast."), wait)


def end_finished_windows(current: datetime.datetime) -> int:
    """Delete every counter whose window is over: it no longer limits anyone, and the time it
    started says when someone last wrote or signed up."""
    budgets = Budget.delete().where(Budget.window_start <= current - LONGEST_BUDGET_WINDOW)
    return _finished_minutes(current).execute() + budgets.execute()


def _finished_minutes(current: datetime.datetime):
    return MessageRate.delete().where(MessageRate.window_start <= current - MESSAGE_WINDOW)
