"""The marketplace's tables. Times are dates where a date is all a page shows."""

import datetime
import secrets

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)
from playhouse.sqlite_ext import FTS5Model, SearchField

from movements.app.core.db import database

PUBLIC_ID_BYTES = 9  # 12 URL-safe characters


def new_public_id() -> str:
    return secrets.token_urlsafe(PUBLIC_ID_BYTES)


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = database
        # save() writes only the fields changed on this object: a row read at the start of a
        # request must not put back, at its end, what another request changed meanwhile
        only_save_dirty = True


class User(BaseModel):
    ACTIVIST = "activist"
    PROVIDER = "provider"
    STAFF = "staff"  # moderators; made by the operator (`movements staff add`), never at sign-up

    username = CharField(max_length=32)
    username_key = CharField(max_length=128, unique=True)
    username_skeleton = CharField(max_length=256, unique=True)  # see app/core/names.py
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16)
    country = CharField(max_length=2, default="")
    bio = TextField(default="")
    skills = CharField(max_length=512, default=",")
    languages = CharField(max_length=512, default=",")
    # the language the site is shown in, chosen on /language ("" until chosen; see app/i18n.py)
    language = CharField(max_length=16, default="")
    trust_stars = IntegerField(default=0)
    # X25519 key pair; the private half only wrapped under the password (see app/keys/userkeys.py).
    # Both are empty for an account from before per-user keys, until its next sign-in.
    public_key = BlobField(null=True)
    wrapped_key = BlobField(null=True)
    # set by an operator's forced password reset: sealed data is gone, the user must be told
    keys_lost = BooleanField(default=False)
    joined_on = DateField(default=today)
    # the date (never the time) of the last sign-in: what account retention needs (app/cli/purge.py)
    active_on = DateField(default=today)
    # staff only: an admin (the operator's deputy) may also reinstate accounts
    admin = BooleanField(default=False)
    # a staff account's first password is printed on the operator's terminal; it must go
    must_change_password = BooleanField(default=False)
    # moderation (app/moderation): no sign-in before suspended_until, or ever after removal
    suspended_until = DateField(null=True)
    removed_on = DateField(null=True)
    moderation_reason = TextField(default="")

    @property
    def is_provider(self) -> bool:
        return self.role == self.PROVIDER

    @property
    def is_activist(self) -> bool:
        return self.role == self.ACTIVIST

    @property
    def is_staff(self) -> bool:
        return self.role == self.STAFF

    @property
    def is_admin(self) -> bool:
        return self.is_staff and self.admin


class RecoveryCode(BaseModel):
    user = ForeignKeyField(User, backref="recovery_codes", on_delete="CASCADE")
    code_hash = CharField(max_length=64, unique=True)
    wrapped_key = BlobField(null=True)  # the user's private key, wrapped under this code


class LoginSession(BaseModel):
    """A signed-in browser. Deleting the row signs that browser out, whatever its cookie says."""

    token_hash = CharField(max_length=64, primary_key=True)
    user = ForeignKeyField(User, backref="sessions", on_delete="CASCADE")
    expires_at = DateTimeField()
    idle_expires_at = DateTimeField()
    # the user's private key, sealed under a key only this session's cookie gives (app/keys)
    sealed_key = BlobField(null=True)


class ContactField(BaseModel):
    """An optional way to reach a user, encrypted at rest; see `app.contacts`."""

    user = ForeignKeyField(User, backref="contacts", on_delete="CASCADE")
    kind = CharField(max_length=16)
    sealed_value = BlobField()

    class Meta:
        indexes = ((("user", "kind"), True),)


class HelpRequest(BaseModel):
    OPEN, MATCHED, COMPLETED = "open", "matched", "completed"
    WITHDRAWN, EXPIRED, REMOVED = "withdrawn", "expired", "removed"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    author = ForeignKeyField(User, backref="requests", on_delete="CASCADE")
    title = CharField(max_length=200)
    description = TextField()
    # its skills and languages are rows of their own (app/core/models/facets.py)
    country = CharField(max_length=2)
    urgency = CharField(max_length=8)
    visibility = CharField(max_length=16)
    min_stars = IntegerField(default=0)
    status = CharField(max_length=16, default=OPEN, index=True)
    created_on = DateField(default=today, index=True)
    expires_on = DateField()

    class Meta:
        table_name = "help_request"


class SearchText(FTS5Model):
    """A full-text index of titles and descriptions (SQLite only; see app/core/fulltext.py)."""

    title = SearchField()
    description = SearchField()

    class Meta:
        database = database
        options = {"tokenize": "unicode61 remove_diacritics 2"}  # noqa: RUF012 -- peewee Meta


class RequestText(SearchText):
    """Full-text index of searchable requests: their words, and what they are filed under.

    `facets` holds a word for each skill, language, country and urgency (app/core/facets.py),
    so on SQLite one MATCH finds requests by any mix of filters and words, intersecting the
    index's lists instead of reading requests one by one.
    """

    facets = SearchField()

    class Meta:
        table_name = "help_request_text"


class Offer(BaseModel):
    PENDING, ACCEPTED, DECLINED, WITHDRAWN = "pending", "accepted", "declined", "withdrawn"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    help_request = ForeignKeyField(
        HelpRequest,
        column_name="request_id",
        object_id_name="help_request_id",
        backref="offers",
        on_delete="CASCADE",
    )
    provider = ForeignKeyField(User, backref="offers", on_delete="CASCADE")
    message = TextField()
    status = CharField(max_length=16, default=PENDING)
    created_on = DateField(default=today)

    class Meta:
        indexes = ((("help_request", "provider"), True),)


class Match(BaseModel):
    OPEN, COMPLETED, CANCELLED = "open", "completed", "cancelled"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    help_request = ForeignKeyField(
        HelpRequest,
        column_name="request_id",
        object_id_name="help_request_id",
        backref="matches",
        on_delete="CASCADE",
    )
    offer = ForeignKeyField(Offer, unique=True, on_delete="CASCADE")
    activist = ForeignKeyField(User, backref="matches_as_activist", on_delete="CASCADE")
    provider = ForeignKeyField(User, backref="matches_as_provider", on_delete="CASCADE")
    status = CharField(max_length=16, default=OPEN)
    activist_done = BooleanField(default=False)
    provider_done = BooleanField(default=False)
    cancel_reason = TextField(default="")
    created_on = DateField(default=today)

    def parties(self) -> tuple[int, int]:
        return (self.activist_id, self.provider_id)

    def other_party(self, user: User) -> User:
        return self.provider if user.id == self.activist_id else self.activist


class Message(BaseModel):
    """A private message, sealed once to each party; the server can read neither copy."""

    match = ForeignKeyField(Match, backref="messages", on_delete="CASCADE")
    sender = ForeignKeyField(User, backref="messages", on_delete="CASCADE")
    for_activist = BlobField()
    for_provider = BlobField()
    sent_on = DateField(default=today)
    removed = BooleanField(default=False)  # by moderators; both sealed copies are wiped


class ContactReveal(BaseModel):
    """One of a party's contact fields shown to the other side of one match, sealed to them."""

    match = ForeignKeyField(Match, backref="reveals", on_delete="CASCADE")
    contact = ForeignKeyField(ContactField, backref="reveals", on_delete="CASCADE")
    sealed_value = BlobField()

    class Meta:
        indexes = ((("match", "contact"), True),)


class Rating(BaseModel):
    # kept, without its match, when an account is deleted: see app/accounts/deletion.py
    match = ForeignKeyField(Match, backref="ratings", null=True, on_delete="SET NULL")
    rater = ForeignKeyField(User, backref="ratings_given", null=True, on_delete="SET NULL")
    ratee = ForeignKeyField(User, backref="ratings_received", on_delete="CASCADE")
    stars = IntegerField()
    comment = TextField(default="")
    rated_on = DateField(default=today)
    removed = BooleanField(default=False)  # by moderators; no longer counted or shown

    class Meta:
        indexes = ((("match", "rater"), True),)


class Notification(BaseModel):
    user = ForeignKeyField(User, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=32)
    link = CharField(max_length=128)
    subject = CharField(max_length=200, default="")
    created_on = DateField(default=today)
    read = BooleanField(default=False)


class SignInThrottle(BaseModel):
    """Failed sign-ins of one account, and until when it must wait; gone at the next success."""

    user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    failures = IntegerField(default=0)
    retry_after = DateTimeField(null=True)


class Budget(BaseModel):
    """A shared allowance per time window (sign-ups per minute...): the same for everyone."""

    name = CharField(max_length=32, primary_key=True)
    window_start = DateTimeField()
    used = IntegerField(default=0)


class MessageRate(BaseModel):
    """Messages one account sent in its current minute: one row, gone once the minute is over.

    Message rows keep only a date; the minute is counted here, in the database, so that every
    process serving the site enforces the same limit (app/web/throttle.py).
    """

    user = ForeignKeyField(User, primary_key=True, on_delete="CASCADE")
    window_start = DateTimeField(index=True)
    used = IntegerField(default=0)


MARKETPLACE_TABLES = [
    User,
    RecoveryCode,
    LoginSession,
    ContactField,
    HelpRequest,
    Offer,
    Match,
    Message,
    ContactReveal,
    Rating,
    Notification,
    SignInThrottle,
    Budget,
    MessageRate,
]
