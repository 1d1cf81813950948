"""Expiry and purge: old requests close, unused accounts are warned and then deleted."""

import datetime

import pytest

from movements.app.cli.main import main
from movements.app.cli.purge import (
    Retention,
    delete_expired_accounts,
    expire_requests,
    purge,
    send_notices,
)
from movements.app.core.models import HelpRequest, Notification, Offer, User, today
from movements.app.notifications.rules import text_of
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, make_user

from ..trust_safety.conftest import make_staff

DAY = datetime.timedelta(days=1)
RETENTION = Retention(days=365, notice_days=30)


def last_signed_in(user: User, on: datetime.date) -> User:
    User.update(active_on=on).where(User.id == user.id).execute()
    return User.get_by_id(user.id)


def notices_of(user: User) -> list[Notification]:
    return list(
        Notification.select().where(
            (Notification.user == user) & (Notification.kind == "account_expiring")
        )
    )


def exists(user: User) -> bool:
    return User.get_or_none(User.id == user.id) is not None


# -- requests


def test_open_requests_past_their_date_expire_and_their_pending_offers_are_declined(
    app, activist, provider, help_request
):
    offer = offers.make_offer(provider, help_request, "I can help with this case.")
    later = help_request.expires_on + DAY

    assert expire_requests(help_request.expires_on) == 0
    assert expire_requests(later) == 1

    assert HelpRequest.get_by_id(help_request.id).status == HelpRequest.EXPIRED
    assert Offer.get_by_id(offer.id).status == Offer.DECLINED
    assert expire_requests(later) == 0


def test_an_expired_request_is_no_longer_found_by_search(app, activist, help_request):
    expire_requests(help_request.expires_on + DAY)
    filters = requests_rules.Filters(status=HelpRequest.EXPIRED, q="journalists")
    assert requests_rules.browse(None, filters, 20) == ([], False)


def test_requests_that_are_not_open_do_not_expire(app, activist, help_request):
    requests_rules.withdraw_request(activist, help_request)
    assert expire_requests(help_request.expires_on + DAY) == 0
    assert HelpRequest.get_by_id(help_request.id).status == HelpRequest.WITHDRAWN


# -- the date of the last sign-in


def test_signing_in_stores_only_todays_date(app, provider):
    last_signed_in(provider, today() - 200 * DAY)
    as_user(app, provider)
    stored = User.get_by_id(provider.id).active_on
    assert stored == today()
    assert type(stored) is datetime.date


def test_a_new_account_counts_as_active_on_the_day_it_was_made(app, provider):
    assert User.get_by_id(provider.id).active_on == today()


# -- notice, then deletion


def test_an_account_is_warned_when_retention_is_a_notice_period_away(app, provider):
    last = today()
    last_signed_in(provider, last)
    assert send_notices(last + (365 - 31) * DAY, RETENTION) == 0
    assert send_notices(last + (365 - 30) * DAY, RETENTION) == 1
    assert send_notices(last + (365 - 29) * DAY, RETENTION) == 0  # once
    [notice] = notices_of(provider)
    assert notice.subject == (last + 365 * DAY).isoformat()
    assert notice.created_on == last + (365 - 30) * DAY


def test_an_account_is_deleted_only_after_its_notice_had_its_full_time(app, provider):
    last = today()
    last_signed_in(provider, last)
    assert delete_expired_accounts(last + 400 * DAY, RETENTION) == 0  # never warned
    send_notices(last + 400 * DAY, RETENTION)
    assert notices_of(provider)[0].subject == (last + 430 * DAY).isoformat()
    assert delete_expired_accounts(last + 429 * DAY, RETENTION) == 0
    assert exists(provider)
    assert delete_expired_accounts(last + 430 * DAY, RETENTION) == 1
    assert not exists(provider)


def test_signing_in_after_the_notice_keeps_the_account(app, provider):
    last = today() - 340 * DAY
    last_signed_in(provider, last)
    send_notices(today(), RETENTION)
    client = as_user(app, provider)

    assert delete_expired_accounts(today() + 40 * DAY, RETENTION) == 0
    assert exists(provider)
    page = client.get("/notifications").get_data(as_text=True)
    assert "would have been deleted on" in page


def test_an_old_notice_does_not_count_for_the_next_idle_year(app, provider):
    last_signed_in(provider, today() - 340 * DAY)
    send_notices(today(), RETENTION)
    last_signed_in(provider, today())
    a_year_on = today() + 366 * DAY

    assert delete_expired_accounts(a_year_on, RETENTION) == 0
    assert send_notices(a_year_on, RETENTION) == 1
    assert delete_expired_accounts(a_year_on + 29 * DAY, RETENTION) == 0
    assert delete_expired_accounts(a_year_on + 30 * DAY, RETENTION) == 1


def test_active_accounts_and_staff_are_never_warned_or_deleted(app, activist):
    warden = make_staff("warden")
    last_signed_in(warden, today() - 1000 * DAY)
    day = today() + 100 * DAY
    assert send_notices(day, RETENTION) == 0
    assert delete_expired_accounts(day, RETENTION) == 0
    assert exists(warden)
    assert exists(activist)


def test_the_notice_reads_as_a_date(app, provider):
    last_signed_in(provider, today() - 340 * DAY)
    send_notices(today(), RETENTION)
    text = str(text_of(notices_of(provider)[0]))
    assert (today() + 30 * DAY).isoformat() in text  # the full notice period, at least


@pytest.mark.parametrize("days,notice_days", [(30, 30), (30, 40), (365, 0)])
def test_a_notice_that_cannot_come_before_retention_is_refused(days, notice_days):
    with pytest.raises(ValueError):
        Retention(days, notice_days)


def test_purge_does_everything_and_counts_it(app, activist, provider, help_request):
    day = help_request.expires_on + DAY
    last_signed_in(activist, day - 400 * DAY)
    last_signed_in(provider, day - 340 * DAY)
    Notification.create(
        user=activist,
        kind="account_expiring",
        link="/account",
        subject="",
        created_on=day - 35 * DAY,
    )
    stranger = make_user("stranger", "provider")
    last_signed_in(stranger, day)

    counts = purge(day, RETENTION)

    assert (counts.requests_expired, counts.accounts_deleted, counts.notices_sent) == (1, 1, 1)
    assert counts.wal_emptied
    assert not exists(activist)
    assert exists(provider) and exists(stranger)


def test_the_purge_command_prints_its_counts(app, instance, activist, provider, capsys):
    last_signed_in(activist, today() - 400 * DAY)
    Notification.create(
        user=activist, kind="account_expiring", link="/account", created_on=today() - 31 * DAY
    )
    last_signed_in(provider, today() - 340 * DAY)

    assert main(["purge", "--instance", str(instance)]) == 0

    out = capsys.readouterr().out
    assert "requests expired: 0" in out
    assert "accounts warned: 1" in out
    assert "accounts deleted: 1" in out
    assert not exists(activist)


def test_the_retention_comes_from_the_configuration(tmp_path):
    from movements.app.factory import create_app

    app = create_app(
        {"ACCOUNT_RETENTION_DAYS": 90, "ACCOUNT_PURGE_NOTICE_DAYS": 7},
        instance_path=tmp_path / "other",
    )
    assert Retention.from_config(app.config) == Retention(90, 7)
    assert Retention.from_config(create_app(instance_path=tmp_path / "third").config) == RETENTION
