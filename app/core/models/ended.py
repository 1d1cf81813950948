"""Conversations kept after the other side deleted their account.

Deleting an account deletes its matches (app/accounts/deletion.py); the person on the other
side keeps their own copy of each conversation here, exactly as it was sealed to them, and
nothing else of the deleted person: no name, no contact details, no request.
"""

from peewee import BlobField, BooleanField, CharField, DateField, ForeignKeyField, IntegerField

from movements.app.core.models.marketplace import BaseModel, User, today


class EndedConversation(BaseModel):
    # the match's own public id, so its address (in notices, in bookmarks) still leads here
    public_id = CharField(max_length=24, unique=True)
    owner = ForeignKeyField(User, backref="ended_conversations", on_delete="CASCADE")
    sealed_title = BlobField()  # the request's title, sealed to the owner
    ended_on = DateField(default=today)

    class Meta:
        table_name = "ended_conversation"


class EndedMessage(BaseModel):
    """The owner's sealed copy of one message, moved unopened: it stays bound to the message
    it was (`message_id`, `copy_of`), so it opens only as the copy it was."""

    conversation = ForeignKeyField(EndedConversation, backref="messages", on_delete="CASCADE")
    message_id = IntegerField()
    copy_of = CharField(max_length=16)  # "for_activist" or "for_provider"
    sealed = BlobField()
    mine = BooleanField()
    sent_on = DateField()
    removed = BooleanField(default=False)  # removed by moderators before the account went

    class Meta:
        table_name = "ended_message"


ENDED_TABLES = [EndedConversation, EndedMessage]
