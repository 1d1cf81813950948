"""Success stories: a short public text about what a completed match achieved.

Either side proposes the text or rewrites it; it is published only once both have approved the
same text. Each change counts the version up and takes back the other side's approval, and an
approval names the version its author read, so nobody approves words they have not seen.
Either side may withdraw the story at any time, which deletes it. The activist appears as "an
activist in <the request's country>" unless they choose their username; the country is the
request's, which is public already. Staff may remove a story; that is in the staff log.
"""

import re

from flask_babel import lazy_gettext as _l

from movements.app.audit.chain import record
from movements.app.core.access import ensure_staff
from movements.app.core.db import database, is_sqlite
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, Match, Story, User, today
from movements.app.notifications.rules import notify

TEXT_MIN, TEXT_MAX = 20, 600
REASON_MAX = 500
PAGE_SIZE = 10  # ten stories of 600 characters stay well under the page weight in any script
# what contact details look like: an address or a handle (@), a link, a phone number
CONTACT_LIKE = re.compile(r"@|://|\bwww\.|\.onion\b|\bt\.me/|(?:\+?\d[\s().-]*){9,}", re.I)


def story_link(match: Match) -> str:
    return f"/matches/{match.public_id}/story"


def story_of(match: Match) -> Story | None:
    return Story.get_or_none(Story.match == match)


def _locked_story_of(match: Match) -> Story | None:
    """The story read inside the writing transaction, the two sides taking turns: SQLite's
    transactions take the write lock at BEGIN, and on PostgreSQL the match's row is locked, so
    two approvals at once both count and two first proposals do not both insert."""
    if not is_sqlite():
        Match.select(Match.id).where(Match.id == match.id).for_update().execute()
    return story_of(match)


def _ensure_completed_party(user: User, match: Match) -> None:
    if user.id not in match.parties():
        raise NotFound
    if match.status != Match.COMPLETED:
        raise RuleViolation(_l("A story can be written once both sides marked the match done."))


def _checked_text(text: str) -> str:
    text = (text or "").strip()
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        raise RuleViolation(_l("Write the story in 20 to 600 characters."))
    if CONTACT_LIKE.search(text):
        raise RuleViolation(
            _l("A story holds no contact details: no e-mail, handle, link or phone number.")
        )
    return text


def propose(user: User, match: Match, text: str, anonymous: bool | None = None) -> Story:
    """Write or rewrite the story; it waits for the other side, even if it was published.

    `anonymous` is the activist's choice of how they appear; the provider's answer is ignored.
    """
    _ensure_completed_party(user, match)
    text = _checked_text(text)
    is_activist = user.id == match.activist_id
    with database.atomic():
        story = _locked_story_of(match)
        if story is not None and story.status == Story.REMOVED:
            raise RuleViolation(_l("Moderators removed the story of this match."))
        if story is None:
            story = Story(match=match, version=0)
        story.text = text
        story.version += 1
        story.status, story.published_on = Story.DRAFT, None
        story.activist_approved, story.provider_approved = is_activist, not is_activist
        if is_activist and anonymous is not None:
            story.activist_anonymous = anonymous
        story.save()
        notify(
            match.other_party(user), "story_proposed", story_link(match), match.help_request.title
        )
    return story


def approve(user: User, match: Match, version: int, anonymous: bool | None = None) -> Story:
    """Approve the text of `version`; the second approval publishes it."""
    _ensure_completed_party(user, match)
    is_activist = user.id == match.activist_id
    with database.atomic():
        story = _locked_story_of(match)
        mine = "activist_approved" if is_activist else "provider_approved"
        if story is None or story.status != Story.DRAFT or getattr(story, mine):
            raise RuleViolation(_l("There is no story waiting for your approval."))
        if story.version != version:
            raise RuleViolation(_l("The story was changed meanwhile. Read it again."))
        setattr(story, mine, True)
        if is_activist and anonymous is not None:
            story.activist_anonymous = anonymous
        if story.activist_approved and story.provider_approved:
            story.status, story.published_on = Story.PUBLISHED, today()
            for party in (match.activist, match.provider):
                notify(party, "story_published", story_link(match), match.help_request.title)
        story.save()
    return story


def withdraw(user: User, match: Match) -> None:
    """Either side takes the story back, published or not: it is deleted."""
    if user.id not in match.parties():
        raise NotFound
    Story.delete().where((Story.match == match) & (Story.status != Story.REMOVED)).execute()


def _published():
    """Published stories with both sides and the request, neither side removed by staff."""
    activist, provider = User.alias(), User.alias()
    return (
        Story.select(Story, Match, HelpRequest, activist, provider)
        .join(Match)
        .join(HelpRequest)
        .switch(Match)
        .join(activist, on=(Match.activist == activist.id))
        .switch(Match)
        .join(provider, on=(Match.provider == provider.id))
        .where(
            (Story.status == Story.PUBLISHED)
            & activist.removed_on.is_null()
            & provider.removed_on.is_null()
        )
        .order_by(Story.published_on.desc(), Story.id.desc())
    )


def published_page(page: int) -> tuple[list[Story], bool]:
    """Newest first; whether an older page follows."""
    rows = list(_published().offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def latest(count: int = 3) -> list[Story]:
    return list(_published().limit(count))


def published_story(staff: User, public_id: str) -> Story:
    ensure_staff(staff)
    story = Story.get_or_none((Story.public_id == public_id) & (Story.status == Story.PUBLISHED))
    if story is None:
        raise NotFound
    return story


def remove(staff: User, story: Story, reason: str) -> None:
    """Staff take a story down; its words go, the match keeps a mark so it is not posted again."""
    ensure_staff(staff)
    reason = (reason or "").strip()
    if not 1 <= len(reason) <= REASON_MAX:
        what = _l("the reason for the staff log")
        raise RuleViolation(_l("Write %(what)s in 1 to 500 characters.", what=what))
    with database.atomic():
        taken = Story.update(status=Story.REMOVED, text="", published_on=None).where(
            (Story.id == story.id) & (Story.status != Story.REMOVED)
        )
        if taken.execute() != 1:
            raise NotFound
        # the words are not copied into the log, which is kept for ever
        record(staff, "story.removed", f"story:{story.public_id}", reason)
