"""/staff: 404 for everyone who is not staff, whatever they try; a working area for staff."""

import pytest

from movements.app.core.errors import RuleViolation
from movements.app.core.models import Evidence, HelpRequest, Offer, Report, StaffLogEntry, User
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from movements.app.staff.accounts import add_staff, remove_staff
from movements.app.trust import evidence
from tests.support.accounts import (
    PASSWORD,
    as_user,
    csrf_token,
    make_user,
    post,
    request_fields,
    sign_in,
)
from tests.support.pages import problems_in

from .conftest import confirm_post


@pytest.fixture
def world(app, warden, activist, provider, stranger):
    """Something behind every staff route: a report, a piece of evidence."""
    report = Report.create(
        reporter=stranger,
        target_kind="user",
        target_key="lawyer_anna",
        target_user=provider,
        reason="scam",
    )
    evidence.add_evidence(warden, provider, "spoke", "Called her office")
    return {"report": report, "evidence": Evidence.get()}


def staff_urls(world):
    report, item = world["report"].id, world["evidence"].id
    gets = [
        "/staff",
        "/staff/reports",
        f"/staff/reports/{report}",
        "/staff/log",
        "/staff/log?page=2",
        "/staff/users?name=lawyer_anna",
        "/staff/users/lawyer_anna",
        f"/staff/users/lawyer_anna/evidence/{item}/remove",
        "/staff/users/lawyer_anna/judgement/withdraw",
        "/staff/users/lawyer_anna/limit/lift",
        "/staff/users/lawyer_anna/reinstate",
    ]
    posts = [
        f"/staff/reports/{report}",
        "/staff/users/lawyer_anna/evidence",
        f"/staff/users/lawyer_anna/evidence/{item}/remove",
        "/staff/users/lawyer_anna/judgement",
        "/staff/users/lawyer_anna/judgement/confirm",
        "/staff/users/lawyer_anna/judgement/withdraw",
        "/staff/users/lawyer_anna/limit",
        "/staff/users/lawyer_anna/limit/lift",
        "/staff/users/lawyer_anna/reinstate",
    ]
    return gets, posts


FULL_ACTION = {
    "outcome": "remove_user",
    "reason": "testing",
    "message": "bye",
    "kind": "spoke",
    "note": "x",
    "why": "x",
    "max_stars": "0",
    "confirmed": "yes",
}


def unchanged(world):
    assert Report.get().status == "open"
    assert Evidence.select().count() == 1
    assert User.get(User.username == "lawyer_anna").removed_on is None
    assert StaffLogEntry.select().count() == 2  # warden added, evidence added


@pytest.mark.parametrize("who", ["anonymous", "activist", "provider"])
def test_everyone_who_is_not_staff_gets_404_everywhere(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        client = as_user(
            app, User.get(User.username == {"activist": "leila", "provider": "lawyer_anna"}[who])
        )
    gets, posts = staff_urls(world)
    for url in [*gets, "/staff/no-such-page", "/staff/"]:
        response = client.get(url)
        assert response.status_code == 404, url
        assert problems_in(response) == [], url
    for url in posts:
        assert post(client, url, FULL_ACTION).status_code == 404, url
        assert client.post(url, data=FULL_ACTION).status_code == 404, url  # no token: still 404
        assert client.put(url).status_code == 404, url  # a wrong method: still 404
    unchanged(world)


def test_a_removed_staff_member_gets_404(app, world):
    gone = as_user(app, User.get(User.username == "warden"))
    remove_staff("warden")
    assert gone.get("/staff").status_code == 404


@pytest.mark.parametrize("who", ["warden", "chief"])
def test_staff_and_admins_see_every_staff_page(app, world, chief, who):
    client = as_user(app, User.get(User.username == who))
    gets, _posts = staff_urls(world)
    for url in gets:
        response = client.get(url)
        expected = 404 if url.endswith("/reinstate") and who == "warden" else 200
        if url.startswith("/staff/users?"):
            expected = 302
        assert response.status_code == expected, url
        if expected == 200:
            assert problems_in(response) == [], url


def test_the_staff_link_shows_only_for_staff(app, world):
    assert "/staff" not in as_user(app, User.get(User.username == "leila")).get("/").get_data(
        as_text=True
    )
    assert 'href="/staff"' in as_user(app, User.get(User.username == "warden")).get("/").get_data(
        as_text=True
    )


def test_staff_actions_need_a_csrf_token(app, world):
    client = as_user(app, User.get(User.username == "warden"))
    csrf_token(client)
    for url in staff_urls(world)[1]:
        assert client.post(url, data=FULL_ACTION).status_code in (400, 404), url
    unchanged(world)


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/staff/users/lawyer_anna/evidence", {"kind": "passport", "note": "scan"}),
        ("/staff/users/lawyer_anna/evidence", {"kind": "spoke", "note": ""}),
        ("/staff/users/lawyer_anna/evidence", {"kind": "spoke", "note": "x" * 301}),
        ("/staff/users/lawyer_anna/limit", {"max_stars": "7", "reason": "x"}),
        ("/staff/users/lawyer_anna/limit", {"max_stars": "two", "reason": "x"}),
        ("/staff/users/lawyer_anna/limit", {"max_stars": "1", "reason": ""}),
        ("/staff/users/lawyer_anna/judgement", {"why": ""}),
        ("/staff/users/lawyer_anna/evidence/1/remove", {"reason": ""}),
    ],
)
def test_bad_staff_input_is_a_form_error_and_changes_nothing(app, world, url, data):
    client = as_user(app, User.get(User.username == "warden"))
    response = post(client, url, {**data, "confirmed": "yes"})
    assert response.status_code == 400, response.get_data(as_text=True)
    unchanged(world)


def test_other_users_data_through_staff_routes_is_not_found(app, world, activist):
    client = as_user(app, User.get(User.username == "warden"))
    item = world["evidence"].id
    assert (
        post(client, f"/staff/users/leila/evidence/{item}/remove", {"reason": "x"}).status_code
        == 404
    )
    assert (
        post(client, "/staff/users/nobody/evidence", {"kind": "spoke", "note": "x"}).status_code
        == 404
    )
    assert client.get("/staff/users/" + "x" * 100).status_code == 404
    assert client.get("/staff/users?name=nobody").status_code == 404
    assert client.get("/staff/users?name=").status_code == 400
    assert client.get("/staff/log?page=abc").status_code == 400
    assert client.get("/staff/log?page=0").status_code == 400
    unchanged(world)


def test_staff_cannot_post_requests_or_offers(app, warden, activist, help_request):
    with pytest.raises(RuleViolation):
        requests_rules.create_request(warden, request_fields())
    with pytest.raises(RuleViolation):
        offers.make_offer(warden, help_request, "A staff member offering help.")
    client = as_user(app, warden)
    assert client.get("/requests/new").status_code == 409
    data = {"message": "A staff member offering help."}
    assert post(client, f"/requests/{help_request.public_id}/offer", data).status_code == 400
    assert HelpRequest.select().count() == 1 and Offer.select().count() == 0


def test_a_new_staff_member_must_choose_a_password_first(app):
    user, one_time, _codes = add_staff("newcomer")
    client = app.test_client()
    response = post(client, "/login", {"username": "newcomer", "password": one_time})
    assert response.status_code == 302
    for url in ["/staff", "/staff/reports", "/requests"]:
        forced = client.get(url)
        assert forced.status_code == 302 and forced.headers["Location"].endswith("/account"), url
    assert client.get("/account").status_code == 200
    changed = post(
        client,
        "/account/password",
        {"current": one_time, "password": PASSWORD, "confirm": PASSWORD},
    )
    assert changed.status_code == 302
    assert not User.get_by_id(user.id).must_change_password
    assert client.get("/staff").status_code == 200
    sign_in(app.test_client(), User.get_by_id(user.id))  # and the new password works


def test_staff_pages_record_evidence_with_a_confirmation(app, world):
    client = as_user(app, User.get(User.username == "warden"))
    done = confirm_post(
        client, "/staff/users/lawyer_anna/evidence", {"kind": "organisation", "note": "Firm site"}
    )
    assert done.status_code == 302
    assert User.get(User.username == "lawyer_anna").trust_stars == 3
    page = client.get("/staff/users/lawyer_anna").get_data(as_text=True)
    assert "Firm site" in page and "Called her office" in page


def test_evidence_notes_are_for_staff_only(app, world):
    profile = app.test_client().get("/users/lawyer_anna").get_data(as_text=True)
    assert "Called her office" not in profile and "Staff spoke with them" in profile
    other = make_user("curious", "provider")
    assert "Called her office" not in as_user(app, other).get("/users/lawyer_anna").get_data(
        as_text=True
    )


def test_staff_have_no_public_profile(app, client):
    from movements.app.staff.accounts import add_staff

    add_staff("warden")
    assert client.get("/users/warden").status_code == 404
