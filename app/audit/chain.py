"""Appending to the staff log and proving nobody edited, removed or reordered an entry since.

Each entry's hash covers its own fields, its position and the previous entry's hash, so
changing any stored value, deleting a row or swapping two rows breaks the chain at the first
entry affected. A chain cannot show that its newest entries were cut off; for that the
operator notes the head hash that `movements audit verify` prints and passes it back with
`--head` later: verification then also fails if that entry is gone.
"""

import hashlib
import json
from dataclasses import dataclass

from peewee import IntegrityError

from movements.app.core.db import database
from movements.app.core.models import StaffLogEntry, User, today

GENESIS = "0" * 64
APPEND_ATTEMPTS = 3
COMMAND_LINE = "(command line)"
SYSTEM = "(automatic)"


def entry_hash(
    position: int,
    recorded_on: str,
    actor: str,
    action: str,
    target: str,
    detail: str,
    reason: str,
    previous_hash: str,
) -> str:
    """SHA-256 over a canonical JSON list of the fields, so no two entries encode alike."""
    fields = [position, recorded_on, actor, action, target, detail, reason, previous_hash]
    canonical = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _hash_of(entry: StaffLogEntry) -> str:
    return entry_hash(
        entry.position,
        entry.recorded_on.isoformat(),
        entry.actor,
        entry.action,
        entry.target,
        entry.detail,
        entry.reason,
        entry.previous_hash,
    )


def actor_name(actor: User | str) -> str:
    return actor if isinstance(actor, str) else actor.username


def record(
    actor: User | str, action: str, target: str, reason: str = "", detail: str = ""
) -> StaffLogEntry:
    """Append one entry; call it inside the transaction of the action it records.

    The position is unique, so two appends racing for the same place cannot both succeed:
    the loser retries on the new head instead of forking the chain.
    """
    failures = 0
    while True:
        last = StaffLogEntry.select().order_by(StaffLogEntry.position.desc()).first()
        entry = StaffLogEntry(
            position=(last.position + 1) if last else 1,
            recorded_on=today(),
            actor=actor_name(actor)[:64],
            action=action,
            target=target[:128],
            detail=detail[:200],
            reason=reason,
            previous_hash=last.entry_hash if last else GENESIS,
        )
        entry.entry_hash = _hash_of(entry)
        try:
            with database.atomic():
                entry.save(force_insert=True)
        except IntegrityError:
            failures += 1
            if failures == APPEND_ATTEMPTS:
                raise
            continue
        return entry


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking the chain: intact or not, and where it first breaks."""

    entries: int
    head: str
    broken_at: int | None = None  # position of the first bad entry
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None and not self.problem


def verify(expected_head: str | None = None) -> Verdict:
    """Recompute the whole chain from the first entry; stop at the first inconsistency."""
    previous, count = GENESIS, 0
    for entry in StaffLogEntry.select().order_by(StaffLogEntry.position):
        count += 1
        if entry.position != count:
            return Verdict(count, previous, entry.position, "an entry before it is missing")
        if entry.previous_hash != previous:
            return Verdict(count, previous, entry.position, "it does not follow the entry before")
        if _hash_of(entry) != entry.entry_hash:
            return Verdict(count, previous, entry.position, "its content was changed")
        previous = entry.entry_hash
    if expected_head and expected_head != previous:
        seen = StaffLogEntry.select().where(StaffLogEntry.entry_hash == expected_head).exists()
        if not seen:
            return Verdict(count, previous, None, "the entry with the expected head hash is gone")
    return Verdict(count, previous)


def page_of_entries(page: int, size: int) -> tuple[list[StaffLogEntry], bool]:
    """Newest first, for reading in the staff area; whether an older page follows."""
    rows = list(
        StaffLogEntry.select()
        .order_by(StaffLogEntry.position.desc())
        .offset((page - 1) * size)
        .limit(size + 1)
    )
    return rows[:size], len(rows) > size
