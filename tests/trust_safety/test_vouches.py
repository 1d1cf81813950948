"""Vouching: only from 4 stars, a few a month, withdrawable, and counted as evidence."""

import datetime

import pytest

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Notification, Vouch
from movements.app.trust import evidence, vouches
from tests.support.accounts import as_user, make_user, post
from tests.support.pages import problems_in

from .conftest import fresh, give_stars


@pytest.fixture
def trusted(warden, provider):
    return give_stars(warden, provider, 4)


def test_a_vouch_from_a_trusted_user_adds_a_star(trusted, stranger):
    vouches.vouch(trusted, stranger)
    assert fresh(stranger).trust_stars == 1
    note = Notification.get(Notification.user == stranger)
    assert note.kind == "vouched" and note.subject == trusted.username


def test_two_vouches_count_but_no_more(warden, trusted, stranger):
    others = [give_stars(warden, make_user(f"trusted{n}", "provider"), 4) for n in range(2)]
    for voucher in [trusted, *others]:
        vouches.vouch(voucher, stranger)
    assert fresh(stranger).trust_stars == 2


def test_fewer_than_four_stars_cannot_vouch(warden, activist, stranger):
    voucher = give_stars(warden, activist, 3)
    with pytest.raises(RuleViolation):
        vouches.vouch(voucher, stranger)
    assert Vouch.select().count() == 0 and fresh(stranger).trust_stars == 0


def test_nobody_vouches_for_themselves(trusted):
    with pytest.raises(RuleViolation):
        vouches.vouch(trusted, trusted)
    assert Vouch.select().count() == 0


def test_staff_neither_vouch_nor_are_vouched_for(trusted, warden):
    with pytest.raises(NotFound):
        vouches.vouch(trusted, warden)
    with pytest.raises(NotFound):
        vouches.vouch(warden, trusted)


def test_vouching_twice_for_the_same_person_is_refused(trusted, stranger):
    vouches.vouch(trusted, stranger)
    with pytest.raises(RuleViolation):
        vouches.vouch(trusted, stranger)
    assert Vouch.select().count() == 1


def test_vouches_are_limited_per_month_and_withdrawn_ones_still_count(trusted):
    people = [make_user(f"newcomer{n}", "provider") for n in range(vouches.VOUCHES_PER_MONTH + 1)]
    for person in people[:-1]:
        vouches.vouch(trusted, person)
    vouches.withdraw(trusted, people[0])
    with pytest.raises(RuleViolation):
        vouches.vouch(trusted, people[-1])
    assert fresh(people[-1]).trust_stars == 0


def test_the_allowance_comes_back_after_thirty_days(trusted):
    people = [make_user(f"newcomer{n}", "provider") for n in range(vouches.VOUCHES_PER_MONTH + 1)]
    for person in people[:-1]:
        vouches.vouch(trusted, person)
    long_ago = datetime.date.today() - datetime.timedelta(days=31)
    Vouch.update(vouched_on=long_ago).execute()
    vouches.vouch(trusted, people[-1])
    assert fresh(people[-1]).trust_stars == 1


def test_withdrawing_a_vouch_takes_its_star_away(trusted, stranger):
    vouches.vouch(trusted, stranger)
    vouches.withdraw(trusted, stranger)
    assert fresh(stranger).trust_stars == 0
    assert Vouch.get().withdrawn_on is not None


def test_withdrawing_a_vouch_that_does_not_exist_is_not_found(trusted, stranger):
    with pytest.raises(NotFound):
        vouches.withdraw(trusted, stranger)


def test_a_voucher_who_loses_their_stars_no_longer_lends_them(warden, trusted, stranger):
    vouches.vouch(trusted, stranger)
    evidence.limit_stars(warden, fresh(trusted), 2, "Under review")
    assert fresh(stranger).trust_stars == 0
    evidence.lift_limit(warden, fresh(trusted), "Cleared")
    assert fresh(stranger).trust_stars == 1


def test_vouching_in_a_circle_settles(warden, trusted, activist):
    other = give_stars(warden, activist, 4)
    vouches.vouch(trusted, other)
    vouches.vouch(other, fresh(trusted))
    evidence.limit_stars(warden, fresh(trusted), 0, "Account compromised")
    assert fresh(trusted).trust_stars == 0
    assert fresh(other).trust_stars == 4  # its own evidence stands; the vouch no longer counts


def test_vouching_through_the_pages(app, trusted, stranger):
    client = as_user(app, trusted)
    assert "Vouch for this person" in client.get("/users/stranger").get_data(as_text=True)
    page = client.get("/users/stranger/vouch")
    assert page.status_code == 200 and problems_in(page) == []
    assert fresh(stranger).trust_stars == 0  # the page alone changes nothing
    assert post(client, "/users/stranger/vouch").status_code == 302
    assert fresh(stranger).trust_stars == 1
    withdraw = client.get("/users/stranger/vouch/withdraw")
    assert withdraw.status_code == 200 and problems_in(withdraw) == []
    assert post(client, "/users/stranger/vouch/withdraw").status_code == 302
    assert fresh(stranger).trust_stars == 0


def test_vouching_pages_refuse_bad_input(app, trusted, stranger, activist):
    client = as_user(app, trusted)
    assert post(client, "/users/nobody-here/vouch").status_code == 404
    assert post(client, "/users/" + "x" * 100 + "/vouch").status_code == 404
    assert post(client, "/users/leila/vouch/withdraw").status_code == 404
    assert client.post("/users/stranger/vouch").status_code == 400  # no CSRF token
    low = as_user(app, activist)
    assert "Vouch for this person" not in low.get("/users/stranger").get_data(as_text=True)
    assert post(low, "/users/stranger/vouch").status_code == 409
    assert Vouch.select().count() == 0


def test_anonymous_visitors_are_sent_to_log_in(client, stranger):
    response = client.get("/users/stranger/vouch")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
