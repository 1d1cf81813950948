"""Whether an account may sign in: suspended and removed accounts may not, and are told why.

Only someone who gave the right password (or recovery code) is told, so the message cannot
be used to learn which accounts were moderated.
"""

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from movements.app.core.errors import RuleViolation
from movements.app.core.models import User, today


def is_suspended(user: User) -> bool:
    return user.suspended_until is not None and today() < user.suspended_until


def ensure_may_sign_in(user: User) -> None:
    if user.removed_on is not None:
        raise RuleViolation(
            _l(
                "Moderators removed this account. The reason they gave: %(reason)s",
                reason=user.moderation_reason,
            )
        )
    if is_suspended(user):
        raise RuleViolation(
            _l(
                "Moderators suspended this account. You can sign in again on %(date)s. "
                "The reason they gave: %(reason)s",
                date=format_date(user.suspended_until),
                reason=user.moderation_reason,
            )
        )
