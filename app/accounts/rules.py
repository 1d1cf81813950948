"""Who an account is: creating it, proving it, recovering it, and its contact fields."""

import unicodedata

from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from .. import passwords
from ..db import database
from ..models import ContactField, RecoveryCode, User
from ..rules import RuleViolation

USERNAME_MIN, USERNAME_MAX = 3, 32
USERNAME_PUNCTUATION = set("_-.")


def normalise_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def username_key(name: str) -> str:
    """What makes two names the same name: NFKC, then case folded."""
    return unicodedata.normalize("NFKC", normalise_username(name).casefold())


def username_problem(name: str):
    """Why a (normalised) username cannot be used, or None."""
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        return _l("A username has 3 to 32 characters.")
    if not all(ch.isalnum() or ch in USERNAME_PUNCTUATION for ch in name):
        return _l("Use letters, digits, and . _ - only.")
    return None


def find_user(name: str) -> User | None:
    return User.get_or_none(User.username_key == username_key(name))


def register(username: str, password: str, role: str, country: str) -> tuple[User, list[str]]:
    """Create an account and its recovery codes; the codes are returned once, never stored."""
    name = normalise_username(username)
    problem = username_problem(name)
    if problem:
        raise RuleViolation(problem)
    if role not in (User.ACTIVIST, User.PROVIDER):
        raise RuleViolation(_l("Choose whether you need help or can help."))
    password_hash = passwords.hash_password(password)
    codes = passwords.new_recovery_codes()
    try:
        with database.atomic():
            user = User.create(
                username=name,
                username_key=username_key(name),
                password_hash=password_hash,
                role=role,
                country=country if role == User.ACTIVIST else "",
            )
            RecoveryCode.insert_many(
                [{"user": user, "code_hash": passwords.recovery_code_hash(c)} for c in codes]
            ).execute()
    except IntegrityError:
        raise RuleViolation(_l("That username is taken.")) from None
    return user, codes


def authenticate(username: str, password: str) -> User | None:
    user = find_user(username)
    if user is None:
        # spend the same effort as for a real account, so timing does not reveal names
        passwords.verify_password(passwords.dummy_hash(), password)
        return None
    if not passwords.verify_password(user.password_hash, password):
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        user.save()
    return user


def reset_with_recovery_code(username: str, code: str, new_password: str) -> User:
    """Spend one recovery code to set a new password; a wrong name or code looks the same."""
    user = find_user(username)
    failure = RuleViolation(_l("That username and recovery code do not match."))
    if user is None:
        raise failure
    with database.atomic():
        spent = (
            RecoveryCode.delete()
            .where(
                (RecoveryCode.user == user)
                & (RecoveryCode.code_hash == passwords.recovery_code_hash(code))
            )
            .execute()
        )
        if spent != 1:
            raise failure
        user.password_hash = passwords.hash_password(new_password)
        user.save()
    return user


def change_password(user: User, current: str, new: str) -> None:
    if not passwords.verify_password(user.password_hash, current):
        raise RuleViolation(_l("Your current password is not right."))
    user.password_hash = passwords.hash_password(new)
    user.save()


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.select().where(RecoveryCode.user == user).count()


def update_profile(user: User, bio: str, skills: str, languages: str, country: str) -> None:
    user.bio, user.skills, user.languages = bio, skills, languages
    if user.is_activist:
        user.country = country
    user.save()


def contact_kinds_of(user: User) -> set[str]:
    return {c.kind for c in ContactField.select(ContactField.kind).where(ContactField.user == user)}
