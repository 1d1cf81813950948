"""Offers of help on a request, and the acceptance that turns one into a match."""

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from movements.app.blocks.rules import has_blocked
from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, Match, Offer, User, today
from movements.app.core.visibility import can_see, is_open, still_open
from movements.app.notifications.rules import notify


def may_offer(user: User | None, help_request: HelpRequest) -> bool:
    return (
        user is not None
        and user.is_provider
        and user.id != help_request.author_id
        and is_open(help_request)
        and can_see(user, help_request)
        and not has_blocked(help_request.author, user)
    )


def make_offer(provider: User, help_request: HelpRequest, message: str) -> Offer:
    if provider.id == help_request.author_id:
        raise RuleViolation(_l("You cannot offer help on your own request."))
    if not can_see(provider, help_request):
        raise NotFound
    if not provider.is_provider:
        raise RuleViolation(_l("Only people who signed up to help can make offers."))
    if not is_open(help_request):
        raise RuleViolation(_l("This request is no longer open."))
    if has_blocked(help_request.author, provider):
        raise RuleViolation(_l("The author of this request does not take offers from you."))
    try:
        with database.atomic():
            # asked again on the row: an acceptance may have closed the request since
            if not still_open(help_request):
                raise RuleViolation(_l("This request is no longer open."))
            offer = _offer_again(provider, help_request, message) or Offer.create(
                help_request=help_request, provider=provider, message=message.strip()
            )
            notify(
                help_request.author,
                "offer_received",
                f"/requests/{help_request.public_id}",
                help_request.title,
            )
    except IntegrityError:
        raise RuleViolation(_l("You have already offered help on this request.")) from None
    return offer


def _offer_again(provider: User, help_request: HelpRequest, message: str) -> Offer | None:
    """A provider who withdrew may offer again: their one offer on the request (one per
    provider, by a unique index) becomes pending with the new message. Any other earlier
    offer stands as it was, and the caller's insert then finds it taken."""
    earlier = Offer.get_or_none((Offer.help_request == help_request) & (Offer.provider == provider))
    if earlier is None or earlier.status != Offer.WITHDRAWN:
        return None
    if not _change_status(Offer, earlier.id, Offer.WITHDRAWN, Offer.PENDING):
        raise RuleViolation(_l("You have already offered help on this request."))
    earlier.status, earlier.message, earlier.created_on = Offer.PENDING, message.strip(), today()
    earlier.save()
    return earlier


def get_offer(public_id: str) -> Offer:
    offer = (
        Offer.select(Offer, HelpRequest)
        .join(HelpRequest)
        .where(Offer.public_id == public_id)
        .first()
    )
    if offer is None:
        raise NotFound
    return offer


def ensure_may_decide(user: User, offer: Offer) -> None:
    """Only the request's author decides on its offers, while both are still open; to anyone
    else the offer is not there. The confirmation pages ask this before they are shown."""
    if user.id != offer.help_request.author_id:
        raise NotFound
    if offer.status != Offer.PENDING:
        raise RuleViolation(_l("This offer has already been answered."))
    if not is_open(offer.help_request):
        raise RuleViolation(_l("This request is no longer open."))


def ensure_may_change(user: User, offer: Offer) -> None:
    """Only its provider withdraws or edits an offer, and only while it waits for an answer."""
    if user.id != offer.provider_id:
        raise NotFound
    if offer.status != Offer.PENDING:
        raise RuleViolation(_l("Only a pending offer can be changed or withdrawn."))


def _change_status(model, row_id: int, expected: str, new: str) -> bool:
    """Set a row's status only if it still is `expected`; whether it was."""
    changed = model.update(status=new).where((model.id == row_id) & (model.status == expected))
    return changed.execute() == 1


def _match_of(offer: Offer) -> Match | None:
    return Match.get_or_none(Match.offer == offer)


def accept_offer(user: User, offer: Offer) -> Match:
    """Open a match with this provider; every other pending offer is declined.

    Accepting the same offer again (the button pressed twice, or sent from two tabs) leads to
    the match the first acceptance opened: one acceptance, one match.
    """
    if user.id == offer.help_request.author_id and offer.status == Offer.ACCEPTED:
        earlier = _match_of(offer)
        if earlier is not None:
            return earlier
    ensure_may_decide(user, offer)
    help_request = offer.help_request
    link_to_request = f"/requests/{help_request.public_id}"
    with database.atomic():
        # Checked again as the rows change: two acceptances racing on PostgreSQL both read an
        # open request, but the second update waits for the first to commit, then changes nothing.
        if not _change_status(HelpRequest, help_request.id, HelpRequest.OPEN, HelpRequest.MATCHED):
            earlier = _match_of(offer)  # read after the first acceptance committed
            if earlier is not None:
                return earlier
            raise RuleViolation(_l("This request is no longer open."))
        if not _change_status(Offer, offer.id, Offer.PENDING, Offer.ACCEPTED):
            raise RuleViolation(_l("This offer has already been answered."))
        help_request.status, offer.status = HelpRequest.MATCHED, Offer.ACCEPTED
        others = list(
            Offer.select().where(
                (Offer.help_request == help_request)
                & (Offer.status == Offer.PENDING)
                & (Offer.id != offer.id)
            )
        )
        for other in others:
            other.status = Offer.DECLINED
            other.save()
            notify(other.provider, "offer_declined", link_to_request, help_request.title)
        match = Match.create(
            help_request=help_request,
            offer=offer,
            activist=help_request.author,
            provider=offer.provider,
        )
        notify(offer.provider, "offer_accepted", f"/matches/{match.public_id}", help_request.title)
    return match


def decline_offer(user: User, offer: Offer) -> None:
    ensure_may_decide(user, offer)
    with database.atomic():
        if not _change_status(Offer, offer.id, Offer.PENDING, Offer.DECLINED):
            raise RuleViolation(_l("This offer has already been answered."))
        offer.status = Offer.DECLINED
        notify(
            offer.provider,
            "offer_declined",
            f"/requests/{offer.help_request.public_id}",
            offer.help_request.title,
        )


def withdraw_offer(user: User, offer: Offer) -> None:
    """The provider takes back a pending offer; the author is told it was withdrawn."""
    ensure_may_change(user, offer)
    help_request = offer.help_request
    with database.atomic():
        if not _change_status(Offer, offer.id, Offer.PENDING, Offer.WITHDRAWN):
            raise RuleViolation(_l("Only a pending offer can be changed or withdrawn."))
        offer.status = Offer.WITHDRAWN
        notify(
            help_request.author,
            "offer_withdrawn",
            f"/requests/{help_request.public_id}",
            help_request.title,
        )


def edit_offer(user: User, offer: Offer, message: str) -> None:
    """A new text for a pending offer; the author is told, so nobody accepts words that
    changed under them without knowing."""
    ensure_may_change(user, offer)
    help_request = offer.help_request
    with database.atomic():
        changed = Offer.update(message=message.strip()).where(
            (Offer.id == offer.id) & (Offer.status == Offer.PENDING)
        )
        if changed.execute() != 1:
            raise RuleViolation(_l("Only a pending offer can be changed or withdrawn."))
        offer.message = message.strip()
        notify(
            help_request.author,
            "offer_changed",
            f"/requests/{help_request.public_id}",
            help_request.title,
        )


def offers_for_author(user: User | None, help_request: HelpRequest) -> list[Offer]:
    """The offers on a request, for its author's eyes only."""
    if user is None or user.id != help_request.author_id:
        return []
    return list(
        Offer.select(Offer, User)
        .join(User)
        .where(Offer.help_request == help_request)
        .order_by(Offer.id)
    )


def own_offer(user: User | None, help_request: HelpRequest) -> Offer | None:
    if user is None:
        return None
    return Offer.get_or_none((Offer.help_request == help_request) & (Offer.provider == user))
