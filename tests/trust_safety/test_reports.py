"""Filing reports at /report?target=kind:key: what may be reported, by whom, and bad input."""

import pytest

from movements.app.blocks import rules as blocks
from movements.app.core.models import Report
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.reports.rules import OPEN_REPORTS_MAX, quoted_text
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, make_user, post, request_fields
from tests.support.pages import problems_in

from .conftest import completed_match


@pytest.fixture
def offer(provider, help_request):
    return offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")


@pytest.fixture
def match(activist, offer):
    return offers.accept_offer(activist, offer)


@pytest.fixture
def message(provider, match):
    return matches.post_message(provider, match, "Send me the names of everyone involved.")


def report(client, target, reason="scam", **extra):
    return post(client, f"/report?target={target}", {"reason": reason, **extra})


def test_a_user_is_reported_by_name(app, stranger, provider):
    client = as_user(app, stranger)
    page = client.get("/report?target=user:lawyer_anna")
    assert page.status_code == 200 and problems_in(page) == []
    response = report(client, "user:lawyer_anna", "impersonation", details="Not a real lawyer")
    assert response.status_code == 302
    filed = Report.get()
    assert (filed.target_kind, filed.target_key, filed.target_user_id) == (
        "user",
        "lawyer_anna",
        provider.id,
    )
    assert filed.reporter_id == stranger.id and filed.status == "open"
    assert "waiting for staff" in client.get("/report").get_data(as_text=True)


def test_a_request_offer_message_and_rating_can_each_be_reported(
    app, activist, provider, help_request, offer, message
):
    done = completed_match(activist, make_user("second_lawyer", "provider"), "Second request")
    rating = matches.rate(done.provider, done, 1, "Rude and useless")
    by_provider = as_user(app, provider)
    by_activist = as_user(app, activist)
    assert report(by_provider, f"request:{help_request.public_id}").status_code == 302
    assert report(by_activist, f"offer:{offer.public_id}").status_code == 302
    assert report(by_activist, f"message:{message.id}", "harassment").status_code == 302
    assert report(by_activist, f"rating:{rating.id}").status_code == 302
    owners = {r.target_kind: r.target_user_id for r in Report.select()}
    assert owners == {
        "request": activist.id,
        "offer": provider.id,
        "message": provider.id,
        "rating": done.provider_id,
    }


def test_anonymous_visitors_log_in_first_and_keep_the_target(client, provider):
    response = client.get("/report?target=user:lawyer_anna")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]
    assert "lawyer_anna" in response.headers["Location"]


@pytest.mark.parametrize(
    "target",
    [
        "",
        "user",
        "user:",
        "nobody:leila",
        "user:ghost",
        "request:doesnotexist",
        "offer:doesnotexist",
        "message:abc",
        "message:99999",
        "message:-1",
        "message:" + "9" * 30,
        "rating:1.5",
        "rating:99999",
        "user:" + "x" * 100,
    ],
)
def test_a_report_of_something_that_is_not_there_is_not_found(app, stranger, activist, target):
    client = as_user(app, stranger)
    assert client.get(f"/report?target={target}").status_code == 404
    assert report(client, target).status_code == 404
    assert Report.select().count() == 0


def test_what_the_reporter_cannot_see_is_not_found(
    app, activist, provider, stranger, offer, message
):
    hidden = requests_rules.create_request(
        activist, request_fields(title="Only for trusted", visibility="stars", min_stars=4)
    )
    client = as_user(app, stranger)
    assert report(client, f"request:{hidden.public_id}").status_code == 404
    assert report(client, f"offer:{offer.public_id}").status_code == 404  # not their request
    assert report(client, f"message:{message.id}").status_code == 404  # not their match
    own = as_user(app, provider)
    assert report(own, f"message:{message.id}").status_code == 404  # their own message
    assert report(own, f"offer:{offer.public_id}").status_code == 404  # their own offer
    assert Report.select().count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": ""}, "Choose a reason from the list"),
        ({"reason": "dislike"}, "Not a valid choice"),
        ({"reason": "scam", "details": "x" * 2001}, "Field cannot be longer"),
    ],
)
def test_a_bad_report_shows_the_form_again_and_files_nothing(
    app, stranger, provider, data, message
):
    client = as_user(app, stranger)
    response = post(client, "/report?target=user:lawyer_anna", data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert Report.select().count() == 0


def test_a_report_without_its_csrf_token_is_refused(app, stranger, provider):
    client = as_user(app, stranger)
    response = client.post("/report?target=user:lawyer_anna", data={"reason": "scam"})
    assert response.status_code == 400 and Report.select().count() == 0


def test_nobody_reports_themselves(app, provider):
    response = report(as_user(app, provider), "user:lawyer_anna")
    assert response.status_code == 400
    assert "cannot report yourself" in response.get_data(as_text=True)
    assert Report.select().count() == 0


def test_the_same_thing_is_reported_once_until_staff_answer(app, stranger, provider):
    client = as_user(app, stranger)
    assert report(client, "user:lawyer_anna").status_code == 302
    again = report(client, "user:lawyer_anna", "violence")
    assert again.status_code == 400 and "already reported" in again.get_data(as_text=True)
    assert Report.select().count() == 1


def test_one_account_cannot_flood_the_queue(app, stranger):
    for n in range(OPEN_REPORTS_MAX):
        Report.create(reporter=stranger, target_kind="user", target_key=f"u{n}", reason="scam")
    make_user("one_more", "provider")
    response = report(as_user(app, stranger), "user:one_more")
    assert response.status_code == 400 and Report.select().count() == OPEN_REPORTS_MAX


def test_the_reporter_of_a_message_may_include_its_text(app, instance, activist, message):
    client = as_user(app, activist)
    page = client.get(f"/report?target=message:{message.id}").get_data(as_text=True)
    assert "Send me the names of everyone involved." in page  # they can read it
    assert (
        report(client, f"message:{message.id}", "impersonation", include_text="y").status_code
        == 302
    )
    assert quoted_text(Report.get()) == "Send me the names of everyone involved."
    raw = b"".join(p.read_bytes() for p in instance.glob("movements.sqlite3*"))
    assert b"names of everyone involved" not in raw


def test_a_message_text_is_not_included_unless_the_reporter_says_so(app, activist, message):
    assert report(as_user(app, activist), f"message:{message.id}", "harassment").status_code == 302
    assert Report.get().quoted is None


def test_a_blocked_user_cannot_report_the_blocker_for_harassment(app, activist, provider):
    blocks.block(activist, provider)
    client = as_user(app, provider)
    refused = report(client, "user:leila", "harassment")
    assert refused.status_code == 400 and "blocked you" in refused.get_data(as_text=True)
    assert Report.select().count() == 0
    assert report(client, "user:leila", "scam").status_code == 302  # blocking never hides abuse


def test_the_safety_page_is_clean(app, stranger):
    page = as_user(app, stranger).get("/report")
    assert page.status_code == 200 and problems_in(page) == []


def test_report_links_sit_next_to_what_can_be_reported(app, activist, provider, offer, message):
    by_activist = as_user(app, activist)
    request_page = by_activist.get(f"/requests/{offer.help_request.public_id}").get_data(
        as_text=True
    )
    assert f"target=offer:{offer.public_id}" in request_page
    match_page = by_activist.get(f"/matches/{message.match.public_id}").get_data(as_text=True)
    assert f"target=message:{message.id}" in match_page
    assert "target=user:lawyer_anna" in match_page
    provider_view = as_user(app, provider).get(f"/requests/{offer.help_request.public_id}")
    assert f"target=request:{offer.help_request.public_id}" in provider_view.get_data(as_text=True)
    profile = as_user(app, provider).get("/users/leila").get_data(as_text=True)
    assert "target=user:leila" in profile
