"""Blocking: a user cuts another off from offering to them, messaging them, and reporting
them for harassment (a blocked harasser's last way to reach them)."""

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Block, User


def has_blocked(blocker: User | None, blocked: User | None) -> bool:
    if blocker is None or blocked is None:
        return False
    return (
        Block.select().where((Block.blocker == blocker.id) & (Block.blocked == blocked.id)).exists()
    )


def block(user: User, other: User) -> None:
    if user.id == other.id:
        raise RuleViolation(_l("You cannot block yourself."))
    try:
        with database.atomic():
            Block.create(blocker=user, blocked=other)
    except IntegrityError:
        raise RuleViolation(_l("You have already blocked this person.")) from None


def unblock(user: User, other: User) -> None:
    if not Block.delete().where((Block.blocker == user) & (Block.blocked == other)).execute():
        raise NotFound


def blocked_by(user: User) -> list[User]:
    return list(
        User.select()
        .join(Block, on=Block.blocked)
        .where(Block.blocker == user)
        .order_by(User.username_key)
    )
