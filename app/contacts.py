"""A user's optional contact fields, encrypted, and which of them each match may see."""

from dataclasses import dataclass

from .db import database
from .models import ContactField, ContactReveal, Match, User
from .taxonomy import CONTACT_KINDS
from .vault import open_field, seal_field

CONTACT_VALUE_MAX = 200


@dataclass(frozen=True)
class Contact:
    id: int
    kind: str
    value: str | None  # None: stored, but could not be decrypted

    @property
    def label(self):
        return CONTACT_KINDS[self.kind]


def _row_key(user_id: int, kind: str) -> str:
    return f"{user_id}:{kind}"


def _open(row: ContactField) -> Contact:
    value = open_field(
        "contact_field", "sealed_value", _row_key(row.user_id, row.kind), row.sealed_value
    )
    return Contact(row.id, row.kind, value)


def contacts_of(user: User) -> list[Contact]:
    rows = ContactField.select().where(ContactField.user == user).order_by(ContactField.kind)
    return [_open(row) for row in rows]


def set_contact(user: User, kind: str, value: str) -> None:
    """Store, replace or (with an empty value) remove one contact field."""
    if kind not in CONTACT_KINDS or len(value) > CONTACT_VALUE_MAX:
        raise ValueError("invalid contact field")
    value = value.strip()
    with database.atomic():
        existing = ContactField.get_or_none(user=user, kind=kind)
        if not value:
            if existing:
                existing.delete_instance(recursive=True)
            return
        sealed = seal_field("contact_field", "sealed_value", _row_key(user.id, kind), value)
        if existing:
            existing.sealed_value = sealed
            existing.save()
        else:
            ContactField.create(user=user, kind=kind, sealed_value=sealed)


def revealed_ids(match: Match, owner: User) -> set[int]:
    query = (
        ContactReveal.select(ContactReveal.contact)
        .join(ContactField)
        .where((ContactReveal.match == match) & (ContactField.user == owner))
    )
    return {row.contact_id for row in query}


def set_revealed(match: Match, owner: User, contact_ids: set[int]) -> None:
    """Show exactly these of the owner's contact fields to the other party of the match."""
    own = {c.id for c in ContactField.select(ContactField.id).where(ContactField.user == owner)}
    wanted = contact_ids & own
    with database.atomic():
        current = revealed_ids(match, owner)
        if current - wanted:
            ContactReveal.delete().where(
                (ContactReveal.match == match) & ContactReveal.contact.in_(current - wanted)
            ).execute()
        for contact_id in wanted - current:
            ContactReveal.create(match=match, contact=contact_id)


def revealed_to_counterpart(match: Match, owner: User) -> list[Contact]:
    """The owner's fields that the other party of this match may read."""
    rows = (
        ContactField.select()
        .join(ContactReveal)
        .where((ContactReveal.match == match) & (ContactField.user == owner))
        .order_by(ContactField.kind)
    )
    return [_open(row) for row in rows]
