"""Which saved alerts a request matches: asked once, when it is posted or changed.

The database finds them with indexed look-ups, never a reading of every alert: the request's
skills, country, languages and urgency (each with "any") are short IN lists on the alerts'
composite index, an alert's words are counted among the request's words through the
(alert, word) index, and the visibility rule joins each owner's account, so an alert only
ever announces a request its owner may open. bench/bench_alerts.py measures it with 100,000
alerts.
"""

from peewee import ModelSelect, Value, chunked, fn

from movements.app.alerts import words
from movements.app.core.models import (
    Alert,
    AlertMatch,
    AlertWord,
    Block,
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    User,
    codes_of,
    today,
)
from movements.app.core.models.alerts import ANY
from movements.app.core.visibility import is_open, visible_to_each_member
from movements.app.notifications.rules import notify_many

BATCH = 1000  # alerts per statement: well under SQLite's limit of bound parameters


def candidates(help_request: HelpRequest) -> ModelSelect:
    """(alert id, owner id) of each active alert that admits the request, for owners who may
    see it: not its author, not removed, not blocked by its author."""
    admits_words = Alert.word_count == 0
    text = words.terms(f"{help_request.title} {help_request.description}")
    if text:
        present = AlertWord.select(fn.COUNT(AlertWord.id)).where(
            (AlertWord.alert == Alert.id) & AlertWord.word.in_(text)
        )
        admits_words |= Alert.word_count == present
    blocked = Block.select(Block.blocked).where(Block.blocker == help_request.author_id)
    return (
        Alert.select(Alert.id, Alert.owner)
        .join(User, on=(Alert.owner == User.id))
        # the one request, so the visibility rule can be asked about every owner at once
        .join(HelpRequest, on=(HelpRequest.id == help_request.id))
        .where(
            (Alert.paused == False)  # noqa: E712 -- SQL "= 0", which seeks the index
            & Alert.skill.in_([ANY, *codes_of(HelpRequestSkill, help_request.id)])
            & Alert.country.in_([ANY, help_request.country])
            & Alert.language.in_([ANY, *codes_of(HelpRequestLanguage, help_request.id)])
            & Alert.urgency.in_([ANY, help_request.urgency])
            & admits_words
            & visible_to_each_member()
            & (User.id != help_request.author_id)
            & User.removed_on.is_null()
            & User.id.not_in(blocked)
        )
    )


def announce(help_request: HelpRequest) -> int:
    """Record each alert the request now matches and tell each owner once; how many were told.

    Called inside the transaction that posts or edits the request. An alert that matched it
    before (an edit) is not recorded twice, and an owner already told is not told again.
    """
    if not is_open(help_request):
        return 0
    earlier = dict(
        AlertMatch.select(AlertMatch.alert, Alert.owner)
        .join(Alert)
        .where(AlertMatch.help_request == help_request.id)
        .tuples()
    )
    found = candidates(help_request).tuples()
    new = [(alert, owner) for alert, owner in found if alert not in earlier]
    columns = [AlertMatch.alert, AlertMatch.help_request, AlertMatch.matched_on]
    for batch in chunked([alert for alert, _owner in new], BATCH):
        rows = Alert.select(Alert.id, Value(help_request.id), Value(today())).where(
            Alert.id.in_(batch)
        )
        AlertMatch.insert_from(rows, columns).on_conflict_ignore().execute()
    owners = {owner for _alert, owner in new} - set(earlier.values())
    link = f"/requests/{help_request.public_id}"
    notify_many(sorted(owners), "alert_match", link, help_request.title)
    return len(owners)
