"""The offers on a request as their author sees them: each beside what its provider has shown."""

from dataclasses import dataclass

from movements.app.core.models import HelpRequest, Offer, User
from movements.app.offers.rules import offers_for_author
from movements.app.profiles.summary import Summary, summary_of


@dataclass(frozen=True)
class OfferCard:
    offer: Offer
    provider: Summary


def cards_for_author(user: User | None, help_request: HelpRequest) -> list[OfferCard]:
    """Empty for anyone but the author, as `offers_for_author` decides."""
    return [
        OfferCard(offer, summary_of(offer.provider))
        for offer in offers_for_author(user, help_request)
    ]
