"""A match whose other side deleted their account, as the one who stays keeps it.

When an account is deleted its matches go with it (app/accounts/deletion.py). Before they go,
each person on the other side is given their own copy of the conversation: their sealed copy
of every message, moved unopened (the server cannot read it), and the request's title sealed
to them. Nothing else of the deleted person stays: no name, no contact details they revealed.
The copy keeps the match's address, so the notice and any bookmark still lead to it.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from movements.app.core.errors import NotFound
from movements.app.core.models import (
    EndedConversation,
    EndedMessage,
    HelpRequest,
    Match,
    Message,
    User,
)
from movements.app.keys.envelopes import (
    Context,
    is_keyring_blob,
    open_with,
    reseal_to_owner_key,
    seal_to,
)
from movements.app.matches import letters
from movements.app.matches.rules import ShownMessage, message_context
from movements.app.notifications.rules import notify


def title_context(conversation: EndedConversation) -> Context:
    return ("ended_conversation", "sealed_title", conversation.id)


def copy_context(row: EndedMessage) -> Context:
    """The context the copy was sealed under, as the message it was."""
    return message_context(Message(id=row.message_id), row.copy_of)


@dataclass(frozen=True)
class EndedMatch:
    public_id: str
    title: str | None  # None: could not be decrypted
    ended_on: object
    messages: list[ShownMessage]


def keep_for_counterparts(leaving: User) -> None:
    """Give each of the leaving user's counterparts their copy of the conversation, and tell
    them; the caller holds the deletion's transaction and deletes the matches after."""
    their_matches = (
        Match.select(Match, HelpRequest)
        .join(HelpRequest)
        .where((Match.activist == leaving) | (Match.provider == leaving))
        .order_by(Match.id)
    )
    for match in their_matches:
        owner = match.other_party(leaving)
        copy_of = "for_activist" if owner.id == match.activist_id else "for_provider"
        conversation = EndedConversation.create(
            public_id=match.public_id, owner=owner, sealed_title=b""
        )
        conversation.sealed_title = seal_to(
            owner, match.help_request.title, title_context(conversation)
        )
        conversation.save()
        for message in Message.select().where(Message.match == match).order_by(Message.id):
            sealed = bytes(getattr(message, copy_of))
            context = message_context(message, copy_of)
            if is_keyring_blob(sealed) and owner.public_key is not None:
                sealed = reseal_to_owner_key(owner, sealed, context) or b""
            EndedMessage.create(
                conversation=conversation,
                message_id=message.id,
                copy_of=copy_of,
                sealed=sealed,
                mine=message.sender_id == owner.id,
                sent_on=message.sent_on,
                removed=message.removed,
            )
        notify(owner, "match_ended_deleted", f"/matches/{match.public_id}")


def ended_for(user: User, public_id: str, key: X25519PrivateKey | None) -> EndedMatch:
    """The user's kept copy behind a match's address; to anyone else it is not there."""
    conversation = EndedConversation.get_or_none(
        (EndedConversation.public_id == public_id) & (EndedConversation.owner == user)
    )
    if conversation is None:
        raise NotFound
    return EndedMatch(
        public_id=conversation.public_id,
        title=open_with(key, conversation.sealed_title, title_context(conversation)),
        ended_on=conversation.ended_on,
        messages=[_shown(row, key) for row in conversation.messages.order_by(EndedMessage.id)],
    )


def _shown(row: EndedMessage, key: X25519PrivateKey | None) -> ShownMessage:
    opened = None if row.removed else open_with(key, row.sealed, copy_context(row))
    text, sent_at = letters.read_form(opened, row.sent_on) if opened is not None else (None, None)
    return ShownMessage(
        id=row.id,
        sender="",
        mine=row.mine,
        text=text,
        sent_on=row.sent_on,
        removed=row.removed,
        sent_at=sent_at,
    )


def ended_of(user: User, key: X25519PrivateKey | None) -> list[tuple[str, str | None]]:
    """The user's kept conversations, newest first: address and title."""
    rows = (
        EndedConversation.select()
        .where(EndedConversation.owner == user)
        .order_by(EndedConversation.id.desc())
    )
    return [(row.public_id, open_with(key, row.sealed_title, title_context(row))) for row in rows]
