"""A country leaves the eligible list: its open requests run their course, new ones are refused.

The list changes when the data file follows a new Freedom House edition (Jordan was Not Free in
2024 and is Partly Free in 2025) or when the operator narrows the eligible statuses. Either way
the site restarts with the new list; here the operator's setting narrows it between two starts
on the same instance.
"""

from movements.app.core import eligibility
from movements.app.core.models import HelpRequest, Offer
from movements.app.factory import create_app
from movements.app.requests import rules as requests_rules
from tests.support.accounts import REQUEST_FORM, as_user, make_user, post, request_fields

JORDAN = "JO"


def test_an_open_request_outlives_its_country_leaving_the_list_but_new_ones_are_refused(instance):
    create_app(
        {"TESTING": True, "ELIGIBLE_STATUSES": ["Not Free", "Partly Free"]}, instance_path=instance
    )
    activist, provider = make_user("leila", "activist"), make_user("lawyer_anna", "provider")
    title = "Lawyer for a detained blogger in Amman"
    help_request = requests_rules.create_request(
        activist, request_fields(title=title, country=JORDAN)
    )

    app = create_app({"TESTING": True}, instance_path=instance)
    assert not eligibility.is_eligible(JORDAN)

    listing = app.test_client().get("/requests").get_data(as_text=True)
    page = app.test_client().get(f"/requests/{help_request.public_id}")
    assert title in listing
    assert page.status_code == 200 and title in page.get_data(as_text=True)
    offered = post(
        as_user(app, provider),
        f"/requests/{help_request.public_id}/offer",
        {"message": "I practise in Jordan and can advise this week."},
    )
    assert offered.status_code == 302
    assert Offer.get().help_request_id == help_request.id

    refused = post(as_user(app, activist), "/requests/new", {**REQUEST_FORM, "country": JORDAN})
    assert refused.status_code == 400
    assert 'id="country-error"' in refused.get_data(as_text=True)
    assert [r.country for r in HelpRequest.select()] == [JORDAN]
    assert HelpRequest.get().status == HelpRequest.OPEN
