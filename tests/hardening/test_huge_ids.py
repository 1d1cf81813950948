"""Ids from a URL or a form past what the database holds are a 404, never an overflow."""

import pytest

from movements.app.core.models import HelpRequest, Report
from tests.support.accounts import REQUEST_FORM, as_user, post

from ..trust_safety.conftest import make_staff

HUGE = ["99999999999999999999", str(2**63 - 1), str(2**63), str(2**64 + 1), "0" * 30 + "1"]


@pytest.fixture
def warden(app):
    return make_staff("warden")


@pytest.mark.parametrize("number", HUGE)
def test_a_report_with_a_huge_id_is_not_found(app, warden, number):
    client = as_user(app, warden)
    assert client.get(f"/staff/reports/{number}").status_code == 404
    response = post(client, f"/staff/reports/{number}", {"outcome": "dismiss", "reason": "x"})
    assert response.status_code == 404


@pytest.mark.parametrize("number", HUGE)
def test_removing_evidence_with_a_huge_id_is_not_found(app, warden, activist, number):
    client = as_user(app, warden)
    url = f"/staff/users/{activist.username}/evidence/{number}/remove"
    assert client.get(url).status_code == 404
    assert post(client, url, {"reason": "checked twice"}).status_code == 404


def test_the_largest_id_a_route_takes_is_simply_absent(app, warden):
    client = as_user(app, warden)
    assert client.get(f"/staff/reports/{10**18 - 1}").status_code == 404


@pytest.mark.parametrize("kind", ["message", "rating"])
@pytest.mark.parametrize("number", HUGE)
def test_reporting_a_huge_message_or_rating_id_is_not_found(app, provider, kind, number):
    client = as_user(app, provider)
    assert client.get(f"/report?target={kind}:{number}").status_code == 404
    response = post(client, f"/report?target={kind}:{number}", {"reason": "scam"})
    assert response.status_code == 404
    assert Report.select().count() == 0


@pytest.mark.parametrize("number", [n for n in HUGE if not n.startswith("0")])
def test_huge_numbers_in_forms_are_form_errors(app, warden, activist, number):
    staff = as_user(app, warden)
    assert staff.get(f"/staff/log?page={number}").status_code == 400
    visitor = app.test_client()
    assert visitor.get(f"/requests?page={number}").status_code == 400
    assert visitor.get(f"/providers?page={number}").status_code == 400
    form = {**REQUEST_FORM, "min_stars": number, "expires_in_days": number}
    response = post(as_user(app, activist), "/requests/new", form)
    assert response.status_code == 400
    assert HelpRequest.select().count() == 0
