"""What waits for a signed-in user, for the top of their home page: the answers they owe.

Read from the areas' own records rather than kept anywhere: pending offers on their open
requests, matches with messages they have not opened, completed matches they have not rated.
"""

from dataclasses import dataclass, field

from peewee import JOIN, fn

from movements.app.core.models import HelpRequest, Match, Offer, Rating, User, today
from movements.app.notifications.rules import unread_about


@dataclass
class Waiting:
    offers: list[tuple[HelpRequest, int]] = field(default_factory=list)  # request, pending offers
    messages: list[tuple[str, str]] = field(default_factory=list)  # request title, match link
    ratings: list[Match] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.offers or self.messages or self.ratings)


def offers_to_answer(user: User) -> list[tuple[HelpRequest, int]]:
    pending = fn.COUNT(Offer.id)
    rows = (
        HelpRequest.select(HelpRequest, pending.alias("pending"))
        .join(Offer)
        .where(
            (HelpRequest.author == user)
            & (HelpRequest.status == HelpRequest.OPEN)
            & (HelpRequest.expires_on >= today())
            & (Offer.status == Offer.PENDING)
        )
        .group_by(HelpRequest.id)
        .order_by(HelpRequest.id.desc())
    )
    return [(row, row.pending) for row in rows]


def ratings_to_give(user: User) -> list[Match]:
    mine = Rating.select(Rating.id).where((Rating.match == Match.id) & (Rating.rater == user))
    return list(
        Match.select(Match, HelpRequest)
        .join(HelpRequest, JOIN.INNER)
        .where(
            ((Match.activist == user) | (Match.provider == user))
            & (Match.status == Match.COMPLETED)
            & ~fn.EXISTS(mine)
        )
        .order_by(Match.id.desc())
    )


def waiting_for(user: User) -> Waiting:
    return Waiting(
        offers=offers_to_answer(user) if user.is_activist else [],
        messages=[(n.subject, n.link) for n in unread_about(user, "message")],
        ratings=ratings_to_give(user),
    )
