"""Handling reports: every outcome, what each side is told, and what suspended or removed
users can no longer do."""

import datetime

import pytest
from babel.dates import format_date

from movements.app.accounts import rules as accounts
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import (
    HelpRequest,
    LoginSession,
    Message,
    Notification,
    Offer,
    Rating,
    Report,
    StaffLogEntry,
    User,
)
from movements.app.matches import rules as matches
from movements.app.moderation import outcomes
from movements.app.offers import rules as offers
from tests.support.accounts import PASSWORD, as_user, csrf_token, post
from tests.support.pages import problems_in

from .conftest import completed_match, confirm_post, fresh


def file(reporter, kind, key, owner, reason="scam"):
    return Report.create(
        reporter=reporter, target_kind=kind, target_key=key, target_user=owner, reason=reason
    )


def notices(user):
    return [n.kind for n in Notification.select().where(Notification.user == user)]


@pytest.fixture
def about_provider(stranger, provider):
    return file(stranger, "user", provider.username, provider, "impersonation")


def test_the_queue_is_oldest_first_with_the_target_in_context(
    app, warden, stranger, activist, provider, help_request
):
    first = file(stranger, "request", help_request.public_id, activist, "violence")
    second = file(activist, "user", provider.username, provider, "scam")
    client = as_user(app, warden)
    response = client.get("/staff/reports")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and problems_in(response) == []
    assert page.index(f"/staff/reports/{first.id}") < page.index(f"/staff/reports/{second.id}")
    assert "Legal advice for detained journalists" in page and "Three journalists" in page
    detail = client.get(f"/staff/reports/{first.id}")
    assert detail.status_code == 200 and problems_in(detail) == []
    assert "Three journalists were detained" in detail.get_data(as_text=True)


def test_dismissing_tells_only_the_reporter(warden, stranger, provider, about_provider):
    outcomes.handle_report(warden, about_provider, "dismiss", "Profile checks out")
    assert notices(stranger) == ["report_dismissed"]
    assert notices(provider) == []
    assert Report.get().status == "handled" and Report.get().outcome == "dismiss"


def test_a_warning_tells_both_sides(warden, stranger, provider, about_provider):
    outcomes.handle_report(warden, about_provider, "warn", "First time", "Do not claim a firm")
    assert notices(stranger) == ["report_warned"]
    warning = Notification.get(Notification.user == provider)
    assert warning.kind == "moderation_warning" and warning.subject == "Do not claim a firm"


def test_removing_a_request_hides_it_and_shows_its_author_why(
    app, warden, stranger, activist, help_request
):
    report = file(stranger, "request", help_request.public_id, activist, "violence")
    outcomes.handle_report(warden, report, "remove_content", "Calls for violence", "Not allowed")
    assert HelpRequest.get_by_id(help_request.id).status == "removed"
    assert app.test_client().get(f"/requests/{help_request.public_id}").status_code == 404
    own = as_user(app, activist).get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "Removed by moderators" in own
    assert notices(stranger) == ["report_content_removed"]
    assert "moderation_removed_content" in notices(activist)
    listing = app.test_client().get("/requests?q=journalists").get_data(as_text=True)
    assert help_request.title not in listing


def test_removing_an_offer_message_or_rating_leaves_a_marker_in_place(
    app, warden, activist, provider, help_request
):
    offer = offers.make_offer(provider, help_request, "Pay me first, then I will help.")
    match = offers.accept_offer(activist, offer)
    message = matches.post_message(provider, match, "Send the money to this account.")
    done = completed_match(activist, provider, "A second request")
    rating = matches.rate(provider, done, 1, "Some abusive words here")
    for kind, key in [("offer", offer.public_id), ("message", message.id), ("rating", rating.id)]:
        report = file(activist, kind, str(key), provider)
        outcomes.handle_report(warden, report, "remove_content", "Scam", "Removed as a scam")
    assert Offer.get_by_id(offer.id).status == "removed"
    stored = Message.get_by_id(message.id)
    assert (
        stored.removed and bytes(stored.for_activist) == b"" and bytes(stored.for_provider) == b""
    )
    assert Rating.get_by_id(rating.id).removed and Rating.get_by_id(rating.id).comment == ""
    client = as_user(app, activist)
    request_page = client.get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "Removed by moderators" in request_page and "Pay me first" not in request_page
    match_page = client.get(f"/matches/{match.public_id}").get_data(as_text=True)
    assert "Removed by moderators" in match_page and "Send the money" not in match_page
    profile = client.get("/users/leila").get_data(as_text=True)
    assert "Removed by moderators" in profile and "abusive" not in profile
    assert matches.community_rating(activist).count == 0


def test_a_removed_rating_no_longer_earns_stars(warden, activist, provider):
    ratings = []
    for n in range(3):
        done = completed_match(activist, provider, f"Request number {n}")
        ratings.append(matches.rate(activist, done, 5, "Great"))
    assert fresh(provider).trust_stars == 1
    report = file(activist, "rating", str(ratings[0].id), activist)
    outcomes.handle_report(warden, report, "remove_content", "Rating swap ring", "Removed")
    assert fresh(provider).trust_stars == 0


def test_suspension_ends_sessions_and_refuses_sign_in_with_the_reason(
    app, warden, stranger, provider, about_provider
):
    signed_in = as_user(app, provider)
    outcomes.handle_report(
        warden, about_provider, "suspend", "Impersonation", "You claimed a firm you left", days=7
    )
    assert LoginSession.select().where(LoginSession.user == provider).count() == 0
    assert signed_in.get("/account").status_code == 302  # back to the login page
    refused = post(app.test_client(), "/login", {"username": "lawyer_anna", "password": PASSWORD})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "You claimed a firm you left" in text
    until = format_date(datetime.date.today() + datetime.timedelta(days=7), locale="en")
    assert until in text
    assert notices(stranger) == ["report_suspended"]
    assert "moderation_suspended" in notices(provider)


def test_a_wrong_password_does_not_reveal_a_suspension(app, warden, about_provider):
    outcomes.handle_report(warden, about_provider, "suspend", "x", "Suspended for a week", days=7)
    wrong = post(
        app.test_client(), "/login", {"username": "lawyer_anna", "password": "not it at all"}
    )
    assert wrong.status_code == 400 and "Suspended for a week" not in wrong.get_data(as_text=True)


def test_after_the_suspension_the_user_signs_in_again(app, warden, provider, about_provider):
    outcomes.handle_report(warden, about_provider, "suspend", "x", "A week off", days=7)
    User.update(suspended_until=datetime.date.today()).where(User.id == provider.id).execute()
    as_user(app, fresh(provider))


def test_removal_refuses_sign_in_and_recovery_and_takes_down_their_requests(
    app, warden, stranger, activist, help_request
):
    report = file(stranger, "user", activist.username, activist, "terrorism")
    outcomes.handle_report(warden, report, "remove_user", "Recruiting", "Calls for terrorism")
    refused = post(app.test_client(), "/login", {"username": "leila", "password": PASSWORD})
    assert refused.status_code == 409 and "Calls for terrorism" in refused.get_data(as_text=True)
    assert HelpRequest.get_by_id(help_request.id).status == "removed"
    profile = app.test_client().get("/users/leila").get_data(as_text=True)
    assert "removed by moderators" in profile
    assert notices(stranger) == ["report_user_removed"]


def test_a_removed_user_cannot_come_back_through_a_recovery_code(app, warden, stranger):
    signed_up, codes = accounts.register("ghosted", PASSWORD, "provider", "")
    report = file(stranger, "user", "ghosted", signed_up.user, "scam")
    outcomes.handle_report(warden, report, "remove_user", "Scam ring", "Scams")
    response = post(
        app.test_client(),
        "/recover",
        {
            "username": "ghosted",
            "code": codes[0],
            "password": "a new password",
            "confirm": "a new password",
        },
    )
    assert response.status_code == 400 and "Scams" in response.get_data(as_text=True)
    assert accounts.remaining_recovery_codes(signed_up.user) == len(codes)  # not spent


def test_every_outcome_is_in_the_staff_log(warden, stranger, provider, about_provider):
    outcomes.handle_report(warden, about_provider, "warn", "Logged reason", "Told to stop")
    entry = StaffLogEntry.select().order_by(StaffLogEntry.position.desc()).get()
    assert entry.actor == "warden" and entry.action == "report.warn"
    assert f"report:{about_provider.id}" in entry.target and "user:lawyer_anna" in entry.target
    assert entry.reason == "Logged reason"


def test_a_handled_report_cannot_be_handled_again(warden, keeper, about_provider, provider):
    outcomes.handle_report(warden, about_provider, "dismiss", "Fine")
    with pytest.raises(RuleViolation):
        outcomes.handle_report(keeper, Report.get(), "remove_user", "Changed my mind", "Bye")
    assert fresh(provider).removed_on is None


@pytest.mark.parametrize(
    ("outcome", "reason", "message", "days"),
    [
        ("ban", "why", "told", None),
        ("warn", "", "told", None),
        ("warn", "why", "", None),
        ("warn", "why", "x" * 501, None),
        ("suspend", "why", "told", None),
        ("suspend", "why", "told", 0),
        ("suspend", "why", "told", 366),
    ],
)
def test_bad_moderation_input_changes_nothing(
    warden, provider, about_provider, outcome, reason, message, days
):
    with pytest.raises(RuleViolation):
        outcomes.handle_report(warden, about_provider, outcome, reason, message, days)
    assert Report.get().status == "open" and fresh(provider).suspended_until is None
    assert StaffLogEntry.select().where(StaffLogEntry.action.startswith("report")).count() == 0


def test_only_staff_handle_reports(provider, stranger, about_provider):
    with pytest.raises(NotFound):
        outcomes.handle_report(stranger, about_provider, "dismiss", "I am not staff")
    assert Report.get().status == "open"


def test_staff_accounts_are_not_moderated_through_reports(warden, keeper, stranger):
    report = file(stranger, "user", keeper.username, keeper, "harassment")
    with pytest.raises(RuleViolation):
        outcomes.handle_report(warden, report, "suspend", "x", "y", days=3)
    assert fresh(keeper).suspended_until is None


def test_handling_a_report_through_the_pages(app, warden, stranger, provider, about_provider):
    client = as_user(app, warden)
    data = {"outcome": "suspend", "days": "3", "message": "Three days off", "reason": "Spam"}
    response = confirm_post(client, f"/staff/reports/{about_provider.id}", data)
    assert response.status_code == 302
    assert fresh(provider).suspended_until == datetime.date.today() + datetime.timedelta(days=3)


@pytest.mark.parametrize(
    "data",
    [
        {"outcome": "", "reason": "x"},
        {"outcome": "obliterate", "reason": "x"},
        {"outcome": "suspend", "days": "many", "reason": "x", "message": "y"},
        {"outcome": "suspend", "days": "9999", "reason": "x", "message": "y"},
        {"outcome": "warn", "reason": "", "message": "y"},
        {"outcome": "warn", "reason": "x" * 5000, "message": "y"},
    ],
)
def test_bad_input_on_the_report_page_is_a_form_error(app, warden, provider, about_provider, data):
    response = post(as_user(app, warden), f"/staff/reports/{about_provider.id}", data)
    assert response.status_code == 400
    assert Report.get().status == "open" and fresh(provider).suspended_until is None


def test_a_rule_refusal_on_the_report_page_changes_nothing(app, warden, provider, about_provider):
    data = {"outcome": "suspend", "reason": "x", "message": "y", "confirmed": "yes"}
    response = post(as_user(app, warden), f"/staff/reports/{about_provider.id}", data)
    assert response.status_code == 409  # no days given
    assert Report.get().status == "open"


def test_unknown_reports_are_not_found(app, warden):
    client = as_user(app, warden)
    assert client.get("/staff/reports/999").status_code == 404
    assert (
        post(client, "/staff/reports/999", {"outcome": "dismiss", "reason": "x"}).status_code == 404
    )
    assert client.get("/staff/reports/abc").status_code == 404


def test_an_admin_reinstates_and_a_moderator_cannot(app, warden, chief, provider, about_provider):
    outcomes.handle_report(warden, about_provider, "remove_user", "Mistake", "Removed")
    assert (
        post(
            as_user(app, warden), "/staff/users/lawyer_anna/reinstate", {"reason": "x"}
        ).status_code
        == 404
    )
    with pytest.raises(NotFound):
        outcomes.reinstate(warden, fresh(provider), "I would like to")
    admin = as_user(app, chief)
    page = admin.get("/staff/users/lawyer_anna/reinstate")
    assert page.status_code == 200 and problems_in(page) == []
    assert post(admin, "/staff/users/lawyer_anna/reinstate", {"reason": ""}).status_code == 400
    assert fresh(provider).removed_on is not None
    done = post(admin, "/staff/users/lawyer_anna/reinstate", {"reason": "Wrong account"})
    assert done.status_code == 302 and fresh(provider).removed_on is None
    as_user(app, fresh(provider))  # signs in again
    assert StaffLogEntry.select().where(StaffLogEntry.action == "user.reinstated").count() == 1


def test_staff_without_a_csrf_token_are_refused(app, warden, about_provider):
    client = as_user(app, warden)
    csrf_token(client)
    response = client.post(f"/staff/reports/{about_provider.id}", data={"outcome": "dismiss"})
    assert response.status_code == 400 and Report.get().status == "open"
