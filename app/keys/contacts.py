"""A user's optional contact fields, sealed to them, and the copies they reveal to a match.

The server can open none of these: a field is sealed to its owner's public key, and each
revealed copy to the other party's. Reading needs the reader's unwrapped session key.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from movements.app.core.db import database
from movements.app.core.models import ContactField, ContactReveal, Match, User
from movements.app.core.taxonomy import CONTACT_KINDS
from movements.app.keys.envelopes import Context, open_with, seal_to

CONTACT_VALUE_MAX = 200


@dataclass(frozen=True)
class Contact:
    id: int
    kind: str
    value: str | None  # None: stored, but could not be decrypted

    @property
    def label(self):
        return CONTACT_KINDS[self.kind]


def field_context(row: ContactField) -> Context:
    return ("contact_field", "sealed_value", row.user_id, row.kind)


def reveal_context(reveal: ContactReveal) -> Context:
    return ("contact_reveal", "sealed_value", reveal.match_id, reveal.contact_id)


def contacts_of(user: User, key: X25519PrivateKey | None) -> list[Contact]:
    rows = ContactField.select().where(ContactField.user == user).order_by(ContactField.kind)
    return [
        Contact(row.id, row.kind, open_with(key, row.sealed_value, field_context(row)))
        for row in rows
    ]


def _counterpart_of(owner: User, match: Match) -> User:
    return match.other_party(owner)


def set_contact(user: User, kind: str, value: str) -> None:
    """Store, replace or (with an empty value) remove one field; revealed copies follow it."""
    if kind not in CONTACT_KINDS or len(value) > CONTACT_VALUE_MAX:
        raise ValueError("invalid contact field")
    value = value.strip()
    with database.atomic():
        row = ContactField.get_or_none(user=user, kind=kind)
        if not value:
            if row:
                row.delete_instance(recursive=True)
            return
        if row is None:
            row = ContactField(user=user, kind=kind)
        row.sealed_value = seal_to(user, value, ("contact_field", "sealed_value", user.id, kind))
        row.save()
        for reveal in ContactReveal.select().where(ContactReveal.contact == row):
            reveal.sealed_value = seal_to(
                _counterpart_of(user, reveal.match), value, reveal_context(reveal)
            )
            reveal.save()


def revealed_ids(match: Match, owner: User) -> set[int]:
    query = (
        ContactReveal.select(ContactReveal.contact)
        .join(ContactField)
        .where((ContactReveal.match == match) & (ContactField.user == owner))
    )
    return {row.contact_id for row in query}


def set_revealed(
    match: Match, owner: User, owner_key: X25519PrivateKey | None, contact_ids: set[int]
) -> None:
    """Show exactly these of the owner's fields to the other party, each sealed to them."""
    counterpart = _counterpart_of(owner, match)
    own = {c.id: c for c in contacts_of(owner, owner_key)}
    wanted = {i for i in contact_ids if i in own and own[i].value is not None}
    with database.atomic():
        current = revealed_ids(match, owner)
        if current - wanted:
            ContactReveal.delete().where(
                (ContactReveal.match == match) & ContactReveal.contact.in_(current - wanted)
            ).execute()
        for contact_id in wanted - current:
            reveal = ContactReveal(match=match, contact=contact_id)
            reveal.sealed_value = seal_to(
                counterpart, own[contact_id].value, reveal_context(reveal)
            )
            reveal.save(force_insert=True)


def revealed_to_counterpart(
    match: Match, owner: User, reader_key: X25519PrivateKey | None
) -> list[Contact]:
    """The owner's fields that the other party of this match may read, opened with their key."""
    rows = (
        ContactReveal.select(ContactReveal, ContactField)
        .join(ContactField)
        .where((ContactReveal.match == match) & (ContactField.user == owner))
        .order_by(ContactField.kind)
    )
    return [
        Contact(
            row.contact.id,
            row.contact.kind,
            open_with(reader_key, row.sealed_value, reveal_context(row)),
        )
        for row in rows
    ]
