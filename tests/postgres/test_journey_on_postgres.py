"""The whole marketplace over HTTP on PostgreSQL, from sign-up to a rating on a profile.

Every step goes through the site's own forms with the test client, as people would; the
assertions read what a person sees and what PostgreSQL holds.
"""

import pytest

from movements.app.core.models import HelpRequest, Match, Offer, Rating
from movements.app.factory import create_app
from tests.support.accounts import post
from tests.support.realistic import (
    TEST_CONFIG,
    VISITOR_KINDS,
    build,
    every_page,
    form_error_pages,
    location_id,
    share_all_contacts,
    signup,
)

pytestmark = pytest.mark.postgres

REQUEST_FORM = {
    "title": "Training on secure messaging for a union of teachers",
    "description": "Our union needs a day of training on secure phones and messaging apps.",
    "skills": ["digital-security", "training"],
    "country": "IR",
    "languages": ["fa", "en"],
    "urgency": "normal",
    "visibility": "everyone",
    "min_stars": "0",
    "expires_in_days": "30",
}
OFFER = "I run trainings on secure messaging and can come for a day next month."
SIGNAL = "+44 7700 900123 on Signal"


def text(response) -> str:
    return response.get_data(as_text=True)


def request_listed(client, query: str) -> bool:
    response = client.get(f"/requests?{query}")
    assert response.status_code == 200
    return REQUEST_FORM["title"] in text(response)


def test_from_sign_up_to_a_rating_on_the_profile(pg_app):
    activist, provider, stranger = (pg_app.test_client() for _ in range(3))
    signup(activist, "leila_tehran", "activist")
    signup(provider, "trainer_sam", "provider")
    signup(stranger, "curious_cat", "provider")
    contact = {"kind": "signal", "value": SIGNAL}
    assert post(provider, "/account/contacts", contact).status_code == 302

    help_request_id = location_id(post(activist, "/requests/new", REQUEST_FORM))

    # browse, filter and search: words match whatever their case
    assert request_listed(provider, "")
    assert request_listed(provider, "skill=digital-security&country=IR&language=fa&urgency=normal")
    assert request_listed(provider, "q=SECURE+Messaging")
    assert not request_listed(provider, "skill=asylum")
    assert not request_listed(provider, "q=secure+lawyer")

    offer_url = f"/requests/{help_request_id}/offer"
    assert post(provider, offer_url, {"message": OFFER}).status_code == 302
    again = post(provider, offer_url, {"message": OFFER})
    assert again.status_code == 400 and "already offered" in text(again)
    assert Offer.select().count() == 1
    own = post(activist, offer_url, {"message": OFFER})
    assert own.status_code == 400 and "your own request" in text(own)

    (offer,) = Offer.select()
    assert OFFER in text(activist.get(f"/requests/{help_request_id}"))
    assert OFFER not in text(stranger.get(f"/requests/{help_request_id}"))
    match_id = location_id(post(activist, f"/offers/{offer.public_id}/accept"))
    # sent twice, an acceptance leads to the one match it opened
    assert location_id(post(activist, f"/offers/{offer.public_id}/accept")) == match_id
    assert Match.select().count() == 1
    assert HelpRequest.get().status == HelpRequest.MATCHED

    match_url = f"/matches/{match_id}"
    assert stranger.get(match_url).status_code == 404
    assert post(stranger, f"{match_url}/messages", {"text": "let me in"}).status_code == 404
    message = "Thank you! Could you come on the 12th?"
    assert post(activist, f"{match_url}/messages", {"text": message}).status_code == 302
    assert message in text(provider.get(match_url))

    assert SIGNAL not in text(activist.get(match_url))
    share_all_contacts(provider, match_id)
    assert SIGNAL in text(activist.get(match_url))
    assert SIGNAL not in text(stranger.get(match_url))

    for party in (activist, provider):
        assert post(party, f"{match_url}/done").status_code == 302
    assert Match.get().status == Match.COMPLETED
    assert HelpRequest.get().status == HelpRequest.COMPLETED

    rating = {"stars": "5", "comment": "Clear, patient and careful."}
    assert post(activist, f"{match_url}/rate", rating).status_code == 302
    assert post(activist, f"{match_url}/rate", {"stars": "1"}).status_code == 409  # already rated
    assert post(provider, f"{match_url}/rate", {"stars": "4"}).status_code == 302
    assert Rating.select().count() == 2

    profile = text(stranger.get("/users/trainer_sam"))
    assert "5.0 of 5 from 1 rating" in profile
    assert "Clear, patient and careful." in profile
    assert "4.0 of 5 from 1 rating" in text(stranger.get("/users/leila_tehran"))


def test_every_page_of_a_busy_site_answers_without_a_server_error(pg_url, instance):
    """A site full of realistic data, built through its forms, then crawled by each visitor."""
    config = {**TEST_CONFIG, "DATABASE_URL": pg_url}
    site = build(create_app(config, instance_path=instance))
    pages = [page for visitor in VISITOR_KINDS for page in every_page(site, visitor)]
    assert len(pages) > 40
    assert not [str(page) for page in pages if page.status >= 500]
    refused = form_error_pages(site)
    assert {page.status for page in refused} <= {400, 409}, [(str(p), p.status) for p in refused]
