"""Who counts as staff, checked inside every staff rule so no view can forget it.

To anyone else a staff action does not exist: the rules raise NotFound, which views answer
with 404, the same answer as for a page that is not there.
"""

from flask_babel import lazy_gettext as _l

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import User


def ensure_staff(actor: User | None) -> User:
    if actor is None or not actor.is_staff:
        raise NotFound
    return actor


def ensure_admin(actor: User | None) -> User:
    if actor is None or not actor.is_admin:
        raise NotFound
    return actor


def ensure_member(user: User) -> None:
    """Staff act on members' accounts; staff accounts are the operator's, on the command line."""
    if user.is_staff:
        raise RuleViolation(_l("Staff accounts are managed by the operator, not here."))
