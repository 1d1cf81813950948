"""In-app notices: the only way the site tells people what happened (no e-mail)."""

from flask_babel import lazy_gettext as _l
from peewee import fn

from movements.app.core.models import Notification, User
from movements.app.core.prepared import Prepared, slot

MESSAGES = {
    "offer_received": _l("New offer of help on your request “%(subject)s”."),
    "offer_accepted": _l("Your offer on “%(subject)s” was accepted. A match is open."),
    "offer_declined": _l("Your offer on “%(subject)s” was declined."),
    "request_withdrawn": _l("The request “%(subject)s” was withdrawn."),
    "message": _l("New message in your match on “%(subject)s”."),
    "match_done": _l("The other side marked the match on “%(subject)s” as done."),
    "match_completed": _l("The match on “%(subject)s” is completed. You can rate it now."),
    "match_cancelled": _l("The match on “%(subject)s” was cancelled."),
    "rated": _l("You were rated for your match on “%(subject)s”."),
    "vouched": _l("%(subject)s vouched for you. This adds to your trust stars."),
    "report_dismissed": _l("Staff reviewed your report about “%(subject)s” and took no action."),
    "report_warned": _l("Staff reviewed your report about “%(subject)s” and warned the author."),
    "report_content_removed": _l(
        "Staff reviewed your report about “%(subject)s” and removed the content."
    ),
    "report_suspended": _l(
        "Staff reviewed your report about “%(subject)s” and suspended the account."
    ),
    "report_user_removed": _l(
        "Staff reviewed your report about “%(subject)s” and removed the account."
    ),
    "moderation_warning": _l("Moderators warned you: “%(subject)s”"),
    "moderation_removed_content": _l("Moderators removed something you posted: “%(subject)s”"),
    "moderation_suspended": _l("Moderators suspended your account: “%(subject)s”"),
    "moderation_removed": _l("Moderators removed your account: “%(subject)s”"),
    "invitation_received": _l("You are invited to offer help on “%(subject)s”."),
    "invitation_declined": _l("Your invitation on “%(subject)s” was declined."),
    # app/cli/purge.py: the subject is the date of deletion (YYYY-MM-DD)
    "account_expiring": _l(
        "Your account was unused for a long time and would have been deleted on %(subject)s. "
        "Signing in keeps it: there is nothing more to do."
    ),
}

PAGE_SIZE = 50


def notify(user: User, kind: str, link: str, subject: str = "") -> None:
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    Notification.create(user=user, kind=kind, link=link, subject=subject[:200])


def text_of(notification: Notification) -> str:
    return MESSAGES[notification.kind] % {"subject": notification.subject}


def recent_for(user: User) -> list[Notification]:
    return list(
        Notification.select()
        .where(Notification.user == user)
        .order_by(Notification.id.desc())
        .limit(PAGE_SIZE)
    )


def _unread_query(_shape):
    unread = (Notification.user == slot("user")) & ~Notification.read
    return Notification.select(fn.COUNT(Notification.id)).where(unread)


# asked on every page a signed-in user sees (the count beside "Notifications")
_UNREAD = Prepared(_unread_query)


def unread_count(user: User) -> int:
    ((count,),) = _UNREAD.rows(None, user=user.id)
    return count


def mark_all_read(user: User) -> None:
    Notification.update(read=True).where((Notification.user == user) & ~Notification.read).execute()
