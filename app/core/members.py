"""Finding a person by the name in a URL or a form: one lookup for every page.

Staff accounts are nobody's business outside the staff area, so a member lookup answers for a
staff name exactly as for a name that does not exist: every page that shows, blocks, reports,
vouches for or invites a person goes through `find_member`, and none can tell staff apart.
"""

from movements.app.core.errors import NotFound
from movements.app.core.models import User
from movements.app.core.names import username_key

NAME_MAX = 64  # longer than any username; a longer value is not looked up at all


def find_account(name: str) -> User | None:
    """Any account by its name, staff included: for signing in and for staff's own tools."""
    if len(name) > NAME_MAX:
        return None
    return User.get_or_none(User.username_key == username_key(name))


def find_member(name: str) -> User:
    """A member (never staff) by name, or NotFound."""
    user = find_account(name)
    if user is None or user.is_staff:
        raise NotFound
    return user
