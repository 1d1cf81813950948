"""A public profile a user links for staff to confirm that they control it.

Changing or removing the link takes away a staff confirmation of the old one, since that
confirmation was about a different profile.
"""

from flask_babel import lazy_gettext as _l

from movements.app.audit.chain import SYSTEM, record
from movements.app.core.db import database
from movements.app.core.errors import RuleViolation
from movements.app.core.models import Evidence, PublicProfile, User
from movements.app.keys import vault
from movements.app.trust.stars import recompute
from movements.crypto import associated_data

LINK_MAX = 200


def link_context(row: PublicProfile) -> tuple[str | int, ...]:
    """Where a sealed link lives, bound into its ciphertext (and for key rotation)."""
    return ("public_profile", "sealed_link", row.user_id)


def link_of(user: User) -> str | None:
    row = PublicProfile.get_or_none(PublicProfile.user == user)
    if row is None:
        return None
    opened = vault.decrypt(bytes(row.sealed_link), associated_data(*link_context(row)))
    return opened.decode() if opened is not None else None


def _valid(link: str) -> bool:
    return (
        link.startswith(("https://", "http://"))
        and len(link) <= LINK_MAX
        and not any(ch.isspace() for ch in link)
    )


def set_link(user: User, link: str) -> None:
    """Store, replace or (with an empty link) remove the user's public profile link."""
    if user.is_staff:
        raise RuleViolation(_l("Staff accounts have no trust stars."))
    link = (link or "").strip()
    if link and not _valid(link):
        raise RuleViolation(_l("Give the full address of the profile, starting with https://."))
    if link == (link_of(user) or ""):
        return
    with database.atomic():
        PublicProfile.delete().where(PublicProfile.user == user).execute()
        if link:
            row = PublicProfile(user=user)
            row.sealed_link = vault.encrypt(link.encode(), associated_data(*link_context(row)))
            row.save()
        lapsed = (
            Evidence.delete()
            .where((Evidence.user == user) & (Evidence.kind == "public_profile"))
            .execute()
        )
        if lapsed:
            before = user.trust_stars
            recompute(user)
            record(
                SYSTEM,
                "evidence.lapsed",
                f"user:{user.username}",
                "the user changed the public profile staff had confirmed",
                f"public_profile; stars {before} → {user.trust_stars}",
            )
