"""Taking content down. What was removed keeps its place, marked "removed by moderators"."""

from movements.app.core import fulltext
from movements.app.core.db import database
from movements.app.core.models import HelpRequest, Message, Offer, Rating, RequestText, User
from movements.app.trust.stars import recompute

OFFER_REMOVED = "removed"


def remove_request(help_request: HelpRequest) -> None:
    """Its author still sees it, marked removed; everyone else gets 404; search forgets it."""
    help_request.status = HelpRequest.REMOVED
    help_request.save()
    fulltext.unindex(RequestText, [help_request.id])


def remove_offer(offer: Offer) -> None:
    offer.status = OFFER_REMOVED
    offer.save()


def remove_message(message: Message) -> None:
    """Both sealed copies are wiped, not just hidden."""
    message.removed = True
    message.for_activist = message.for_provider = b""
    message.save()


def remove_rating(rating: Rating) -> None:
    """The comment is wiped and the rating no longer counts, in the average or for stars."""
    rating.removed = True
    rating.comment = ""
    rating.save()
    recompute(rating.ratee)


def remove_profile_text(user: User) -> None:
    user.bio = ""
    user.save()


def remove_everything_of(user: User) -> None:
    """A removed user's open requests and pending offers go with them."""
    with database.atomic():
        for help_request in HelpRequest.select().where(
            (HelpRequest.author == user) & (HelpRequest.status == HelpRequest.OPEN)
        ):
            remove_request(help_request)
        Offer.update(status=OFFER_REMOVED).where(
            (Offer.provider == user) & (Offer.status == Offer.PENDING)
        ).execute()
