"""Deleting an account for good: what it wrote, what is about it, and its traces in the file.

`delete_account` is the one way an account goes, whether its holder asks (/account/delete)
or it expired unused (app/cli/purge.py). Most rows go by their foreign keys: a table that holds
something about a user declares `on_delete="CASCADE"`, or `"SET NULL"` when the row must
outlive the person (a report, which staff still need to read). What the keys cannot reach is
done here, step by step; an area whose data needs more than its foreign key adds a step.

What stays: each counterpart's own sealed copy of their conversations with the user, under
"a deleted account" (app/matches/ended.py); the stars of ratings the user gave, without their
name or words (see `_anonymise_ratings_given`); reports they filed or that name them, without
the link to the account; and the staff log, which is hash-chained and names people only by the
text it stored when staff acted (app/audit), so removing an entry would break the chain.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from movements.app.accounts.rules import password_matches
from movements.app.core import fulltext
from movements.app.core.db import database, is_sqlite
from movements.app.core.errors import RuleViolation
from movements.app.core.models import (
    HelpRequest,
    Match,
    Notification,
    Rating,
    RequestText,
    StandingOffer,
    User,
    Vouch,
)
from movements.app.keys import argon2_pool
from movements.app.matches import ended
from movements.app.notifications.rules import notify
from movements.app.trust.stars import recompute

# SQLite full-text tables: a delete leaves the words in the index until its segments merge.
FULL_TEXT_TABLES = ("help_request_text", "standing_offer_text")


@dataclass
class _Traces:
    """What other people's rows say about the user, gathered before the user's rows go."""

    help_request_ids: list[int] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    counterparts: set[int] = field(default_factory=set)


def delete_own_account(user: User, password: str) -> None:
    """The holder's own request: only with the password typed again, so a borrowed or stolen
    session cannot erase someone. Wrong guesses count as failed sign-ins (app/web/throttle.py)."""
    with argon2_pool.password_check_place():
        if not password_matches(user, password):
            raise RuleViolation(_l("That password is not right. Nothing was deleted."))
    delete_account(user)


def delete_account(user: User) -> None:
    """Delete the user and everything theirs or about them, then scrub the database file.

    The caller signs the browser out (app/accounts/sessions.sign_out_everywhere); every other
    session ends here: its row, with the key sealed to it, is deleted with the user.
    """
    with database.atomic():
        traces = _traces_of(user)
        _anonymise_ratings_given(user)
        _forget_notifications_about(traces)
        # each counterpart keeps their own sealed copy of the conversation, and is told
        ended.keep_for_counterparts(user)
        _reopen_requests_they_were_helping_with(user)
        # standing offers leave their index by a trigger (app/core/models/directory.py)
        fulltext.unindex(RequestText, traces.help_request_ids)
        user.delete_instance(recursive=True)
        # matches, vouches and ratings the others had with this user are gone: stars follow
        for other in User.select().where(User.id.in_(traces.counterparts)):
            recompute(other)
    scrub_database()


def _traces_of(user: User) -> _Traces:
    traces = _Traces()
    for help_request in HelpRequest.select().where(HelpRequest.author == user):
        traces.help_request_ids.append(help_request.id)
        traces.links.add(f"/requests/{help_request.public_id}")
        traces.subjects.add(help_request.title)
    matches = Match.select().where((Match.activist == user) | (Match.provider == user))
    for match in matches:
        traces.links.add(f"/matches/{match.public_id}")
        traces.links.add(f"/matches/{match.public_id}/story")  # app/stories
        traces.counterparts.update(match.parties())
    offers = StandingOffer.select(StandingOffer.title).where(StandingOffer.provider == user)
    traces.subjects.update(offer.title for offer in offers)
    traces.links.add(f"/users/{user.username}")
    traces.subjects.add(user.username)
    vouchees = Vouch.select(Vouch.vouchee).where(Vouch.voucher == user)
    traces.counterparts.update(vouch.vouchee_id for vouch in vouchees)
    traces.counterparts.discard(user.id)
    return traces


def _anonymise_ratings_given(user: User) -> None:
    """Keep the stars the user gave, drop their name and their words.

    The stars are part of the other person's record: deleting them would let anyone who
    rated someone badly erase that by leaving, and would quietly lower the track record
    behind an honest provider's trust stars. The rater's name is dropped (rater set NULL) and
    so is the comment, because a comment is free text and can identify its writer as surely
    as a name — to the person rated above all, who knows what happened between them. The
    match goes with the account, so the rating keeps neither (Rating.match is SET NULL).
    """
    Rating.update(rater=None, comment="").where(Rating.rater == user).execute()


def _forget_notifications_about(traces: _Traces) -> None:
    """Other people's notifications that name the user, their requests or their matches.

    A notification keeps a request's title or a username as its subject; left in place, it
    would keep the words of a deleted account. An unrelated notice that happens to share a
    title goes too: losing a notice is harmless, keeping the words is not.
    """
    Notification.delete().where(
        Notification.link.in_(traces.links) | Notification.subject.in_(traces.subjects)
    ).execute()


def _reopen_requests_they_were_helping_with(user: User) -> None:
    """An open match goes with its provider: the activist's request takes offers again."""
    open_matches = (
        Match.select(Match, HelpRequest)
        .join(HelpRequest)
        .where((Match.provider == user) & (Match.status == Match.OPEN))
    )
    for match in open_matches:
        help_request = match.help_request
        if help_request.author_id == user.id or help_request.status != HelpRequest.MATCHED:
            continue
        help_request.status = HelpRequest.OPEN
        help_request.save()
        notify(
            help_request.author,
            "match_cancelled",
            f"/requests/{help_request.public_id}",
            help_request.title,
        )


def scrub_database(*, vacuum: bool = False) -> bool:
    """Make what was deleted unreadable in the SQLite files; True if the WAL was emptied.

    `secure_delete` (app/core/db.py) already overwrites deleted rows with zeros. What it cannot
    reach is done here: full-text indexes are merged so deleted words leave their segments,
    and the WAL, which still holds earlier versions of changed pages, is checkpointed and
    truncated. VACUUM also rebuilds the file without free pages; it takes time in proportion
    to the whole database and blocks writers meanwhile, so the daily purge asks for it, and a
    deletion from a page does not. A checkpoint cannot finish while another connection reads
    an older snapshot; the next deletion or purge finishes it.
    """
    if not is_sqlite():
        return True
    for table in FULL_TEXT_TABLES:
        if database.table_exists(table):
            # fixed table names, never user input
            database.execute_sql(f"INSERT INTO {table}({table}) VALUES ('optimize')")  # noqa: S608
    if vacuum:
        database.execute_sql("VACUUM")
    busy, _log, _done = database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return busy == 0
