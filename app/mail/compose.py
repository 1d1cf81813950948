"""Writing one mail from the outbox, in its reader's language, when it is about to go.

A notice says how many notifications wait and links to the site: never a title, a name, a
message or a contact, so a mailbox read by someone else learns only that the person uses the
site. Every notice carries a link that deletes the address, also as `List-Unsubscribe` with
one-click `List-Unsubscribe-Post` (RFC 8058), which mail programs show as a button.
"""

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from movements.app.core.models import MailAddress, MailOutbox, Notification, User
from movements.app.core.taxonomy import unpack
from movements.app.mail.addresses import opened
from movements.app.mail.choices import KINDS_OF, NAMED_KINDS, OTHER
from movements.app.mail.links import confirm_url, notifications_url, unsubscribe_url
from movements.app.mail.settings import MailSettings
from movements.app.web.i18n import supported_code


def unread_count(user_id: int, categories: list[str]) -> int:
    """Unread notifications of the kinds the user asked to hear about."""
    wanted = [kind for category in categories for kind in KINDS_OF.get(category, ())]
    kinds = Notification.kind.in_(wanted)
    if OTHER in categories:
        kinds |= Notification.kind.not_in(NAMED_KINDS)
    unread = (Notification.user == user_id) & ~Notification.read & kinds
    return Notification.select().where(unread).count()


def _language(row: MailAddress) -> str:
    chosen = User.select(User.language).where(User.id == row.user_id).scalar()
    return supported_code(chosen) or supported_code(row.language) or "en"


def _notice_text(count: int, unsubscribe: str) -> tuple[str, str]:
    subject = _("New notifications on Movements")
    body = "\n\n".join(
        [
            ngettext(
                "You have %(num)d new notification on Movements.",
                "You have %(num)d new notifications on Movements.",
                count,
            ),
            _("Sign in to read them:") + "\n" + notifications_url(),
            _(
                "You get this e-mail because you asked for notices. To stop them and delete "
                "this address from the site, open:"
            )
            + "\n"
            + unsubscribe,
        ]
    )
    return subject, body


def _confirm_text(link: str) -> tuple[str, str]:
    subject = _("Confirm your address for Movements")
    body = "\n\n".join(
        [
            _("Someone, most likely you, asked for notices from Movements at this address."),
            _("To confirm it, open this link in the next few days:") + "\n" + link,
            _("If it was not you, ignore this e-mail: nothing more will come to this address."),
        ]
    )
    return subject, body


def compose(row: MailOutbox, mail: MailSettings) -> EmailMessage | None:
    """The mail for an outbox row, or None when there is nothing to send any more."""
    address_row = MailAddress.get_or_none(MailAddress.user == row.user_id)
    if address_row is None:
        return None
    address = opened(address_row, "sealed_address")
    unsubscribe = opened(address_row, "sealed_unsubscribe")
    if address is None or unsubscribe is None:
        return None
    language = _language(address_row)
    with force_locale(language):
        if row.kind == MailOutbox.CONFIRM:
            confirm = opened(address_row, "sealed_confirm")
            if address_row.confirmed or confirm is None:
                return None
            subject, body = _confirm_text(confirm_url(confirm))
        else:
            count = unread_count(row.user_id, unpack(address_row.kinds))
            if not address_row.confirmed or count == 0:
                return None
            subject, body = _notice_text(count, unsubscribe_url(unsubscribe))
    message = EmailMessage(policy=SMTP)
    message["From"] = mail.sender
    message["To"] = address
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    # named after the sender's domain, never this machine's host name
    message["Message-ID"] = make_msgid(domain=mail.sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    if row.kind == MailOutbox.NOTICE:
        message["List-Unsubscribe"] = f"<{unsubscribe_url(unsubscribe)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(body + "\n", charset="utf-8")
    # after the content: setting it clears every Content- header
    message["Content-Language"] = language.replace("_", "-")
    return message
