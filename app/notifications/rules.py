"""In-app notices: how the site tells people what happened, and what opt-in e-mail is about.

Mail never goes out from here: a notification only puts a generic notice in the outbox, with
the caller's transaction when there is one, for the sender to deliver later (app/mail).
"""

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from peewee import Value, chunked, fn

from movements.app.core.models import Notification, User, today
from movements.app.core.prepared import Prepared, slot
from movements.app.mail.outbox import queue_notice
from movements.app.web.templating import isolate

MESSAGES = {
    "offer_received": _l("New offer of help on your request “%(subject)s”."),
    "offer_accepted": _l("Your offer on “%(subject)s” was accepted. A match is open."),
    "offer_declined": _l("Your offer on “%(subject)s” was declined."),
    "offer_withdrawn": _l("An offer on your request “%(subject)s” was withdrawn."),
    "offer_changed": _l("An offer on your request “%(subject)s” was changed."),
    "request_withdrawn": _l("The request “%(subject)s” was withdrawn."),
    "message": _l("New message in your match on “%(subject)s”."),
    "match_done": _l("The other side marked the match on “%(subject)s” as done."),
    "match_completed": _l("The match on “%(subject)s” is completed. You can rate it now."),
    "match_cancelled": _l("The match on “%(subject)s” was cancelled."),
    # no subject: the request's title may be the deleted person's words
    "match_ended_deleted": _l(
        "A match ended because the other account was deleted. Your copy of the conversation "
        "stays with you."
    ),
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
    # app/alerts: one of your saved alerts matched a new request; the subject is its title
    "alert_match": _l("A new request matches your alert: “%(subject)s”."),
    "story_proposed": _l(
        "A success story about “%(subject)s” waits for your approval. It stays private until then."
    ),
    "story_published": _l("Your success story about “%(subject)s” is published."),
    # app/cli/purge.py: the subject is the date of deletion (YYYY-MM-DD)
    "account_expiring": _l(
        "Your account was unused for a long time and would have been deleted on %(subject)s. "
        "Signing in keeps it: there is nothing more to do."
    ),
}

PAGE_SIZE = 50
BATCH = 1000  # users per statement: well under SQLite's limit of bound parameters


def notify(user: User, kind: str, link: str, subject: str = "") -> None:
    notify_many([user.id], kind, link, subject)


def notify_many(user_ids: Iterable[int], kind: str, link: str, subject: str = "") -> None:
    """The same notice to each of these users, in one INSERT ... SELECT per thousand of them
    (a new request can match thousands of saved alerts); `notify` is this for one user."""
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    user_ids = list(user_ids)
    columns = [
        Notification.user,
        Notification.kind,
        Notification.link,
        Notification.subject,
        Notification.created_on,
        Notification.read,
    ]
    for batch in chunked(user_ids, BATCH):
        rows = User.select(
            User.id, Value(kind), Value(link), Value(subject[:200]), Value(today()), Value(False)
        ).where(User.id.in_(batch))
        Notification.insert_from(rows, columns).execute()
    for user_id in user_ids:
        queue_notice(user_id, kind)


def text_of(notification: Notification) -> Markup:
    """The sentence in the reader's language, its subject (a title or a name someone typed) in
    <bdi>: a Persian title in an English sentence, or the reverse, cannot reorder its words."""
    return escape(str(MESSAGES[notification.kind])) % {"subject": isolate(notification.subject)}


def plain_text_of(notification: Notification) -> str:
    """The same sentence as plain text (a feed entry's title), the subject isolated with
    Unicode's first-strong isolate and its pop, the plain-text twins of <bdi>."""
    return str(MESSAGES[notification.kind]) % {"subject": f"\u2068{notification.subject}\u2069"}


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


def mark_read(user: User, notifications: list[Notification]) -> None:
    """Mark these notices read, once they have been shown to their user."""
    ids = [n.id for n in notifications if not n.read]
    if ids:
        Notification.update(read=True).where(
            (Notification.user == user) & Notification.id.in_(ids)
        ).execute()


def mark_read_about(user: User, link: str) -> None:
    """Opening the page a notice points to (a match) is reading it, also a notice that points
    to a part of it ("#rate")."""
    about = (Notification.link == link) | Notification.link.startswith(link + "#")
    Notification.update(read=True).where(
        (Notification.user == user) & about & ~Notification.read
    ).execute()


def unread_about(user: User, kind: str) -> list[Notification]:
    """The user's unread notices of one kind, one per page they point to, newest first."""
    rows = (
        Notification.select()
        .where((Notification.user == user) & (Notification.kind == kind) & ~Notification.read)
        .order_by(Notification.id.desc())
    )
    by_link = {}
    for row in rows:
        by_link.setdefault(row.link, row)
    return list(by_link.values())
