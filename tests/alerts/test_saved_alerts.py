"""Saving the filters of /requests as an alert, and keeping alerts: list, rename, pause, delete."""

import datetime
import re
import secrets

import pytest

from movements.app.accounts.deletion import delete_account
from movements.app.alerts.rules import MAX_ALERTS
from movements.app.core.models import Alert, AlertMatch, AlertWord, FeedToken, today
from movements.app.keys import feed_tokens
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, post, request_fields
from tests.support.pages import problems_in

from ..maintenance.conftest import database_bytes
from .conftest import save

ALERT_FORM = re.compile(r'<form method="post" action="/alerts"[^>]*>(.*?)</form>', re.S)
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def alert_button_fields(page: str) -> dict | None:
    """What the "alert me" button of a /requests page sends, or None when there is none."""
    form = ALERT_FORM.search(page)
    return dict(HIDDEN.findall(form.group(1))) if form else None


def test_a_searched_and_filtered_list_saves_as_an_alert_in_one_click(app, provider):
    client = as_user(app, provider)
    page = client.get("/requests?q=lawyer&skill=legal&language=fa&status=open&page=2")
    sent = alert_button_fields(page.get_data(as_text=True))
    assert {k: v for k, v in sent.items() if k != "csrf_token"} == {
        "q": "lawyer",
        "skill": "legal",
        "language": "fa",
    }
    response = client.post("/alerts", data=sent)
    assert response.status_code == 302
    assert response.headers["Location"] == "/alerts"
    listing = client.get("/alerts").get_data(as_text=True)
    assert "Legal · Persian · “lawyer”" in listing
    assert "0 matches in the last week" in listing
    alert = Alert.get()
    assert (alert.owner_id, alert.skill, alert.language, alert.words) == (
        provider.id,
        "legal",
        "fa",
        "lawyer",
    )


def test_visitors_and_an_unfiltered_list_offer_no_alert_button(app, client, provider):
    assert alert_button_fields(client.get("/requests?skill=legal").get_data(as_text=True)) is None
    page = as_user(app, provider).get("/requests").get_data(as_text=True)
    assert alert_button_fields(page) is None
    assert 'href="/alerts"' in page


def test_the_list_counts_what_each_alert_matched_in_the_last_week(app, activist, provider):
    save(provider, skill="legal")
    for number in range(3):
        requests_rules.create_request(activist, request_fields(title=f"Request number {number}"))
    oldest = AlertMatch.select().order_by(AlertMatch.id).first()
    oldest.matched_on = today() - datetime.timedelta(days=7)
    oldest.save()
    listing = as_user(app, provider).get("/alerts").get_data(as_text=True)
    assert "2 matches in the last week" in listing


def test_an_alert_is_renamed_paused_resumed_and_deleted_by_its_owner(app, activist, provider):
    alert = save(provider, skill="legal")
    client = as_user(app, provider)
    page = f"/alerts/{alert.public_id}"
    assert post(client, f"{page}/name", {"name": "Iran, legal"}).headers["Location"] == page
    assert "Iran, legal" in client.get("/alerts").get_data(as_text=True)
    post(client, f"{page}/pause")
    assert Alert.get_by_id(alert.id).paused
    assert "Paused" in client.get(page).get_data(as_text=True)
    requests_rules.create_request(activist, request_fields())
    assert AlertMatch.select().count() == 0
    post(client, f"{page}/resume")
    assert not Alert.get_by_id(alert.id).paused
    response = post(client, f"{page}/delete")
    assert response.headers["Location"] == "/alerts"
    assert Alert.select().count() == AlertWord.select().count() == 0
    assert "Your alert is deleted." in client.get("/alerts").get_data(as_text=True)


def test_an_alert_page_shows_what_it_matched(app, activist, provider):
    alert = save(provider, skill="legal")
    help_request = requests_rules.create_request(activist, request_fields())
    page = as_user(app, provider).get(f"/alerts/{alert.public_id}")
    assert f'href="/requests/{help_request.public_id}"' in page.get_data(as_text=True)
    assert problems_in(page) == []


@pytest.mark.parametrize("action", ["", "/name", "/pause", "/resume", "/delete"])
def test_someone_elses_alert_is_not_there(app, provider, stranger, action):
    alert = save(provider, skill="legal", words="lawyer")
    client = as_user(app, stranger)
    path = f"/alerts/{alert.public_id}{action}"
    response = client.get(path) if not action else post(client, path, {"name": "Mine now"})
    assert response.status_code == 404
    kept = Alert.get_by_id(alert.id)
    assert (kept.name, kept.paused, kept.words) == ("", False, "lawyer")


NOT_A_CHOICE = "Not a valid choice."


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"skill": "weapons"}, NOT_A_CHOICE),
        ({"country": "ZZ"}, NOT_A_CHOICE),
        ({"country": "NO"}, NOT_A_CHOICE),  # a free country: no request can be about it
        ({"language": "klingon"}, NOT_A_CHOICE),
        ({"urgency": "yesterday"}, NOT_A_CHOICE),
        ({"skill": "legal", "q": "x" * 201}, "Field cannot be longer than 200 characters."),
    ],
)
def test_unknown_filters_are_refused_with_a_message_and_nothing_saved(app, provider, form, message):
    response = post(as_user(app, provider), "/alerts", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert problems_in(response) == []
    assert Alert.select().count() == 0


@pytest.mark.parametrize("form", [{}, {"q": "  "}, {"q": "!!! ???"}])
def test_an_alert_needs_a_filter_or_a_word(app, provider, form):
    response = post(as_user(app, provider), "/alerts", form)
    assert response.status_code == 409
    assert "Choose at least one filter or some words first." in response.get_data(as_text=True)
    assert Alert.select().count() == 0


def test_an_account_keeps_at_most_the_limit_of_alerts(app, provider):
    for _ in range(MAX_ALERTS):
        save(provider, skill="legal")
    response = post(as_user(app, provider), "/alerts", {"skill": "press"})
    assert response.status_code == 409
    assert f"the limit of {MAX_ALERTS} alerts" in response.get_data(as_text=True)
    assert Alert.select().count() == MAX_ALERTS


def test_a_name_too_long_is_refused_and_the_old_one_kept(app, provider):
    alert = save(provider, skill="legal")
    client = as_user(app, provider)
    response = post(client, f"/alerts/{alert.public_id}/name", {"name": "n" * 61})
    assert response.status_code == 400
    assert Alert.get_by_id(alert.id).name == ""
    assert problems_in(response) == []


def test_saving_an_alert_without_the_form_token_is_refused(app, provider):
    response = as_user(app, provider).post("/alerts", data={"skill": "legal"})
    assert response.status_code == 400
    assert Alert.select().count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/alerts").status_code == 302


def test_deleting_an_account_takes_its_alerts_their_words_and_its_feed_token(
    app, instance, activist, provider
):
    planted = f"watchword{secrets.token_hex(6)}"
    save(provider, skill="legal", words=f"detained {planted}")
    requests_rules.create_request(activist, request_fields(title=f"About {planted} and more"))
    feed_tokens.turn_on(provider)
    assert AlertMatch.select().count() == 1
    delete_account(provider)
    for model in (Alert, AlertWord, AlertMatch, FeedToken):
        assert model.select().count() == 0, model
    assert b"detained " + planted.encode() not in database_bytes(instance)
