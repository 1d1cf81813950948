"""What someone deciding on an offer needs to know about its provider, read in one place.

An activist judges an offer in seconds, often over a slow circuit: the offer card on the
request page shows this summary, and links to the full profile for the rest.
"""

import datetime
from dataclasses import dataclass

from movements.app.core.models import Evidence, User
from movements.app.core.taxonomy import unpack
from movements.app.matches.rules import CommunityRating, community_rating, completed_matches_count
from movements.app.trust.standing import standing_of

BIO_START_CHARACTERS = 240


@dataclass(frozen=True)
class Summary:
    person: User
    standing: str
    rating: CommunityRating
    completed: int
    joined_on: datetime.date
    skills: list[str]
    languages: list[str]
    profile_confirmed: bool
    bio_start: str


def bio_start(bio: str, limit: int = BIO_START_CHARACTERS) -> str:
    """The first lines of a bio, cut at a word and marked as cut, never mid-word."""
    text = " ".join(bio.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",.;:") + "…"


def has_confirmed_public_profile(user: User) -> bool:
    return (
        Evidence.select()
        .where((Evidence.user == user) & (Evidence.kind == "public_profile"))
        .exists()
    )


def summary_of(user: User) -> Summary:
    return Summary(
        person=user,
        standing=standing_of(user.trust_stars),
        rating=community_rating(user),
        completed=completed_matches_count(user),
        joined_on=user.joined_on,
        skills=unpack(user.skills),
        languages=unpack(user.languages),
        profile_confirmed=has_confirmed_public_profile(user),
        bio_start=bio_start(user.bio),
    )
