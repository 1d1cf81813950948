"""Who may ask for help: requests and activists' sign-ups need an eligible country."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core import eligibility
from movements.app.core.config import UnsafeConfiguration
from movements.app.core.errors import RuleViolation
from movements.app.core.models import HelpRequest, User
from movements.app.core.taxonomy import country_records
from movements.app.factory import create_app
from movements.app.requests import rules as requests_rules
from tests.support.accounts import PASSWORD, SIGNUP, as_user, post, request_fields
from tests.support.pages import problems_in

FREE, NOT_FREE = "DE", "IR"


def a_country_rated(status: str) -> str:
    return next(code for code, c in country_records().items() if c["freedom_status"] == status)


def test_the_data_cites_its_freedom_house_edition_and_rates_the_seed_countries():
    records = country_records()
    assert "Freedom in the World" in eligibility.data_source()["freedom_status"]
    assert records[FREE]["freedom_status"] == "Free"
    for code in ["IR", "RU", "CN", "BY", "SY"]:
        assert records[code]["freedom_status"] == "Not Free"


def test_by_default_only_not_free_countries_are_eligible(app):
    assert eligibility.eligible_statuses() == ("Not Free",)
    assert eligibility.is_eligible(NOT_FREE)
    assert not eligibility.is_eligible(FREE)
    assert not eligibility.is_eligible(a_country_rated("Partly Free"))
    assert not eligibility.is_eligible("XX") and not eligibility.is_eligible("")


def test_the_operator_chooses_the_eligible_statuses(instance, monkeypatch):
    monkeypatch.setenv("MOVEMENTS_ELIGIBLE_STATUSES", "Not Free, Partly Free")
    create_app({"TESTING": True}, instance_path=instance)
    assert eligibility.is_eligible(a_country_rated("Partly Free"))
    assert not eligibility.is_eligible(FREE)


@pytest.mark.parametrize("setting", [["Unfree"], [], ["Free", "Somewhat"]])
def test_an_unknown_status_refuses_to_start(instance, setting):
    with pytest.raises(UnsafeConfiguration):
        create_app({"TESTING": True, "ELIGIBLE_STATUSES": setting}, instance_path=instance)


def test_an_activist_signs_up_with_an_eligible_country_and_the_declaration(client):
    assert post(client, "/signup", SIGNUP).status_code == 302
    assert User.get(User.username == "noor").country == "SY"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"country": FREE}, "Not a valid choice"),
        ({"country": "XX"}, "Not a valid choice"),
        ({"declaration": ""}, "confirm that you live there or work to open it"),
    ],
)
def test_an_activist_without_an_eligible_country_or_the_declaration_is_refused(
    client, changes, message
):
    response = post(client, "/signup", {**SIGNUP, **changes})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert User.select().count() == 0


def test_a_provider_needs_neither(client):
    data = {**SIGNUP, "role": "provider", "country": "", "declaration": ""}
    assert post(client, "/signup", data).status_code == 302


def test_the_signup_form_lists_only_eligible_countries(client):
    page = client.get("/signup").get_data(as_text=True)
    assert 'value="IR"' in page and f'value="{FREE}"' not in page
    assert "/eligibility" in page


def test_the_rule_refuses_an_activist_with_an_ineligible_country(app):
    with pytest.raises(RuleViolation):
        accounts.register("noor", PASSWORD, "activist", FREE)
    assert User.select().count() == 0


def test_a_request_needs_an_eligible_country_of_focus(activist, help_request):
    with pytest.raises(RuleViolation):
        requests_rules.create_request(activist, request_fields(country=FREE))
    with pytest.raises(RuleViolation):
        requests_rules.edit_request(activist, help_request, request_fields(country=FREE))
    assert HelpRequest.select().count() == 1
    assert HelpRequest.get().country == NOT_FREE


def test_a_request_form_with_an_ineligible_country_changes_nothing(app, activist):
    data = {
        "title": "Help with a protest permit",
        "description": "We need advice on a permit for a peaceful protest next month.",
        "skills": "legal",
        "country": FREE,
        "languages": "en",
        "urgency": "normal",
        "visibility": "everyone",
        "expires_in_days": "30",
    }
    response = post(as_user(app, activist), "/requests/new", data)
    # the form offers eligible countries only, so another one is a form error on its field
    assert response.status_code == 400
    assert 'id="country-error"' in response.get_data(as_text=True)
    assert HelpRequest.select().count() == 0


def test_the_rule_is_explained_on_its_own_page(client):
    response = client.get("/eligibility")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and problems_in(response) == []
    assert "Not Free" in page and "Iran" in page and "Germany" not in page
    assert "Freedom in the World 2025" in page
