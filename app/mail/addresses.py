"""A user's one address for notices: given, confirmed by a link, changed, removed, unsubscribed.

Nothing but the confirmation goes to an address until its link is opened. A new or changed
address gets new link tokens, so a link in mail to the old address no longer acts on the new
one. Unsubscribing deletes the address; so does removing it, or deleting the account.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import MailAddress, MailOutbox, User, today
from movements.app.core.taxonomy import pack, unpack
from movements.app.keys import vault
from movements.app.mail import outbox, settings
from movements.app.mail.choices import CATEGORIES, MODES
from movements.app.mail.links import new_token, token_hash
from movements.app.mail.syntax import is_valid_address
from movements.app.web import throttle
from movements.crypto import associated_data

CONFIRM_DAYS = 3
INVALID_ADDRESS = _l("Enter an e-mail address such as name@example.org.")


@dataclass(frozen=True)
class AddressSettings:
    """What the owner, and only the owner, sees of their address."""

    address: str | None  # None: stored, but could not be decrypted
    mode: str
    kinds: list[str]
    confirmed: bool


SEALED_COLUMNS = ("sealed_address", "sealed_confirm", "sealed_unsubscribe")


def sealed_context(user_id: int, column: str) -> tuple[str | int, ...]:
    """What a value under the server keyring is bound to (and for key rotation)."""
    return ("mail_address", column, user_id)


def _seal(text: str, column: str, user_id: int) -> bytes:
    return vault.encrypt(text.encode(), associated_data(*sealed_context(user_id, column)))


def opened(row: MailAddress, column: str) -> str | None:
    blob = getattr(row, column)
    if blob is None:
        return None
    data = vault.decrypt(bytes(blob), associated_data(*sealed_context(row.user_id, column)))
    return data.decode() if data is not None else None


def _ensure_offered() -> None:
    """Without an SMTP server the option does not exist, for pages and rules alike."""
    if not settings.enabled():
        raise NotFound


def settings_of(user: User) -> AddressSettings | None:
    """Shown even when e-mail was turned off since, so a stored address can still be removed."""
    row = MailAddress.get_or_none(MailAddress.user == user)
    if row is None:
        return None
    return AddressSettings(
        opened(row, "sealed_address"), row.mode, unpack(row.kinds), row.confirmed
    )


def save(user: User, address: str, mode: str, kinds: list[str], language: str) -> bool:
    """Keep the address and the choices; True when a confirmation link is on its way.

    The same confirmed address only changes the choices. A new address, or an unconfirmed one
    given again, gets a fresh confirmation link, and nothing else is sent until it is opened.
    """
    _ensure_offered()
    address = address.strip()
    if not is_valid_address(address):
        raise RuleViolation(INVALID_ADDRESS)
    if mode not in MODES or not kinds or not set(kinds) <= set(CATEGORIES):
        raise RuleViolation(_l("Choose when to be told, and about at least one kind of news."))
    with database.atomic():
        row = MailAddress.get_or_none(MailAddress.user == user)
        if row is not None and row.confirmed and opened(row, "sealed_address") == address:
            MailAddress.update(mode=mode, kinds=pack(kinds)).where(
                MailAddress.id == row.id
            ).execute()
            return False
        throttle.spend_mail_confirmation()
        confirm, unsubscribe = new_token(), new_token()
        fields = {
            MailAddress.sealed_address: _seal(address, "sealed_address", user.id),
            MailAddress.language: language,
            MailAddress.mode: mode,
            MailAddress.kinds: pack(kinds),
            MailAddress.confirmed: False,
            MailAddress.confirm_hash: token_hash(confirm),
            MailAddress.sealed_confirm: _seal(confirm, "sealed_confirm", user.id),
            MailAddress.confirm_sent_on: today(),
            MailAddress.unsubscribe_hash: token_hash(unsubscribe),
            MailAddress.sealed_unsubscribe: _seal(unsubscribe, "sealed_unsubscribe", user.id),
        }
        # one statement, so a form sent twice at once leaves one row, not an error
        MailAddress.insert({MailAddress.user: user, **fields}).on_conflict(
            conflict_target=[MailAddress.user], update=fields
        ).execute()
        outbox.forget(user)
        outbox.queue_confirmation(user)
    return True


def remove(user: User) -> None:
    with database.atomic():
        MailAddress.delete().where(MailAddress.user == user).execute()
        outbox.forget(user)


def _by_confirm_link(token: str) -> MailAddress:
    digest = token_hash(token)
    row = MailAddress.get_or_none(MailAddress.confirm_hash == digest) if digest else None
    if row is None or (today() - row.confirm_sent_on).days > CONFIRM_DAYS:
        raise NotFound
    return row


def _by_unsubscribe_link(token: str) -> MailAddress:
    digest = token_hash(token)
    row = MailAddress.get_or_none(MailAddress.unsubscribe_hash == digest) if digest else None
    if row is None:
        raise NotFound
    return row


def check_confirm_link(token: str) -> None:
    """NotFound for a link that is tampered with, used, replaced or expired."""
    _ensure_offered()
    _by_confirm_link(token)


def confirm(token: str) -> None:
    _ensure_offered()
    with database.atomic():
        row = _by_confirm_link(token)
        MailAddress.update(confirmed=True, confirm_hash=None, sealed_confirm=None).where(
            MailAddress.id == row.id
        ).execute()
        MailOutbox.delete().where(
            (MailOutbox.user == row.user_id) & (MailOutbox.kind == MailOutbox.CONFIRM)
        ).execute()


def check_unsubscribe_link(token: str) -> None:
    """NotFound for a link that is tampered with, or whose address was changed or removed."""
    _by_unsubscribe_link(token)


def unsubscribe(token: str) -> None:
    """The address is deleted, not just silenced: the link works without signing in, and
    still works if the operator has turned e-mail off since."""
    with database.atomic():
        row = _by_unsubscribe_link(token)
        MailAddress.delete().where(MailAddress.id == row.id).execute()
        MailOutbox.delete().where(MailOutbox.user == row.user_id).execute()
