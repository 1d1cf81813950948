"""Filing a report: any signed-in user, about what they can see, for a listed reason."""

from flask_babel import lazy_gettext as _l

from movements.app.blocks.rules import has_blocked
from movements.app.core.db import database
from movements.app.core.errors import RuleViolation
from movements.app.core.models import Report, User
from movements.app.keys import vault
from movements.app.reports.targets import Target
from movements.crypto import associated_data

REASONS = {
    "violence": _l("Calls for violence"),
    "racism": _l("Racism"),
    "terrorism": _l("Terrorism"),
    "xenophobia": _l("Xenophobia"),
    "harassment": _l("Harassment"),
    "scam": _l("Scam or spam"),
    "impersonation": _l("Impersonation or suspected informant"),
    "other": _l("Something else"),
}
DETAILS_MAX = 2000
OPEN_REPORTS_MAX = 20  # per reporter: a flood from one account cannot bury the queue


def quoted_context(report: Report) -> tuple[str | int, ...]:
    """Where a quoted message lives, bound into its ciphertext (and for key rotation)."""
    return ("report", "quoted", report.id)


def file_report(
    reporter: User, target: Target, reason: str, details: str, include_text: bool
) -> Report:
    """Record a report. `include_text` copies a message's text: staff cannot otherwise read it."""
    if reason not in REASONS:
        raise RuleViolation(_l("Choose a reason from the list."))
    details = (details or "").strip()
    if len(details) > DETAILS_MAX:
        raise RuleViolation(_l("Details have at most 2000 characters."))
    if target.owner is not None and target.owner.id == reporter.id:
        raise RuleViolation(_l("You cannot report yourself or what you wrote."))
    if reason == "harassment" and has_blocked(target.owner, reporter):
        raise RuleViolation(_l("This person blocked you; you cannot report them for harassment."))
    mine = Report.select().where((Report.reporter == reporter) & (Report.status == Report.OPEN))
    already = mine.where(
        (Report.target_kind == target.kind) & (Report.target_key == target.key)
    ).exists()
    if already:
        raise RuleViolation(_l("You have already reported this. Staff will look at it."))
    if mine.count() >= OPEN_REPORTS_MAX:
        raise RuleViolation(_l("You have many reports waiting. Please wait until staff answer."))
    quote = target.message_text if include_text and target.kind == "message" else None
    with database.atomic():
        report = Report.create(
            reporter=reporter,
            target_kind=target.kind,
            target_key=target.key,
            target_user=target.owner,
            reason=reason,
            details=details,
        )
        if quote:
            report.quoted = vault.encrypt(quote.encode(), associated_data(*quoted_context(report)))
            report.save()
    return report


def quoted_text(report: Report) -> str | None:
    if report.quoted is None:
        return None
    opened = vault.decrypt(bytes(report.quoted), associated_data(*quoted_context(report)))
    return opened.decode() if opened is not None else None


def reports_by(user: User) -> list[Report]:
    return list(Report.select().where(Report.reporter == user).order_by(Report.id.desc()))
