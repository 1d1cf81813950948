"""Moving an account from the server keyring to its own key pair, at its first sign-in after.

Everything addressed to the user (their contact fields, contact copies revealed to them, their
copy of each match message) that is still under the keyring is resealed to their public key.
"""

from movements.app.core.models import (
    ContactField,
    ContactReveal,
    EndedConversation,
    Match,
    Message,
    User,
)
from movements.app.keys.contacts import field_context, reveal_context
from movements.app.keys.envelopes import is_keyring_blob, reseal_to_owner_key
from movements.app.matches.ended import copy_context, title_context
from movements.app.matches.rules import message_context


def _reseal(reader: User, row, column: str, context) -> None:
    blob = getattr(row, column)
    if not is_keyring_blob(blob):
        return
    resealed = reseal_to_owner_key(reader, blob, context)
    if resealed is not None:
        setattr(row, column, resealed)
        row.save()


def reseal_addressed_to(user: User) -> None:
    """Reseal every keyring blob this user reads; the caller holds a transaction."""
    for row in ContactField.select().where(ContactField.user == user):
        _reseal(user, row, "sealed_value", field_context(row))
    their_matches = Match.select().where((Match.activist == user) | (Match.provider == user))
    for match in their_matches:
        reveals = (
            ContactReveal.select()
            .join(ContactField)
            .where((ContactReveal.match == match) & (ContactField.user != user))
        )
        for reveal in reveals:
            _reseal(user, reveal, "sealed_value", reveal_context(reveal))
        column = "for_activist" if user.id == match.activist_id else "for_provider"
        for message in Message.select().where(Message.match == match):
            _reseal(user, message, column, message_context(message, column))
    for conversation in EndedConversation.select().where(EndedConversation.owner == user):
        _reseal(user, conversation, "sealed_title", title_context(conversation))
        for copy in conversation.messages:
            _reseal(user, copy, "sealed", copy_context(copy))
