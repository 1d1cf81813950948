"""Handling a report: dismiss it, warn the user, remove the content, suspend or remove the user.

Every outcome is one transaction: the change, the report closed, the staff log entry, and
the notifications, to the reporter always and to the reported user unless dismissed (a
dismissed report is never shown to the person reported, so it cannot provoke retaliation).
"""

import datetime

from flask_babel import lazy_gettext as _l

from movements.app.audit.chain import record
from movements.app.core.access import ensure_admin, ensure_member, ensure_staff
from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import (
    HelpRequest,
    LoginSession,
    Message,
    Offer,
    Rating,
    Report,
    User,
    today,
)
from movements.app.moderation import content
from movements.app.moderation.context import in_context
from movements.app.moderation.standing import is_suspended
from movements.app.notifications.rules import notify
from movements.app.trust.stars import recompute

OUTCOMES = {
    "dismiss": _l("Dismiss: no action"),
    "warn": _l("Warn the user"),
    "remove_content": _l("Remove the content"),
    "suspend": _l("Suspend the user for a number of days"),
    "remove_user": _l("Remove the user"),
}
NEEDS_OWNER = {"warn", "suspend", "remove_user"}
SUSPENSION_DAYS_MAX = 365
REASON_MAX = 500
QUEUE_PAGE = 50

# notification kinds: to the reporter, and to the reported user
TO_REPORTER = {
    "dismiss": "report_dismissed",
    "warn": "report_warned",
    "remove_content": "report_content_removed",
    "suspend": "report_suspended",
    "remove_user": "report_user_removed",
}
TO_OWNER = {
    "warn": "moderation_warning",
    "remove_content": "moderation_removed_content",
    "suspend": "moderation_suspended",
    "remove_user": "moderation_removed",
}


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not 1 <= len(value) <= REASON_MAX:
        raise RuleViolation(_l("Write %(what)s in 1 to 500 characters.", what=what))
    return value


def get_report(staff: User, report_id: int) -> Report:
    ensure_staff(staff)
    report = Report.get_or_none(Report.id == report_id)
    if report is None:
        raise NotFound
    return report


def queue(staff: User) -> list[Report]:
    """Open reports, oldest first: the longest waiting are answered first."""
    ensure_staff(staff)
    return list(
        Report.select().where(Report.status == Report.OPEN).order_by(Report.id).limit(QUEUE_PAGE)
    )


def open_count(staff: User) -> int:
    ensure_staff(staff)
    return Report.select().where(Report.status == Report.OPEN).count()


def _sign_out_everywhere(user: User) -> None:
    """End the user's sessions, and the keys sealed to them, without touching the staff
    member's own."""
    LoginSession.delete().where(LoginSession.user == user).execute()


def _remove_content(found) -> None:
    if isinstance(found, HelpRequest):
        content.remove_request(found)
    elif isinstance(found, Offer):
        content.remove_offer(found)
    elif isinstance(found, Message):
        content.remove_message(found)
    elif isinstance(found, Rating):
        content.remove_rating(found)
    else:
        content.remove_profile_text(found)


def _link_for_owner(report: Report) -> str:
    if report.target_kind == "request":
        return f"/requests/{report.target_key}"
    return "/notifications"


def handle_report(
    staff: User,
    report: Report,
    outcome: str,
    reason: str,
    message: str = "",
    days: int | None = None,
) -> None:
    """Apply one outcome. `reason` is for the staff log; `message` is what the user is told."""
    ensure_staff(staff)
    if outcome not in OUTCOMES:
        raise RuleViolation(_l("Choose an action from the list."))
    if report.status != Report.OPEN:
        raise RuleViolation(_l("This report was already handled."))
    reason = _text(reason, _l("the reason for the staff log"))
    if outcome != "dismiss":
        message = _text(message, _l("the message to the user"))
    found = in_context(report)
    owner = found.owner
    if outcome in NEEDS_OWNER:
        if owner is None:
            raise RuleViolation(_l("Nobody can be held to this: its author's account is gone."))
        ensure_member(owner)
    if outcome == "remove_content":
        if found.content is None:
            raise RuleViolation(_l("The content no longer exists."))
        if found.removed:
            raise RuleViolation(_l("The content was already removed."))
    if outcome == "suspend" and not (days and 1 <= days <= SUSPENSION_DAYS_MAX):
        raise RuleViolation(_l("Suspend for 1 to 365 days."))
    with database.atomic():
        detail = outcome
        if outcome == "remove_content":
            _remove_content(found.content)
        elif outcome == "suspend":
            owner.suspended_until = today() + datetime.timedelta(days=days)
            owner.moderation_reason = message
            owner.save()
            _sign_out_everywhere(owner)
            detail = f"suspend until {owner.suspended_until.isoformat()}"
        elif outcome == "remove_user":
            owner.removed_on = today()
            owner.moderation_reason = message
            owner.save()
            _sign_out_everywhere(owner)
            content.remove_everything_of(owner)
            recompute(owner)
        report.status, report.outcome, report.handled_on = Report.HANDLED, outcome, today()
        report.save()
        target = f"report:{report.id} {report.target}"
        if owner is not None:
            target += f" user:{owner.username}"
        record(staff, f"report.{outcome}", target, reason, detail)
        if report.reporter_id is not None:
            notify(report.reporter, TO_REPORTER[outcome], "/report", found.title)
        if outcome != "dismiss" and owner is not None:
            notify(owner, TO_OWNER[outcome], _link_for_owner(report), message)


def reinstate(admin: User, user: User, reason: str) -> None:
    """Lift a suspension or undo a removal; only an admin may. Removed content stays removed."""
    ensure_admin(admin)
    ensure_member(user)
    if user.removed_on is None and not is_suspended(user):
        raise RuleViolation(_l("This account is neither suspended nor removed."))
    reason = _text(reason, _l("the reason for the staff log"))
    with database.atomic():
        user.removed_on = user.suspended_until = None
        user.moderation_reason = ""
        user.save()
        recompute(user)
        record(admin, "user.reinstated", f"user:{user.username}", reason)
