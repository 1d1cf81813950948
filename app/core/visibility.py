"""Who may see a help request, written once.

`visible_to` is the rule as a query clause; every listing filters with it, and `can_see` and
`get_visible` ask the database the same clause about one request, so a listing can never show
what a request's own page refuses. `visible_to_each_member` is the same clause over every
account at once, so the alerts that announce a request reach only those who may open it, and
`visibility_clause` is it for a kind of viewer whose id and trust stars are given as values or
as slots of a prepared query (app/core/prepared.py).
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
    if kind == ANONYMOUS:
        return (HelpRequest.status != HelpRequest.REMOVED) & (HelpRequest.visibility == "everyone")
    return _seen_by_member(viewer_id, kind == PROVIDER, trust_stars)


def visible_to(viewer: User | None) -> Expression:
    if viewer is None:
        return visibility_clause(ANONYMOUS)
    return visibility_clause(viewer_kind(viewer), viewer.id, viewer.trust_stars)


def visible_to_each_member() -> Expression:
    """The same rule with the viewer read from User's columns, for a query that joins User and
    HelpRequest: which of many accounts may see a request, asked at once (app/alerts)."""
    return _seen_by_member(User.id, User.role == User.PROVIDER, User.trust_stars)


def _seen_by_member(viewer_id, is_provider, trust_stars) -> Expression:
    """The rule for a signed-in viewer, given as one user's values, as slots or as columns."""
    admitted = HelpRequest.visibility.in_(("everyone", "signed_in"))
    admitted |= (
        (HelpRequest.visibility == "stars") & is_provider & (HelpRequest.min_stars <= trust_stars)
    )
    shown = (HelpRequest.status != HelpRequest.REMOVED) & admitted
    return (HelpRequest.author == viewer_id) | shown


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


def still_open(help_request: HelpRequest) -> bool:
    """`is_open` asked of the row itself, inside the caller's transaction, not of a copy read
    earlier: what an acceptance or a withdrawal committed meanwhile is seen. It is asked as an
    update that changes nothing, so on PostgreSQL it also holds the row until the caller
    commits, and a concurrent acceptance waits for it."""
    unchanged = HelpRequest.update(status=HelpRequest.status).where(
        (HelpRequest.id == help_request.id)
        & (HelpRequest.status == HelpRequest.OPEN)
        & (HelpRequest.expires_on >= today())
    )
    return unchanged.execute() == 1
