"""A form sent with an expired token is shown again as it was typed, and signing in never
leads to an address that only takes POST: nothing typed before a session ended is lost to a
dead end.

A token expires with its session (a restart keeps sessions; expiry and signing out end them),
and signing in again, in another tab or after the session ended, starts a new one.
"""

import re

import pytest
from markupsafe import escape

from movements.app.core.db import database
from movements.app.core.models import (
    HelpRequest,
    LoginSession,
    Match,
    Message,
    Report,
    User,
    utcnow,
)
from movements.app.offers import rules as offers
from tests.support.accounts import PASSWORD, REQUEST_FORM, as_user, csrf_token, sign_in
from tests.support.raw_http import RawVisitor
from tests.support.serving import running_server

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

NOTICE = "This form had expired, so nothing was sent. Check it and send it again."
TYPED = "We can meet on Thursday; bring the court papers."


@pytest.fixture
def match(activist, provider, help_request) -> Match:
    offer = offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")
    return offers.accept_offer(activist, offer)


def expired_token(client, user) -> str:
    """A token of the client's session, which then ends: the person signs in again."""
    token = csrf_token(client)
    sign_in(client, user)
    return token


def test_a_message_sent_with_an_expired_token_is_shown_again_as_typed(app, activist, match):
    client = as_user(app, activist)
    old = expired_token(client, activist)
    url = f"/matches/{match.public_id}/messages"
    response = client.post(url, data={"csrf_token": old, "text": TYPED})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert NOTICE in page
    assert re.search(r"<textarea[^>]*>\s*" + re.escape(TYPED) + r"</textarea>", page)
    assert Message.select().count() == 0
    resent = client.post(url, data={"csrf_token": csrf_token(client), "text": TYPED})
    assert resent.status_code == 302 and Message.select().count() == 1


def test_sign_in_with_an_expired_token_keeps_the_name_but_never_the_password(client, activist):
    old = csrf_token(client)
    client.get("/login")  # the same browser, in a new session
    client.delete_cookie("movements_session")
    form = {"csrf_token": old, "username": activist.username, "password": PASSWORD}
    response = client.post("/login?next=/matches", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and NOTICE in page
    assert f'value="{activist.username}"' in page
    assert PASSWORD not in page
    assert client.get("/account").status_code == 302  # not signed in
    fresh = {**form, "csrf_token": csrf_token(client)}
    assert client.post("/login?next=/matches", data=fresh).headers["Location"] == "/matches"


def test_sign_up_with_an_expired_token_keeps_the_choices_but_never_the_passwords(app, client):
    old = csrf_token(app.test_client())  # another session's token
    form = {
        "csrf_token": old,
        "username": "noor_tehran",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "activist",
        "country": "IR",
        "declaration": "y",
        "risk_read": "y",
    }
    response = client.post("/signup", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and NOTICE in page
    assert 'value="noor_tehran"' in page and PASSWORD not in page
    assert re.search(r'value="activist"[^>]* checked|checked[^>]*value="activist"', page)
    assert User.select().count() == 0


def test_a_request_typed_with_an_expired_token_is_shown_again(app, activist):
    client = as_user(app, activist)
    old = expired_token(client, activist)
    response = client.post("/requests/new", data={**REQUEST_FORM, "csrf_token": old})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and NOTICE in page
    for field in ("title", "description"):
        assert str(escape(REQUEST_FORM[field])) in page
    assert HelpRequest.select().count() == 0


def test_a_report_typed_with_an_expired_token_is_shown_again(app, activist, provider):
    client = as_user(app, activist)
    old = expired_token(client, activist)
    details = "He asked for money before doing anything."
    form = {"csrf_token": old, "reason": "scam", "details": details}
    response = client.post(f"/report?target=user:{provider.username}", data=form)
    assert response.status_code == 400
    assert details in response.get_data(as_text=True)
    assert Report.select().count() == 0


@pytest.mark.parametrize("action", ["withdraw", "accept"])
def test_a_one_button_action_with_an_expired_token_changes_nothing(
    app, activist, provider, help_request, action
):
    offer = offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")
    client = as_user(app, activist)
    old = expired_token(client, activist)
    url = {
        "withdraw": f"/requests/{help_request.public_id}/withdraw",
        "accept": f"/offers/{offer.public_id}/accept",
    }[action]
    response = client.post(url, data={"csrf_token": old})
    assert response.status_code == 400
    assert HelpRequest.get_by_id(help_request.id).status == "open"
    assert Match.select().count() == 0


def test_a_form_sent_signed_out_leads_to_sign_in_and_back_to_its_page(app, client, match):
    pages = {
        f"/matches/{match.public_id}/messages": f"/matches/{match.public_id}",
        f"/matches/{match.public_id}/done": f"/matches/{match.public_id}",
        "/account/contacts": "/account",
        "/providers/me/offers/abcdefabcdef/close": "/providers/me",
        "/requests/new": "/requests/new",
    }
    for action, page in pages.items():
        response = client.post(action, data={"csrf_token": csrf_token(client), "text": TYPED})
        assert response.status_code == 302, action
        assert response.headers["Location"] == "/login?next=" + page, action


def test_sign_in_never_leads_to_an_address_that_only_takes_post(client, activist, match):
    next_value = f"/matches/{match.public_id}/messages"
    form = {"csrf_token": csrf_token(client), "username": "leila", "password": PASSWORD}
    response = client.post(f"/login?next={next_value}", data=form)
    assert response.headers["Location"] == f"/matches/{match.public_id}"
    assert client.get(response.headers["Location"]).status_code == 200


def test_a_message_typed_before_the_session_ended_reaches_its_page_and_is_sent(
    app, activist, match
):
    instance = app.instance_path
    url = f"/matches/{match.public_id}"
    with running_server(instance, "--no-onion") as server:
        tab = RawVisitor(server.base)
        signed_in = tab.post("/login", {"username": activist.username, "password": PASSWORD})
        assert signed_in.status == 302
        typed_on = tab.token(url)  # the page is open, the message half typed
    # a restart keeps sessions: this one ends because its holder was away past the idle limit
    LoginSession.update(idle_expires_at=utcnow()).execute()
    database.close()
    with running_server(instance, "--no-onion") as server:
        tab = RawVisitor(server.base, cookies=tab.cookies)
        sent = tab.post(url + "/messages", {"text": TYPED}, token=typed_on)
        assert sent.status == 302 and sent.header("Location") == f"{server.base}/login?next={url}"
        again = tab.post(f"/login?next={url}", {"username": "leila", "password": PASSWORD})
        assert again.status == 302 and again.header("Location") == server.base + url
        assert tab.get(url).status == 200
        # the first tab, still open on the form, sends it with the token from before
        shown = tab.post(url + "/messages", {"text": TYPED}, token=typed_on)
        assert shown.status == 400 and NOTICE in shown.text and TYPED in shown.text
        resent = tab.post(url + "/messages", {"text": TYPED}, token=tab.token(url))
        assert resent.status == 302
        assert TYPED in tab.get(url).text
    assert Message.select().count() == 1
