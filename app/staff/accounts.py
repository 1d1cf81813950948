"""Staff accounts, made and changed only by the operator on the command line.

A new staff account gets a random one-time password, shown once on the operator's terminal
and useless after the first sign-in, where its holder must choose their own.
"""

import secrets

from movements.app.accounts.rules import register
from movements.app.audit.chain import COMMAND_LINE, record
from movements.app.core.db import database
from movements.app.core.errors import RuleViolation
from movements.app.core.members import find_account
from movements.app.core.models import Judgement, User

ONE_TIME_PASSWORD_BYTES = 15  # 20 URL-safe characters, 120 bits


def add_staff(name: str, admin: bool = False) -> tuple[User, str, list[str]]:
    """Create a staff account; returns it, its one-time password and its recovery codes.

    It is registered like any account, so it gets its own keys, then given the staff role
    in the same transaction: there is no moment at which it is an ordinary member.
    """
    password = secrets.token_urlsafe(ONE_TIME_PASSWORD_BYTES)
    with database.atomic():
        signed_up, codes = register(name, password, User.PROVIDER, "")
        user = signed_up.user
        user.role, user.admin, user.must_change_password = User.STAFF, admin, True
        user.save()
        level = "admin" if admin else "staff"
        record(COMMAND_LINE, "staff.added", f"user:{user.username}", detail=level)
    return user, password, codes


def staff_members() -> list[User]:
    return list(User.select().where(User.role == User.STAFF).order_by(User.username_key))


def _staff_named(name: str) -> User:
    user = find_account(name)
    if user is None or not user.is_staff:
        raise RuleViolation(f"no staff member named {name}")
    return user


def remove_staff(name: str) -> None:
    """Delete a staff account. Their proposals awaiting a second opinion go with them, so
    the two-person rule never rests on someone who has left."""
    user = _staff_named(name)
    with database.atomic():
        Judgement.delete().where(
            (Judgement.proposed_by == user) & Judgement.confirmed_on.is_null()
        ).execute()
        record(COMMAND_LINE, "staff.removed", f"user:{user.username}")
        user.delete_instance()


def promote_to_admin(name: str) -> None:
    user = _staff_named(name)
    if user.admin:
        raise RuleViolation(f"{user.username} is already an admin")
    with database.atomic():
        user.admin = True
        user.save()
        record(COMMAND_LINE, "staff.promoted", f"user:{user.username}", detail="admin")
