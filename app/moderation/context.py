"""A reported thing as staff see it in the queue: the content itself, whose it is, its state.

Staff read public content and what the reporter chose to include; a private message's
text is otherwise sealed to the two parties and stays unreadable here.
"""

from dataclasses import dataclass

from movements.app.core.models import HelpRequest, Message, Offer, Rating, Report, User
from movements.app.moderation.content import OFFER_REMOVED
from movements.app.reports.rules import quoted_text


@dataclass(frozen=True)
class InContext:
    content: object | None  # the row reported, or None if it no longer exists
    owner: User | None
    title: str
    text: str | None
    removed: bool
    link: str | None = None  # where the content lives on the public site


def _user(report: Report) -> InContext:
    user = User.get_or_none(User.username == report.target_key)
    if user is None:
        return InContext(None, None, report.target_key, None, False)
    return InContext(
        user, user, user.username, user.bio, user.removed_on is not None, f"/users/{user.username}"
    )


def _request(report: Report) -> InContext:
    help_request = HelpRequest.get_or_none(HelpRequest.public_id == report.target_key)
    if help_request is None:
        return InContext(None, report.target_user, "", None, False)
    return InContext(
        help_request,
        help_request.author,
        help_request.title,
        help_request.description,
        help_request.status == HelpRequest.REMOVED,
        f"/requests/{help_request.public_id}",
    )


def _offer(report: Report) -> InContext:
    offer = Offer.get_or_none(Offer.public_id == report.target_key)
    if offer is None:
        return InContext(None, report.target_user, "", None, False)
    return InContext(
        offer,
        offer.provider,
        offer.help_request.title,
        offer.message,
        offer.status == OFFER_REMOVED,
    )


def _message(report: Report) -> InContext:
    message = Message.get_or_none(Message.id == int(report.target_key))
    if message is None:
        return InContext(None, report.target_user, "", quoted_text(report), False)
    title = message.match.help_request.title
    return InContext(message, message.sender, title, quoted_text(report), message.removed)


def _rating(report: Report) -> InContext:
    rating = Rating.get_or_none(Rating.id == int(report.target_key))
    if rating is None:
        return InContext(None, report.target_user, "", None, False)
    return InContext(
        rating,
        rating.rater,
        f"{rating.stars} / 5",
        rating.comment,
        rating.removed,
        f"/users/{rating.ratee.username}",
    )


FINDERS = {
    "user": _user,
    "request": _request,
    "offer": _offer,
    "message": _message,
    "rating": _rating,
}


def in_context(report: Report) -> InContext:
    return FINDERS[report.target_kind](report)
