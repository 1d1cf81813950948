"""Opt-in e-mail: the one address a user may give for notices, and the mail waiting to go.

The address is encrypted under the server keyring, not sealed to its owner: notices go out
while the owner is signed out, so the server must be able to read it (SECURITY.md says so).
"""

from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from movements.app.core.models.marketplace import BaseModel, User, today


class MailAddress(BaseModel):
    INSTANT, DIGEST = "instant", "digest"

    user = ForeignKeyField(User, unique=True, backref="mail_addresses", on_delete="CASCADE")
    sealed_address = BlobField()
    # the page's language when the address was given, for mail when the account has none
    language = CharField(max_length=16, default="en")
    mode = CharField(max_length=8, default=INSTANT)
    kinds = CharField(max_length=128, default=",")  # packed like taxonomy.pack
    confirmed = BooleanField(default=False)
    # The links in mail carry random tokens, found again by their SHA-256. Each token is also
    # kept under the server keyring, because the mail that carries it is written later, by
    # the sender; the confirmation token goes once it is used or expired.
    confirm_hash = CharField(max_length=64, null=True, unique=True)
    sealed_confirm = BlobField(null=True)
    confirm_sent_on = DateField(default=today)
    unsubscribe_hash = CharField(max_length=64, unique=True)
    sealed_unsubscribe = BlobField()

    class Meta:
        table_name = "mail_address"


class MailOutbox(BaseModel):
    """Mail to send: at most one of each kind per user, written when it is due, then deleted.

    A notice holds no text: the sender writes it from the database when it goes, so mail to an
    address removed or unconfirmed since is simply not sent.
    """

    CONFIRM, NOTICE = "confirm", "notice"

    user = ForeignKeyField(User, backref="mail_waiting", on_delete="CASCADE")
    kind = CharField(max_length=16)
    due_at = DateTimeField(index=True)
    attempts = IntegerField(default=0)
    # a sender that took the row; another leaves it alone until then (see app/mail/sender.py)
    claimed_until = DateTimeField(null=True)

    class Meta:
        table_name = "mail_outbox"
        indexes = ((("user", "kind"), True),)


MAIL_TABLES = [MailAddress, MailOutbox]
