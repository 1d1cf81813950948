"""Trust stars, 0 to 5, from evidence: the one function, and the table it reads.

0 stars: nothing corroborates who the person is. Each row of STAR_TABLE says how many
stars one kind of evidence adds and how many it can add at most; the sum is capped at 4.
5 stars means staff know the person, have spoken with them and trust them: it takes a
"known and trusted" judgement by one staff member confirmed by a second. Staff may lower
anyone's stars at any time, with a reason, by setting a limit. The /trust page shows this
same table, so what users read is what the code does.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from peewee import fn

from movements.app.core.models import Evidence, Judgement, Rating, StarLimit, User, Vouch

MOST_FROM_EVIDENCE = 4
KNOWN_AND_TRUSTED = 5
VOUCH_MIN_STARS = 4  # who may vouch, and whose vouches count
GOOD_RATING = 4


@dataclass(frozen=True)
class Source:
    kind: str
    label: str
    stars: int  # stars added for every `per` items
    per: int
    most: int  # the most stars this kind can add
    by_staff: bool  # recorded by staff, rather than counted automatically

    def stars_for(self, count: int) -> int:
        return min(self.most, (count // self.per) * self.stars)


STAR_TABLE = (
    Source("spoke", _l("Staff spoke with them, by call or in person"), 2, 1, 2, True),
    Source("organisation", _l("Staff confirmed their organisation affiliation"), 1, 1, 1, True),
    Source("public_profile", _l("Staff confirmed a public profile they control"), 1, 1, 1, True),
    Source("vouch", _l("A user with 4 or more stars vouches for them"), 1, 1, 2, False),
    Source("track_record", _l("Completed matches the other side rated 4 or 5"), 1, 3, 2, False),
)
STAFF_EVIDENCE = {source.kind: source.label for source in STAR_TABLE if source.by_staff}


def stars_from(counts: Mapping[str, int], known_and_trusted: bool, limit: int | None) -> int:
    """The star function. `counts` holds how many items of each kind of evidence exist."""
    total = sum(source.stars_for(counts.get(source.kind, 0)) for source in STAR_TABLE)
    stars = KNOWN_AND_TRUSTED if known_and_trusted else min(total, MOST_FROM_EVIDENCE)
    return stars if limit is None else min(stars, limit)


def evidence_counts(user: User) -> dict[str, int]:
    """How many items of each kind of evidence exist for the user, right now."""
    counts = dict(
        Evidence.select(Evidence.kind, fn.COUNT(Evidence.id))
        .where(Evidence.user == user)
        .group_by(Evidence.kind)
        .tuples()
    )
    counts["vouch"] = (
        Vouch.select()
        .join(User, on=Vouch.voucher)
        .where(
            (Vouch.vouchee == user)
            & Vouch.withdrawn_on.is_null()
            & (User.trust_stars >= VOUCH_MIN_STARS)
            & User.removed_on.is_null()
        )
        .count()
    )
    counts["track_record"] = (
        Rating.select()
        .where((Rating.ratee == user) & (Rating.stars >= GOOD_RATING) & ~Rating.removed)
        .count()
    )
    return counts


def is_known_and_trusted(user: User) -> bool:
    return (
        Judgement.select()
        .where((Judgement.user == user) & Judgement.confirmed_on.is_null(False))
        .exists()
    )


def limit_of(user: User) -> int | None:
    row = StarLimit.get_or_none(StarLimit.user == user)
    return row.max_stars if row else None


def compute(user: User) -> int:
    if user.is_staff or user.removed_on is not None:
        return 0
    return stars_from(evidence_counts(user), is_known_and_trusted(user), limit_of(user))


def _vouchees(user: User) -> list[int]:
    rows = Vouch.select(Vouch.vouchee).where((Vouch.voucher == user) & Vouch.withdrawn_on.is_null())
    return [row.vouchee_id for row in rows]


def recompute(user: User) -> int:
    """Store the user's stars again after their evidence changed; returns the new count.

    When someone crosses the vouching threshold, the people they vouch for gain or lose that
    vouch, so they are recomputed too. One change moves stars in one direction only, and
    each user's stars are bounded, so the cascade ends.
    """
    pending = [user.id]
    while pending:
        person = User.get_by_id(pending.pop())
        before, after = person.trust_stars, compute(person)
        if before == after:
            continue
        User.update(trust_stars=after).where(User.id == person.id).execute()
        if (before >= VOUCH_MIN_STARS) != (after >= VOUCH_MIN_STARS):
            pending.extend(_vouchees(person))
    user.trust_stars = User.get_by_id(user.id).trust_stars
    return user.trust_stars


def star_basis(user) -> list[tuple[str, int]]:
    """What a user's stars rest on, as their profile lists it: each source and its stars."""
    counts = evidence_counts(user)
    return [
        (source.label, stars)
        for source in STAR_TABLE
        if (stars := source.stars_for(counts.get(source.kind, 0)))
    ]
