"""Invitations: an activist asks a listed provider to look at one of their open requests.

The provider answers through the normal offer flow (app/offers) or declines. An invitation
is answered when the provider has an offer on the request, so that is read, never stored.
"""

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from peewee import IntegrityError

from movements.app.blocks.rules import has_blocked
from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.members import find_member
from movements.app.core.models import HelpRequest, Invitation, Offer, StandingOffer, User, today
from movements.app.core.visibility import can_see, is_open
from movements.app.directory import rules
from movements.app.keys.envelopes import Context, open_with, seal_to
from movements.app.notifications.rules import notify

INVITATIONS_PER_DAY = 10
NOTE_MAX = 1000

INVITATION_STATUSES = {
    "pending": _l("Waiting for an answer"),
    "answered": _l("Answered with an offer"),
    "declined": _l("Declined"),
    "closed": _l("The request is no longer open"),
}


def find_listed_provider(name: str) -> User:
    """The provider behind a directory entry; anyone who never opted in does not exist here."""
    user = find_member(name)
    if not user.is_provider or rules.listing_of(user) is None:
        raise NotFound
    if not rules.in_good_standing(user):
        raise NotFound
    return user


def ensure_may_invite(user: User) -> None:
    if not user.is_activist:
        raise RuleViolation(_l("Only people who asked for help can invite providers."))


def may_invite(user: User | None, provider: User) -> bool:
    """Whether to offer this visitor an invitation link to this provider."""
    return (
        user is not None
        and user.is_activist
        and rules.is_listed(provider)
        and not rules.is_full(provider)
        and not has_blocked(user, provider)
        and not has_blocked(provider, user)
    )


def open_requests_of(activist: User) -> list[HelpRequest]:
    """The requests an activist can invite someone to."""
    return list(
        HelpRequest.select()
        .where(
            (HelpRequest.author == activist)
            & (HelpRequest.status == HelpRequest.OPEN)
            & (HelpRequest.expires_on >= today())
        )
        .order_by(HelpRequest.id.desc())
    )


def sent_today(activist: User) -> int:
    return (
        Invitation.select()
        .where((Invitation.activist == activist) & (Invitation.created_on == today()))
        .count()
    )


def left_today(activist: User) -> int:
    return max(INVITATIONS_PER_DAY - sent_today(activist), 0)


def ensure_invitable(activist: User, provider: User) -> None:
    """Whether this provider takes invitations, from this activist, now."""
    ensure_may_invite(activist)
    listing = rules.listing_of(provider)
    if not provider.is_provider or listing is None or not rules.in_good_standing(provider):
        raise NotFound
    if listing.paused:
        raise RuleViolation(_l("This provider has paused their listing and takes no invitations."))
    if rules.is_full(provider):
        raise RuleViolation(_l("This provider is at capacity and takes no invitations now."))
    if has_blocked(activist, provider) or has_blocked(provider, activist):
        raise RuleViolation(
            _l("You and this provider cannot reach each other: one blocked the other.")
        )


def invite(
    activist: User,
    provider: User,
    help_request: HelpRequest,
    note: str,
    standing_offer: StandingOffer | None = None,
) -> Invitation:
    """Invite a provider to one of the activist's own open requests, within the daily limit."""
    ensure_may_invite(activist)
    if help_request.author_id != activist.id:
        raise NotFound
    ensure_invitable(activist, provider)
    if standing_offer is not None and (
        standing_offer.provider_id != provider.id or not rules.is_live(standing_offer)
    ):
        raise NotFound
    if not is_open(help_request):
        raise RuleViolation(_l("Only an open request can take invitations."))
    if not can_see(provider, help_request):
        raise RuleViolation(
            _l("Your request is only for providers with more trust stars than this provider has.")
        )
    note = note.strip()
    if len(note) > NOTE_MAX:
        raise RuleViolation(
            lazy_ngettext(
                "A note has at most %(num)d character.",
                "A note has at most %(num)d characters.",
                NOTE_MAX,
            )
        )
    if sent_today(activist) >= INVITATIONS_PER_DAY:
        raise RuleViolation(
            lazy_ngettext(
                "You can send %(num)d invitation a day. Try again tomorrow.",
                "You can send %(num)d invitations a day. Try again tomorrow.",
                INVITATIONS_PER_DAY,
            )
        )
    if _has_offered(provider.id, help_request.id):
        raise RuleViolation(_l("This provider has already offered help on this request."))
    try:
        with database.atomic():
            invitation = Invitation.create(
                help_request=help_request,
                activist=activist,
                provider=provider,
                standing_offer=standing_offer,
            )
            if note:
                for column, reader in (
                    ("note_for_activist", activist),
                    ("note_for_provider", provider),
                ):
                    setattr(
                        invitation, column, seal_to(reader, note, note_context(invitation, column))
                    )
                invitation.save()
            notify(
                provider,
                "invitation_received",
                f"/requests/{help_request.public_id}",
                help_request.title,
            )
    except IntegrityError:
        raise RuleViolation(_l("You have already invited this provider to this request.")) from None
    return invitation


def note_context(invitation: Invitation, column: str) -> Context:
    return ("invitation", column, invitation.id)


def note_for(user: User | None, key: X25519PrivateKey | None, invitation: Invitation) -> str | None:
    """The note as its reader sees it: "" when there is none, None when it cannot be opened."""
    if user is None or user.id not in (invitation.activist_id, invitation.provider_id):
        return ""
    column = "note_for_activist" if user.id == invitation.activist_id else "note_for_provider"
    blob = bytes(getattr(invitation, column))
    return open_with(key, blob, note_context(invitation, column)) if blob else ""


def _has_offered(provider_id: int, help_request_id: int) -> bool:
    return (
        Offer.select()
        .where((Offer.help_request == help_request_id) & (Offer.provider == provider_id))
        .exists()
    )


def get_for_provider(user: User, public_id: str) -> Invitation:
    """An invitation, for the provider it was sent to; nobody else learns it exists."""
    invitation = (
        Invitation.select(Invitation, HelpRequest)
        .join(HelpRequest)
        .where(Invitation.public_id == public_id)
        .first()
    )
    if invitation is None or invitation.provider_id != user.id:
        raise NotFound
    return invitation


def status_of(invitation: Invitation) -> str:
    if _has_offered(invitation.provider_id, invitation.help_request_id):
        return "answered"
    if invitation.status == Invitation.DECLINED:
        return Invitation.DECLINED
    if not is_open(invitation.help_request):
        return "closed"
    return Invitation.PENDING


def decline(user: User, invitation: Invitation) -> None:
    if user.id != invitation.provider_id:
        raise NotFound
    if status_of(invitation) != Invitation.PENDING:
        raise RuleViolation(_l("This invitation has already been answered."))
    with database.atomic():
        invitation.status = Invitation.DECLINED
        invitation.save()
        help_request = invitation.help_request
        notify(
            invitation.activist,
            "invitation_declined",
            f"/requests/{help_request.public_id}",
            help_request.title,
        )


def on_request(user: User | None, help_request: HelpRequest) -> list[Invitation]:
    """What a request page shows: all its invitations to the author, their own to a provider."""
    if user is None:
        return []
    query = (
        Invitation.select(Invitation, User)
        .join(User, on=(Invitation.provider == User.id))
        .where(Invitation.help_request == help_request)
        .order_by(Invitation.id)
    )
    if user.id != help_request.author_id:
        if not user.is_provider:
            return []
        query = query.where(Invitation.provider == user)
    shown = list(query)
    for invitation in shown:
        invitation.help_request = help_request
    return shown


def pending_for(provider: User) -> list[Invitation]:
    """Invitations still waiting for this provider: not declined, not offered on, still open."""
    offered = Offer.select(Offer.help_request).where(Offer.provider == provider)
    return list(
        Invitation.select(Invitation, HelpRequest)
        .join(HelpRequest)
        .where(
            (Invitation.provider == provider)
            & (Invitation.status == Invitation.PENDING)
            & (HelpRequest.status == HelpRequest.OPEN)
            & (HelpRequest.expires_on >= today())
            & Invitation.help_request.not_in(offered)
        )
        .order_by(Invitation.id.desc())
    )


@dataclass
class ShownInvitation:
    """An invitation as a request page shows it: its state in words and, to the invited
    provider, the note ("" when there is none, None when it cannot be opened)."""

    invitation: Invitation
    status: str
    status_label: str
    note: str | None


def shown_on_request(
    viewer: User | None, key: X25519PrivateKey | None, help_request: HelpRequest
) -> list[ShownInvitation]:
    shown = []
    for invitation in on_request(viewer, help_request):
        status = status_of(invitation)
        author = viewer is not None and viewer.id == help_request.author_id
        note = "" if author else note_for(viewer, key, invitation)
        shown.append(ShownInvitation(invitation, status, INVITATION_STATUSES[status], note))
    return shown
