"""Saved alerts, what they matched, and the private feed tokens.

An alert holds at most one value per filter, as the list of requests filters ("" is any). A
new request asks for the alerts whose filters admit it through one composite index, probing
each combination of its skills, country, languages and urgency (with "any") instead of reading
every alert; an alert's words are in AlertWord, one row per word, so they are found by index
too (app/alerts/matching.py).
"""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField

from movements.app.core.models.marketplace import (
    BaseModel,
    HelpRequest,
    User,
    new_public_id,
    today,
)

ANY = ""
WORD_MAX_LENGTH = 64


class Alert(BaseModel):
    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    owner = ForeignKeyField(User, backref="alerts", on_delete="CASCADE")
    name = CharField(max_length=60, default="")  # "" shows the filters instead
    skill = CharField(max_length=32, default=ANY)
    country = CharField(max_length=2, default=ANY)
    language = CharField(max_length=16, default=ANY)
    urgency = CharField(max_length=8, default=ANY)
    words = CharField(max_length=200, default="")  # as typed, to show and to search again
    word_count = IntegerField(default=0)  # of distinct AlertWord rows; 0 admits any text
    paused = BooleanField(default=False)
    created_on = DateField(default=today)

    class Meta:
        # every filter an equality or a short IN list: SQLite and PostgreSQL seek each
        # combination in this index rather than scanning the table; word_count and owner
        # complete it, so matching reads no alert row (bench/bench_alerts.py)
        indexes = (
            (("paused", "skill", "country", "language", "urgency", "word_count", "owner"), False),
        )


class AlertWord(BaseModel):
    """One word an alert's requests must contain, folded as app/alerts/words.py folds them."""

    alert = ForeignKeyField(Alert, backref="word_rows", on_delete="CASCADE")
    word = CharField(max_length=WORD_MAX_LENGTH)

    class Meta:
        indexes = ((("alert", "word"), True),)


class AlertMatch(BaseModel):
    """A request an alert matched, once: its feed, its count for the week, no second notice."""

    alert = ForeignKeyField(Alert, backref="matches", on_delete="CASCADE")
    help_request = ForeignKeyField(HelpRequest, backref="alert_matches", on_delete="CASCADE")
    matched_on = DateField(default=today)

    class Meta:
        table_name = "alert_match"
        indexes = ((("alert", "help_request"), True),)


class FeedToken(BaseModel):
    """The secret in a user's private feed addresses, kept only as its SHA-256 hash."""

    user = ForeignKeyField(User, primary_key=True, backref="feed_token", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_on = DateField(default=today)

    class Meta:
        table_name = "feed_token"


ALERT_TABLES = [Alert, AlertWord, AlertMatch, FeedToken]
