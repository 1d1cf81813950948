"""The directory's tables: who opted in, what they offer in general, and who invited whom.

Only providers ever get rows here through the rules; the directory query checks the role
again, so a row written by hand for an activist still lists nobody.
"""

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from movements.app.core.db import database
from movements.app.core.models.marketplace import (
    BaseModel,
    HelpRequest,
    SearchText,
    User,
    new_public_id,
    today,
)


class Listing(BaseModel):
    """A provider's opt-in to the directory. No row: not listed. Paused: hidden, no invitations."""

    user = ForeignKeyField(User, unique=True, backref="listing", on_delete="CASCADE")
    paused = BooleanField(default=False)
    listed_on = DateField(default=today)


class StandingOffer(BaseModel):
    """Help a provider offers to anyone who fits, not tied to one request."""

    OPEN, CLOSED = "open", "closed"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    provider = ForeignKeyField(User, backref="standing_offers", on_delete="CASCADE")
    title = CharField(max_length=200)
    description = TextField()
    skills = CharField(max_length=512)
    languages = CharField(max_length=512)
    countries = CharField(max_length=1024)  # packed codes; "," with `everywhere`
    everywhere = BooleanField(default=False)
    capacity = IntegerField()  # open matches the provider can carry at once
    status = CharField(max_length=16, default=OPEN)
    created_on = DateField(default=today)
    expires_on = DateField(index=True)

    class Meta:
        table_name = "standing_offer"


class StandingOfferText(SearchText):
    """Full-text index of standing offers' titles and descriptions."""

    class Meta:
        table_name = "standing_offer_text"


class Invitation(BaseModel):
    """An activist asking one listed provider to look at one of their open requests.

    Whether it was answered is not stored: it was if the provider has an offer on the request.
    """

    PENDING, DECLINED = "pending", "declined"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    help_request = ForeignKeyField(
        HelpRequest,
        column_name="request_id",
        object_id_name="help_request_id",
        backref="invitations",
        on_delete="CASCADE",
    )
    activist = ForeignKeyField(User, backref="invitations_sent", on_delete="CASCADE")
    provider = ForeignKeyField(User, backref="invitations_received", on_delete="CASCADE")
    standing_offer = ForeignKeyField(
        StandingOffer, null=True, backref="invitations", on_delete="SET NULL"
    )
    # the activist's note, sealed once to each side like a match message (app/keys/envelopes.py)
    note_for_activist = BlobField(default=b"")
    note_for_provider = BlobField(default=b"")
    status = CharField(max_length=16, default=PENDING)
    created_on = DateField(default=today, index=True)

    class Meta:
        indexes = ((("help_request", "provider"), True),)


DIRECTORY_TABLES = [Listing, StandingOffer, Invitation]

# Deleting a standing offer (or the account behind it) must take its words out of the index
# too, so a deleted provider's text does not linger in the database file.
_UNINDEX_ON_DELETE = (
    "CREATE TRIGGER IF NOT EXISTS standing_offer_unindex AFTER DELETE ON standing_offer "
    "BEGIN DELETE FROM standing_offer_text WHERE rowid = old.id; END"
)


def create_search_index() -> None:
    """The SQLite-only full-text table and its clean-up trigger; safe to call on every start."""
    StandingOfferText.create_table(safe=True)
    database.execute_sql(_UNINDEX_ON_DELETE)
