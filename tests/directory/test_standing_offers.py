"""Publishing, editing, closing, expiring and renewing standing offers of help."""

import datetime

import pytest

from movements.app.core.db import database, is_sqlite
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Listing, StandingOffer, today
from movements.app.core.taxonomy import unpack
from movements.app.directory import rules
from tests.support.accounts import as_user, make_user, post

from .conftest import STANDING_OFFER_FORM, standing_offer_fields

NEW = "/providers/me/offers/new"


def test_provider_publishes_a_standing_offer_and_appears_in_the_directory(app, provider, client):
    response = post(as_user(app, provider), NEW, STANDING_OFFER_FORM)
    assert response.status_code == 302
    assert response.headers["Location"] == "/providers/me"
    offer = StandingOffer.get()
    assert offer.provider_id == provider.id
    assert offer.expires_on == today() + datetime.timedelta(days=180)
    page = client.get("/providers").get_data(as_text=True)
    assert "lawyer_anna" in page
    assert "Pro-bono asylum advice for Syrians in Germany" in page


def test_standing_offer_shows_on_the_providers_profile(client, standing_offer):
    page = client.get("/users/lawyer_anna").get_data(as_text=True)
    assert "Standing offers of help" in page
    assert "Pro-bono asylum advice" in page
    assert "Syria" in page and "Arabic" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"description": "too short"},
        {"description": "x" * 5001},
        {"skills": []},
        {"skills": ["weapons"]},
        {"languages": []},
        {"languages": ["klingon"]},
        {"countries": ["ZZ"]},
        {"countries": []},
        {"countries": ["SY"] * 51},
        {"countries": ["DE"]},
        {"capacity": ""},
        {"capacity": "many"},
        {"capacity": "0"},
        {"capacity": "51"},
        {"capacity": "9" * 40},
    ],
)
def test_bad_standing_offer_is_refused_and_nothing_is_stored(app, provider, changes):
    response = post(as_user(app, provider), NEW, {**STANDING_OFFER_FORM, **changes})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert StandingOffer.select().count() == 0
    assert Listing.select().count() == 0


@pytest.mark.parametrize("countries", [["any"], ["any", "SY"]])
def test_any_country_serves_every_country(app, client, provider, countries):
    owner = as_user(app, provider)
    assert post(owner, NEW, {**STANDING_OFFER_FORM, "countries": countries}).status_code == 302
    offer = StandingOffer.get()
    assert offer.everywhere and unpack(offer.countries) == []
    assert "Any country" in client.get("/users/lawyer_anna").get_data(as_text=True)
    edit = owner.get(f"/providers/me/offers/{offer.public_id}/edit").get_data(as_text=True)
    assert '<input checked name="countries" type="checkbox" value="any">' in edit


@pytest.mark.parametrize(
    "changes",
    [
        {"skills": ["weapons"]},
        {"languages": ["klingon"]},
        {"countries": ["ZZ"]},
        {"countries": ["DE"]},
        {"countries": []},
        {"capacity": 0},
    ],
)
def test_publish_rule_refuses_unknown_codes_whatever_the_caller(provider, changes):
    with pytest.raises(RuleViolation):
        rules.publish(provider, standing_offer_fields(**changes))
    assert StandingOffer.select().count() == 0


def test_activists_cannot_publish_standing_offers(app, activist):
    client = as_user(app, activist)
    assert post(client, NEW, STANDING_OFFER_FORM).status_code == 409
    assert client.get("/providers/me").status_code == 409
    with pytest.raises(RuleViolation):
        rules.publish(activist, standing_offer_fields())
    assert StandingOffer.select().count() == 0
    assert Listing.select().count() == 0


def test_visitors_are_sent_to_log_in_first(client):
    response = client.get(NEW)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_provider_edits_their_standing_offer(app, provider, standing_offer):
    url = f"/providers/me/offers/{standing_offer.public_id}/edit"
    client = as_user(app, provider)
    assert "Pro-bono asylum advice" in client.get(url).get_data(as_text=True)
    changed = {**STANDING_OFFER_FORM, "title": "Asylum advice for Syrians in Austria"}
    assert post(client, url, {**changed, "countries": ["SY", "ZZ"]}).status_code == 400
    assert post(client, url, changed).status_code == 302
    assert StandingOffer.get_by_id(standing_offer.id).title == changed["title"]


def test_others_cannot_edit_close_or_renew_a_standing_offer(app, standing_offer, stranger):
    client = as_user(app, stranger)
    base = f"/providers/me/offers/{standing_offer.public_id}"
    assert client.get(f"{base}/edit").status_code == 404
    hijack = {**STANDING_OFFER_FORM, "title": "Hijacked standing offer"}
    assert post(client, f"{base}/edit", hijack).status_code == 404
    assert post(client, f"{base}/close").status_code == 404
    assert post(client, f"{base}/renew").status_code == 404
    assert post(client, "/providers/me/offers/nonexistent/close").status_code == 404
    unchanged = StandingOffer.get_by_id(standing_offer.id)
    assert unchanged.title == standing_offer.title and unchanged.status == "open"
    with pytest.raises(NotFound):
        rules.close(stranger, unchanged)


def test_closed_standing_offer_leaves_the_directory_until_renewed(
    app, client, provider, standing_offer
):
    owner = as_user(app, provider)
    base = f"/providers/me/offers/{standing_offer.public_id}"
    post(owner, f"{base}/close")
    assert StandingOffer.get_by_id(standing_offer.id).status == "closed"
    assert "Pro-bono asylum advice" not in client.get("/providers").get_data(as_text=True)
    assert "lawyer_anna" in client.get("/providers").get_data(as_text=True)
    post(owner, f"{base}/renew")
    assert "Pro-bono asylum advice" in client.get("/providers").get_data(as_text=True)


def test_standing_offers_expire_unless_renewed(app, client, provider, standing_offer):
    StandingOffer.update(expires_on=today() - datetime.timedelta(days=1)).execute()
    assert "Pro-bono asylum advice" not in client.get("/providers").get_data(as_text=True)
    owner = as_user(app, provider)
    assert "Expired: renew it" in owner.get("/providers/me").get_data(as_text=True)
    post(owner, f"/providers/me/offers/{standing_offer.public_id}/renew")
    renewed = StandingOffer.get_by_id(standing_offer.id)
    assert renewed.expires_on == today() + datetime.timedelta(days=180)
    assert "Pro-bono asylum advice" in client.get("/providers").get_data(as_text=True)


def test_open_standing_offers_are_limited(app, provider):
    for n in range(rules.OPEN_STANDING_OFFERS_MAX):
        rules.publish(provider, standing_offer_fields(title=f"Standing offer number {n}"))
    response = post(as_user(app, provider), NEW, STANDING_OFFER_FORM)
    assert response.status_code == 400
    assert "at most 10 open standing offers" in response.get_data(as_text=True)
    assert StandingOffer.select().count() == rules.OPEN_STANDING_OFFERS_MAX


def test_renewing_a_closed_offer_respects_the_limit(provider):
    first = rules.publish(provider, standing_offer_fields())
    rules.close(provider, first)
    for n in range(rules.OPEN_STANDING_OFFERS_MAX):
        rules.publish(provider, standing_offer_fields(title=f"Standing offer number {n}"))
    with pytest.raises(RuleViolation):
        rules.renew(provider, first)
    assert StandingOffer.get_by_id(first.id).status == "closed"


def test_deleting_a_provider_removes_their_words_from_the_search_index(app, standing_offer):
    if not is_sqlite():
        pytest.skip("the full-text index exists on SQLite only")
    other = make_user("trainer_bo", "provider")
    rules.publish(other, standing_offer_fields(title="Security training for unions"))

    def indexed() -> int:
        return database.execute_sql("SELECT count(*) FROM standing_offer_text").fetchone()[0]

    assert indexed() == 2
    other.delete_instance(recursive=False)
    assert indexed() == 1
    assert StandingOffer.select().count() == 1
