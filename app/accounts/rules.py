"""Who an account is: creating it, proving it, recovering it, and its contact fields."""

import unicodedata
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from flask_babel import lazy_gettext as _l
from peewee import IntegrityError

from movements.app.accounts.keymigration import reseal_addressed_to
from movements.app.core import names
from movements.app.core.db import database
from movements.app.core.eligibility import ensure_eligible_focus
from movements.app.core.errors import RuleViolation
from movements.app.core.members import find_account
from movements.app.core.models import ContactField, ContactReveal, Match, RecoveryCode, User, today
from movements.app.keys import argon2_pool, passwords, userkeys
from movements.app.moderation.standing import ensure_may_sign_in
from movements.app.web import throttle
from movements.crypto import PasswordKeys

USERNAME_MIN, USERNAME_MAX = 3, 32
USERNAME_PUNCTUATION = set("_-.")
MARKS = {"Mn", "Mc", "Me"}
MARKS_ON_ONE_LETTER = 4  # a Burmese or Thai syllable stacks up to three; more is decoration
# Marks that draw nothing: variation selectors, the grapheme joiner, Khmer and Mongolian fillers
INVISIBLE_MARKS = (
    range(0x034F, 0x0350),
    range(0x17B4, 0x17B6),
    range(0x180B, 0x1810),
    range(0xFE00, 0xFE10),
    range(0xE0100, 0xE01F0),
)


def _written_in_letters(name: str) -> bool:
    """Letters, digits and . _ - only, where a letter may carry its vowel signs and accents.

    Thai, Burmese, Devanagari and vowelled Arabic write most names with combining marks, which
    `isalnum` refuses on their own; a mark counts as part of the letter it follows, never on
    punctuation, never invisible, and never stacked past what a script writes.
    """
    on_letter = 0
    for index, char in enumerate(name):
        if unicodedata.category(char) in MARKS:
            on_letter += 1
            invisible = any(ord(char) in block for block in INVISIBLE_MARKS)
            if index == 0 or invisible or on_letter > MARKS_ON_ONE_LETTER:
                return False
            if not name[index - on_letter].isalnum():
                return False
        elif char.isalnum() or char in USERNAME_PUNCTUATION:
            on_letter = 0
        else:
            return False
    return True


def username_problem(name: str):
    """Why a (normalised) username cannot be used, or None."""
    if not USERNAME_MIN <= len(name) <= USERNAME_MAX:
        return _l("A username has 3 to 32 characters.")
    if not _written_in_letters(name):
        return _l("Use letters, digits, and . _ - only.")
    if names.is_mixed_script(name):
        return _l("Use letters of one alphabet only, so nobody can imitate your name.")
    return None


@dataclass
class SignIn:
    """A successful sign-in: the user, their unwrapped key, and codes to show once if new."""

    user: User
    key: X25519PrivateKey
    new_codes: list[str] = field(default_factory=list)
    keys_were_lost: bool = False


def register(username: str, password: str, role: str, country: str) -> tuple[SignIn, list[str]]:
    """Create an account, its key pair and its recovery codes; the codes are returned once."""
    name = names.normalise_username(username)
    problem = username_problem(name)
    if problem:
        raise RuleViolation(problem)
    if role not in (User.ACTIVIST, User.PROVIDER):
        raise RuleViolation(_l("Choose whether you need help or can help."))
    if role == User.ACTIVIST:
        ensure_eligible_focus(country)
    fresh = passwords.new_password(password)
    codes = passwords.new_recovery_codes()
    try:
        with database.atomic():
            user = User.create(
                username=name,
                username_key=names.username_key(name),
                username_skeleton=names.skeleton(name),
                password_hash=fresh.record,
                role=role,
                country=country if role == User.ACTIVIST else "",
            )
            key = userkeys.give_keys(user, fresh.wrapping_key)
            user.save()
            userkeys.store_recovery_codes(user, key, codes)
    except IntegrityError:
        raise RuleViolation(
            _l("That username is taken, or looks too much like one that is.")
        ) from None
    return SignIn(user, key), codes


def password_matches(user: User, password: str) -> passwords.Checked | None:
    """The check of an account's password wherever it is typed: sign-in, a new password,
    deleting the account. The attempt is counted before it is checked (app/throttle.py), so
    guesses on any of these forms, sent one by one or all at once, share the same delays.

    A right password comes back with its wrapping key (passwords.Checked), None otherwise."""
    throttle.count_attempt(user)
    checked = passwords.check(user.password_hash, password)
    if checked is None:
        return None
    throttle.sign_in_succeeded(user)
    return checked


def authenticate(username: str, password: str) -> SignIn | None:
    """Check the password and unwrap the user's key; move an older account to its own keys.

    A place for the check is taken first: when every place is taken the sign-in is refused
    at once (argon2_pool.Busy), before any work is done for it.
    """
    with argon2_pool.password_check_place():
        return _authenticate(username, password)


def _authenticate(username: str, password: str) -> SignIn | None:
    user = find_account(username)
    if user is None:
        # spend the same effort as for a real account, so timing does not reveal names
        passwords.check(passwords.dummy_record(), password)
        return None
    checked = password_matches(user, password)
    if checked is None:
        return None
    ensure_may_sign_in(user)  # only the account's holder learns it was suspended or removed
    mark_active(user)
    if user.public_key is None:
        return _adopt_keys(user, password, checked)
    key = _unlock(user, password, checked)
    if key is None:
        return None
    if user.keys_lost:
        codes = passwords.new_recovery_codes()
        with database.atomic():
            userkeys.store_recovery_codes(user, key, codes)
            user.keys_lost = False
            user.save()
        return SignIn(user, key, codes, keys_were_lost=True)
    return SignIn(user, key)


def _unlock(user: User, password: str, checked: passwords.Checked) -> X25519PrivateKey | None:
    """The private key; an account from before, or with an out-of-date cost, is moved to a
    new record and its key rewrapped under it, so its next sign-ins cost one argon2id run."""
    if checked.wrapping_key is None:
        key = userkeys.unlock_from_before(user, password)
    else:
        key = userkeys.unlock(user, checked.wrapping_key)
    if key is not None and passwords.needs_rehash(user.password_hash):
        # argon2 runs outside any transaction: a transaction holds SQLite's one write lock
        # from its start, and every other writer would wait out the hashing
        fresh = passwords.new_password(password)
        user.password_hash = fresh.record
        userkeys.rewrap(user, key, fresh.wrapping_key)
        user.save()  # one statement: the record and the key it wraps change together
    return key


def mark_active(user: User) -> None:
    """Store the date, never the time, of this sign-in: account retention needs no more."""
    if user.active_on != today():
        user.active_on = today()
        User.update(active_on=user.active_on).where(User.id == user.id).execute()


def _adopt_keys(user: User, password: str, checked: passwords.Checked) -> SignIn:
    """An account from before per-user keys: give it keys, reseal its data, new codes."""
    fresh = None
    if checked.wrapping_key is None or passwords.needs_rehash(user.password_hash):
        fresh = passwords.new_password(password)
    codes = passwords.new_recovery_codes()
    with database.atomic():
        if fresh is not None:
            user.password_hash = fresh.record
        key = userkeys.give_keys(user, fresh.wrapping_key if fresh else checked.wrapping_key)
        user.save()
        userkeys.store_recovery_codes(user, key, codes)
        reseal_addressed_to(user)
    return SignIn(user, key, codes)


def reset_with_recovery_code(username: str, code: str, new_password: str) -> SignIn:
    """Spend one recovery code to set a new password, keeping the user's key and data.

    Checking a code runs argon2 as checking a password does, so it takes one of the same places
    (argon2_pool.Busy at once when none is free).
    """
    failure = RuleViolation(_l("That username and recovery code do not match."))
    with argon2_pool.password_check_place():
        user = find_account(username)
        if user is None:
            raise failure
        found = userkeys.match_recovery_code(user, code)
        if found is None:
            raise failure
        row, key = found
        ensure_may_sign_in(user)
        # the hashing is done before the transaction, which then holds the write lock briefly
        fresh = passwords.new_password(new_password)
    with database.atomic():
        # spending the code is what lets the reset happen: of two at once, one finds it gone
        if RecoveryCode.delete().where(RecoveryCode.id == row.id).execute() != 1:
            raise failure
        mark_active(user)
        user.must_change_password = False
        if user.public_key is None:
            user.password_hash = fresh.record
            user.save()
            return _adopt_keys(user, new_password, passwords.Checked(fresh.wrapping_key))
        if key is None:
            replace_lost_keys(user, fresh)
            return authenticate(user.username, new_password)
        user.password_hash = fresh.record
        userkeys.rewrap(user, key, fresh.wrapping_key)
        user.save()
    return SignIn(user, key)


def replace_lost_keys(user: User, fresh: PasswordKeys) -> None:
    """A new password and new keys after the old ones became unreachable (an operator's forced
    reset, or a recovery code that wraps no key).

    What was sealed to the old key cannot be opened by anyone, so it is deleted rather than
    kept as noise: the user's contact fields and the contact copies others revealed to them.
    Their old copies of match messages stay and read as "could not be decrypted".
    """
    with database.atomic():
        user.password_hash = fresh.record
        userkeys.give_keys(user, fresh.wrapping_key)
        user.keys_lost = True
        user.save()
        ContactField.delete().where(ContactField.user == user).execute()
        their_matches = Match.select(Match.id).where(
            (Match.activist == user) | (Match.provider == user)
        )
        others_fields = ContactField.select(ContactField.id).where(ContactField.user != user)
        ContactReveal.delete().where(
            ContactReveal.match.in_(their_matches) & ContactReveal.contact.in_(others_fields)
        ).execute()
        RecoveryCode.delete().where(RecoveryCode.user == user).execute()


def change_password(user: User, key: X25519PrivateKey | None, current: str, new: str) -> None:
    """A new password, and the private key rewrapped under it."""
    with argon2_pool.password_check_place():
        checked = password_matches(user, current)
        if checked is None:
            raise RuleViolation(_l("Your current password is not right."))
    if key is None and user.public_key is not None:
        key = _unlock(user, current, checked)
    fresh = passwords.new_password(new)
    user.password_hash = fresh.record
    user.must_change_password = False
    if key is not None:
        userkeys.rewrap(user, key, fresh.wrapping_key)
    user.save()  # one statement, after the hashing: no transaction waits on argon2


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.select().where(RecoveryCode.user == user).count()


def update_profile(user: User, bio: str, skills: str) -> None:
    user.bio, user.skills = bio, skills
    user.save()


def update_languages(user: User, languages: str, country: str) -> None:
    """Only an activist works on a country; for anyone else the field is ignored."""
    user.languages = languages
    if user.is_activist:
        user.country = country
    user.save()
