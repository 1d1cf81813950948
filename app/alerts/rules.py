"""Saved alerts: the filters of a /requests page, kept to be told of new requests like them.

Only the owner ever reaches an alert: to anyone else it does not exist (NotFound). What an
alert matched is recorded by app/alerts/matching.py as requests are posted.
"""

import datetime
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import fn

from movements.app.alerts import words
from movements.app.core.db import database, is_sqlite
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Alert, AlertMatch, AlertWord, HelpRequest, User, today
from movements.app.core.taxonomy import SKILLS, URGENCIES, countries, languages
from movements.app.core.visibility import visible_to

MAX_ALERTS = 20  # per account
RECENT_DAYS = 7
NAME_MAX_LENGTH = 60


@dataclass
class AlertFilters:
    """What a /requests page filters by, one value each ("" is any), and its words."""

    skill: str = ""
    country: str = ""
    language: str = ""
    urgency: str = ""
    words: str = ""


def save_alert(owner: User, filters: AlertFilters) -> Alert:
    folded = words.terms(filters.words, words.ALERT_WORDS_MAX)
    if not (filters.skill or filters.country or filters.language or filters.urgency or folded):
        raise RuleViolation(_l("Choose at least one filter or some words first."))
    with database.atomic():
        if not is_sqlite():
            # two saves at once by one owner: the second waits here, then counts the first
            User.select(User.id).where(User.id == owner.id).for_update().first()
        if Alert.select().where(Alert.owner == owner).count() >= MAX_ALERTS:
            raise RuleViolation(
                _l(
                    "You have reached the limit of %(max)d alerts. Delete one first.",
                    max=MAX_ALERTS,
                )
            )
        alert = Alert.create(
            owner=owner,
            skill=filters.skill,
            country=filters.country,
            language=filters.language,
            urgency=filters.urgency,
            words=filters.words.strip() if folded else "",
            word_count=len(folded),
        )
        if folded:
            AlertWord.insert_many([{"alert": alert.id, "word": word} for word in folded]).execute()
    return alert


def get_own(user: User, public_id: str) -> Alert:
    alert = Alert.get_or_none((Alert.public_id == public_id) & (Alert.owner == user))
    if alert is None:
        raise NotFound
    return alert


def rename(user: User, alert: Alert, name: str) -> None:
    """A name of the owner's choosing; an empty one shows the filters again."""
    get_own(user, alert.public_id)
    alert.name = name.strip()[:NAME_MAX_LENGTH]
    alert.save()


def set_paused(user: User, alert: Alert, paused: bool) -> None:
    """A paused alert matches nothing until it is resumed; what it matched stays."""
    get_own(user, alert.public_id)
    alert.paused = paused
    alert.save()


def delete(user: User, alert: Alert) -> None:
    get_own(user, alert.public_id)
    alert.delete_instance(recursive=True)


def alerts_of(user: User) -> list[tuple[Alert, int]]:
    """The owner's alerts, newest first, each with how many requests it matched this week."""
    since = today() - datetime.timedelta(days=RECENT_DAYS - 1)
    recent = dict(
        AlertMatch.select(AlertMatch.alert, fn.COUNT(AlertMatch.id))
        .join(Alert)
        .where((Alert.owner == user) & (AlertMatch.matched_on >= since))
        .group_by(AlertMatch.alert)
        .tuples()
    )
    alerts = Alert.select().where(Alert.owner == user).order_by(Alert.id.desc())
    return [(alert, recent.get(alert.id, 0)) for alert in alerts]


def recent_matches(alert: Alert, limit: int) -> list[tuple[HelpRequest, datetime.date]]:
    """What the alert matched, newest first, as far as its owner may still see it."""
    rows = (
        HelpRequest.select(HelpRequest, AlertMatch.matched_on.alias("matched_on"))
        .join(AlertMatch)
        .where((AlertMatch.alert == alert) & visible_to(alert.owner))
        .order_by(AlertMatch.id.desc())
        .limit(limit)
        .objects()
    )
    return [(row, row.matched_on) for row in rows]


def describe(alert: Alert) -> str:
    """The alert's filters in the reader's language: "Legal · Iran · Persian · “lawyer”"."""
    parts = [
        SKILLS.get(alert.skill, ""),
        countries().get(alert.country, alert.country),
        languages().get(alert.language, alert.language),
        URGENCIES.get(alert.urgency, ""),
        f"“{alert.words}”" if alert.words else "",
    ]
    return " · ".join(str(part) for part in parts if part)


def title_of(alert: Alert) -> str:
    return alert.name or describe(alert)


def browse_arguments(alert: Alert) -> dict[str, str]:
    """The /requests query that shows what the alert looks for."""
    arguments = {
        "q": alert.words,
        "skill": alert.skill,
        "country": alert.country,
        "language": alert.language,
        "urgency": alert.urgency,
    }
    return {key: value for key, value in arguments.items() if value}
