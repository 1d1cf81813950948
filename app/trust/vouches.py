"""Vouching: a user with 4 or more stars puts their word behind another user.

A vouch is evidence for the person vouched for, while it stands and while the voucher still
has 4 or more stars. Each voucher has a small monthly allowance, counting withdrawn vouches
too, so a trusted account cannot be used to mint stars for a ring of new accounts.
"""

import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from movements.app.core.db import database
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import User, Vouch, today
from movements.app.notifications.rules import notify
from movements.app.trust.stars import VOUCH_MIN_STARS, recompute

VOUCHES_PER_MONTH = 3
MONTH = datetime.timedelta(days=30)


def active_vouch(voucher: User | None, vouchee: User) -> Vouch | None:
    if voucher is None:
        return None
    return Vouch.get_or_none(
        (Vouch.voucher == voucher) & (Vouch.vouchee == vouchee) & Vouch.withdrawn_on.is_null()
    )


def vouches_this_month(voucher: User) -> int:
    return (
        Vouch.select()
        .where((Vouch.voucher == voucher) & (Vouch.vouched_on > today() - MONTH))
        .count()
    )


def may_vouch(voucher: User | None, vouchee: User) -> bool:
    """Whether to offer the vouch link at all; `vouch` says why not, if asked."""
    return (
        voucher is not None
        and not voucher.is_staff
        and voucher.id != vouchee.id
        and voucher.trust_stars >= VOUCH_MIN_STARS
        and not vouchee.is_staff
        and vouchee.removed_on is None
    )


def vouch(voucher: User, vouchee: User) -> Vouch:
    if voucher.id == vouchee.id:
        raise RuleViolation(_l("You cannot vouch for yourself."))
    if vouchee.is_staff or voucher.is_staff:
        raise NotFound
    if voucher.trust_stars < VOUCH_MIN_STARS:
        raise RuleViolation(_l("You need 4 or more trust stars to vouch for someone."))
    if vouchee.removed_on is not None:
        raise RuleViolation(_l("This account was removed by moderators."))
    if active_vouch(voucher, vouchee) is not None:
        raise RuleViolation(_l("You already vouch for this person."))
    if vouches_this_month(voucher) >= VOUCHES_PER_MONTH:
        raise RuleViolation(
            lazy_ngettext(
                "You can vouch %(num)d time in 30 days. Try again later.",
                "You can vouch %(num)d times in 30 days. Try again later.",
                VOUCHES_PER_MONTH,
            )
        )
    with database.atomic():
        row = Vouch.get_or_none((Vouch.voucher == voucher) & (Vouch.vouchee == vouchee))
        if row is None:
            row = Vouch.create(voucher=voucher, vouchee=vouchee)
        else:
            row.vouched_on, row.withdrawn_on = today(), None
            row.save()
        recompute(vouchee)
        notify(vouchee, "vouched", f"/users/{vouchee.username}", voucher.username)
    return row


def withdraw(voucher: User, vouchee: User) -> None:
    row = active_vouch(voucher, vouchee)
    if row is None:
        raise NotFound
    with database.atomic():
        row.withdrawn_on = today()
        row.save()
        recompute(vouchee)
