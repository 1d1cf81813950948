"""Who may see a help request, written once.

`visible_to` is the rule as a query clause; every listing filters with it, and `can_see` and
`get_visible` ask the database the same clause about one request, so a listing can never show
what a request's own page refuses. `visibility_clause` is the same rule for a kind of viewer,
with their id and trust stars given as values or as slots of a prepared query
(app/core/prepared.py).
"""

from peewee import Expression

from movements.app.core.errors import NotFound
from movements.app.core.models import HelpRequest, User, today

ANONYMOUS, MEMBER, PROVIDER = "anonymous", "member", "provider"


def viewer_kind(viewer: User | None) -> str:
    if viewer is None:
        return ANONYMOUS
    return PROVIDER if viewer.is_provider else MEMBER


def visibility_clause(kind: str, viewer_id=None, trust_stars=None) -> Expression:
    """Requests a viewer of this kind may see: their own, and others' that are not removed and
    whose visibility admits them (everyone; anyone signed in; providers with enough stars)."""
    admitted = HelpRequest.visibility == "everyone"
    if kind != ANONYMOUS:
        admitted |= HelpRequest.visibility == "signed_in"
    if kind == PROVIDER:
        admitted |= (HelpRequest.visibility == "stars") & (HelpRequest.min_stars <= trust_stars)
    shown = (HelpRequest.status != HelpRequest.REMOVED) & admitted
    if kind == ANONYMOUS:
        return shown
    return (HelpRequest.author == viewer_id) | shown


def visible_to(viewer: User | None) -> Expression:
    if viewer is None:
        return visibility_clause(ANONYMOUS)
    return visibility_clause(viewer_kind(viewer), viewer.id, viewer.trust_stars)


def can_see(viewer: User | None, help_request: HelpRequest) -> bool:
    return (
        HelpRequest.select(HelpRequest.id)
        .where((HelpRequest.id == help_request.id) & visible_to(viewer))
        .exists()
    )


def get_visible(viewer: User | None, public_id: str) -> HelpRequest:
    """The request behind a public id, or NotFound when it is not there for this viewer."""
    help_request = HelpRequest.get_or_none(
        (HelpRequest.public_id == public_id) & visible_to(viewer)
    )
    if help_request is None:
        raise NotFound
    return help_request


def is_open(help_request: HelpRequest) -> bool:
    """Open for offers: not matched, withdrawn, removed or past its expiry date."""
    return help_request.status == HelpRequest.OPEN and help_request.expires_on >= today()
