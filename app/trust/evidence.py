"""What staff do about a user's stars: evidence, the two-person judgement, limits.

Each function checks that the actor is staff, changes one thing, recomputes the stars and
appends the change to the staff log, all in one transaction.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from movements.app.audit.chain import record
from movements.app.core.access import ensure_member, ensure_staff
from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Evidence, Judgement, StarLimit, User, Vouch, today
from movements.app.trust import profiles
from movements.app.trust.stars import MOST_FROM_EVIDENCE, STAFF_EVIDENCE, recompute

NOTE_MAX = 300


def target_of(user: User) -> str:
    return f"user:{user.username}"


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if not 1 <= len(note) <= NOTE_MAX:
        raise RuleViolation(_l("Write a note of 1 to 300 characters."))
    return note


def _stars_change(user: User, before: int) -> str:
    return f"stars {before} → {user.trust_stars}"


def add_evidence(staff: User, user: User, kind: str, note: str) -> Evidence:
    ensure_staff(staff)
    ensure_member(user)
    if kind not in STAFF_EVIDENCE:
        raise RuleViolation(_l("Choose a kind of evidence from the list."))
    note = _clean_note(note)
    if kind == "public_profile" and profiles.link_of(user) is None:
        raise RuleViolation(_l("This user has not linked a public profile to confirm."))
    with database.atomic():
        before = user.trust_stars
        evidence = Evidence.create(user=user, kind=kind, note=note, recorded_by=staff)
        recompute(user)
        detail = f"{kind}; {_stars_change(user, before)}"
        record(staff, "evidence.added", target_of(user), note, detail)
    return evidence


def remove_evidence(staff: User, user: User, evidence_id: int, reason: str) -> None:
    ensure_staff(staff)
    evidence = Evidence.get_or_none((Evidence.id == evidence_id) & (Evidence.user == user))
    if evidence is None:
        raise NotFound
    reason = _clean_note(reason)
    with database.atomic():
        before = user.trust_stars
        evidence.delete_instance()
        recompute(user)
        record(
            staff,
            "evidence.removed",
            target_of(user),
            reason,
            f"{evidence.kind}; {_stars_change(user, before)}",
        )


def propose_known_and_trusted(staff: User, user: User, note: str) -> Judgement:
    """The first half of the two-person rule for 5 stars."""
    ensure_staff(staff)
    ensure_member(user)
    note = _clean_note(note)
    if user.removed_on is not None:
        raise RuleViolation(_l("This account was removed."))
    if not Evidence.select().where((Evidence.user == user) & (Evidence.kind == "spoke")).exists():
        raise RuleViolation(_l("Record that staff spoke with them before proposing 5 stars."))
    if Judgement.select().where(Judgement.user == user).exists():
        raise RuleViolation(_l("A “known and trusted” judgement already exists for this user."))
    with database.atomic():
        judgement = Judgement.create(user=user, note=note, proposed_by=staff)
        record(staff, "judgement.proposed", target_of(user), note, "known and trusted")
    return judgement


def confirm_known_and_trusted(staff: User, user: User) -> None:
    """The second half: a different staff member confirms, and the user has 5 stars."""
    ensure_staff(staff)
    judgement = Judgement.get_or_none(Judgement.user == user)
    if judgement is None or judgement.confirmed_on is not None:
        raise RuleViolation(_l("There is no proposal waiting for confirmation."))
    if judgement.proposed_by_id in (None, staff.id):
        raise RuleViolation(_l("A second staff member must confirm what you proposed."))
    with database.atomic():
        before = user.trust_stars
        judgement.confirmed_by = staff
        judgement.confirmed_on = today()
        judgement.save()
        recompute(user)
        record(
            staff,
            "judgement.confirmed",
            target_of(user),
            judgement.note,
            f"proposed by {judgement.proposed_by.username}; {_stars_change(user, before)}",
        )


def withdraw_judgement(staff: User, user: User, reason: str) -> None:
    ensure_staff(staff)
    judgement = Judgement.get_or_none(Judgement.user == user)
    if judgement is None:
        raise RuleViolation(_l("There is no “known and trusted” judgement to withdraw."))
    reason = _clean_note(reason)
    with database.atomic():
        before = user.trust_stars
        judgement.delete_instance()
        recompute(user)
        record(staff, "judgement.withdrawn", target_of(user), reason, _stars_change(user, before))


def limit_stars(staff: User, user: User, max_stars: int, reason: str) -> None:
    """Lower a user's stars, now and whatever evidence comes later, until the limit is lifted."""
    ensure_staff(staff)
    ensure_member(user)
    if not 0 <= max_stars <= MOST_FROM_EVIDENCE:
        raise RuleViolation(_l("Choose a limit of 0 to 4 stars."))
    reason = _clean_note(reason)
    with database.atomic():
        before = user.trust_stars
        StarLimit.delete().where(StarLimit.user == user).execute()
        StarLimit.create(user=user, max_stars=max_stars, reason=reason, set_by=staff)
        recompute(user)
        detail = f"at most {max_stars}; {_stars_change(user, before)}"
        record(staff, "stars.limited", target_of(user), reason, detail)


def lift_limit(staff: User, user: User, reason: str) -> None:
    ensure_staff(staff)
    if not StarLimit.select().where(StarLimit.user == user).exists():
        raise RuleViolation(_l("This user's stars are not limited."))
    reason = _clean_note(reason)
    with database.atomic():
        before = user.trust_stars
        StarLimit.delete().where(StarLimit.user == user).execute()
        recompute(user)
        record(staff, "stars.limit_lifted", target_of(user), reason, _stars_change(user, before))


@dataclass(frozen=True)
class TrustRecord:
    """Everything staff see about one user's stars."""

    evidence: list[Evidence]
    vouches: list[Vouch]
    judgement: Judgement | None
    limit: StarLimit | None
    public_profile: str | None


def trust_record(staff: User, user: User) -> TrustRecord:
    ensure_staff(staff)
    return TrustRecord(
        evidence=list(Evidence.select().where(Evidence.user == user).order_by(Evidence.id)),
        vouches=list(
            Vouch.select()
            .where((Vouch.vouchee == user) & Vouch.withdrawn_on.is_null())
            .order_by(Vouch.id)
        ),
        judgement=Judgement.get_or_none(Judgement.user == user),
        limit=StarLimit.get_or_none(StarLimit.user == user),
        public_profile=profiles.link_of(user),
    )


def pending_judgements(staff: User) -> list[Judgement]:
    """Proposals waiting for a second staff member, oldest first."""
    ensure_staff(staff)
    return list(Judgement.select().where(Judgement.confirmed_on.is_null()).order_by(Judgement.id))
