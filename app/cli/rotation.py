"""Rotating the server keyring: a new key, every keyring blob re-encrypted, the old key retired.

Rows are visited in batches in id order; a blob already under the active key is left as it is,
so an interrupted rotation simply resumes where it stopped when run again.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from movements.app.core.db import database
from movements.app.core.models import (
    ContactField,
    ContactReveal,
    EndedConversation,
    EndedMessage,
    MailAddress,
    Message,
    PublicProfile,
    Report,
)
from movements.app.keys import vault
from movements.app.keys.contacts import field_context, reveal_context
from movements.app.keys.envelopes import is_keyring_blob
from movements.app.mail.addresses import SEALED_COLUMNS, sealed_context
from movements.app.matches.ended import copy_context, title_context
from movements.app.matches.rules import message_context
from movements.app.reports.rules import quoted_context
from movements.app.trust.profiles import link_context
from movements.crypto import associated_data

BATCH_SIZE = 500


@dataclass(frozen=True)
class Column:
    model: type
    name: str
    context: Callable


COLUMNS = [
    Column(ContactField, "sealed_value", field_context),
    Column(ContactReveal, "sealed_value", reveal_context),
    Column(Message, "for_activist", lambda row: message_context(row, "for_activist")),
    Column(Message, "for_provider", lambda row: message_context(row, "for_provider")),
    Column(EndedConversation, "sealed_title", title_context),
    Column(EndedMessage, "sealed", copy_context),
    # read by staff while the user is away, so these stay under the server keyring
    Column(PublicProfile, "sealed_link", link_context),
    Column(Report, "quoted", quoted_context),
    # e-mail addresses and the tokens of their links: mail goes out while their owners are away
    *(
        Column(MailAddress, name, lambda row, name=name: sealed_context(row.user_id, name))
        for name in SEALED_COLUMNS
    ),
]


def _batches(model) -> Iterator[list]:
    key = model._meta.primary_key
    last = None
    while True:
        query = model.select().order_by(key).limit(BATCH_SIZE)
        if last is not None:
            query = query.where(key > last)
        rows = list(query)
        if not rows:
            return
        yield rows
        last = getattr(rows[-1], key.name)


def keyring_blob_uses() -> Counter:
    """How many stored blobs each keyring key still opens."""
    uses: Counter = Counter()
    keyring = vault.keyring()
    for column in COLUMNS:
        for rows in _batches(column.model):
            for row in rows:
                blob = getattr(row, column.name)
                if is_keyring_blob(blob):
                    uses[keyring.key_id_of(bytes(blob))] += 1
    return uses


def total_rows() -> int:
    return sum(column.model.select().count() for column in COLUMNS)


def rotate(progress: Callable[[int], None] = lambda done: None) -> tuple[str, list[str]]:
    """Move every keyring blob to the active key (a new one unless resuming); retire the rest.

    Returns the active key id and the ids retired. `progress` is told how many rows are done.
    """
    keyring = vault.keyring()
    stale = {k for k in keyring_blob_uses() if k != keyring.active_key_id}
    if not stale:
        keyring.rotate()
    done = 0
    for column in COLUMNS:
        for rows in _batches(column.model):
            with database.atomic():
                for row in rows:
                    blob = getattr(row, column.name)
                    if is_keyring_blob(blob):
                        ad = associated_data(*column.context(row))
                        fresh = keyring.reencrypt(bytes(blob), ad)
                        if fresh != bytes(blob):
                            key = column.model._meta.primary_key
                            column.model.update({column.name: fresh}).where(
                                key == getattr(row, key.name)
                            ).execute()
            done += len(rows)
            progress(done)
    uses = keyring_blob_uses()
    retired = []
    for key_id in keyring.key_ids():
        if key_id != keyring.active_key_id and uses[key_id] == 0:
            keyring.retire(key_id, remaining_uses=0)
            retired.append(key_id)
    return keyring.active_key_id, retired
