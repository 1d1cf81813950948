"""A form sent twice, by a double click or sent again later, against the real server.

The browser shows the answer to the last submission it sent; that answer must be the result
of the first one, and the effect must be that of one submission.
"""

import re

import pytest

from movements.app.core.db import database
from movements.app.core.models import HelpRequest, Match, Message, Offer, Rating, User
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import PASSWORD, REQUEST_FORM, make_user
from tests.support.serving import running_server

from .live import Browser, at_once

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

CODE = re.compile(r"<code>([a-z]+(?: [a-z]+){3})</code>")
NEW_REQUEST_PAGE = "/requests/new"
CODES_PAGE = "/account/recovery-codes"


@pytest.fixture
def server(app, instance, activist, provider):
    database.close()
    with running_server(instance, "--no-onion") as running:
        yield running


@pytest.fixture
def match(activist, provider, help_request):
    offer = offers.make_offer(provider, help_request, "I can advise the family this week.")
    return offers.accept_offer(activist, offer)


@pytest.fixture
def completed_match(activist, provider, match):
    matches.mark_done(activist, match)
    matches.mark_done(provider, Match.get_by_id(match.id))
    return match


@pytest.fixture
def second_author(app):
    make_user("noor", "activist")
    return "noor"


def double_click(browser: Browser, page: str, action: str, form: dict):
    """The same rendered form sent twice at once, as a double click sends it."""
    hidden = browser.form(page, action)
    return at_once([lambda: browser.post(action, form, hidden) for _ in range(2)])


def test_a_request_form_sent_twice_at_once_makes_one_request(server):
    leila = Browser(server.base).sign_in("leila")
    first, second = double_click(leila, NEW_REQUEST_PAGE, "/requests/new", REQUEST_FORM)
    assert (first.status, second.status) == (302, 302)
    assert first.location == second.location
    assert HelpRequest.select().count() == 1
    assert first.location == f"/requests/{HelpRequest.get().public_id}"


def test_a_message_sent_twice_at_once_is_stored_once(match, server):
    leila = Browser(server.base).sign_in("leila")
    page = f"/matches/{match.public_id}"
    answers = double_click(leila, page, page + "/messages", {"text": "Can we talk tomorrow?"})
    assert [answer.status for answer in answers] == [302, 302]
    assert Message.select().count() == 1


def test_a_double_clicked_sign_up_shows_the_codes_of_its_one_account(server):
    first_click = Browser(server.base)
    hidden = first_click.form("/signup", "/signup")
    # the second click is the same browser: same cookie, same rendered form
    second_click = Browser(server.base)
    for cookie in first_click.cookies:
        second_click.cookies.set_cookie(cookie)
    form = {
        "username": "new_helper",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "provider",
        "risk_read": "y",
    }
    answers = at_once(
        [lambda b=b: b.post("/signup", form, hidden) for b in (first_click, second_click)]
    )
    assert [(answer.status, answer.location) for answer in answers] == [(302, CODES_PAGE)] * 2
    pages = [browser.get(CODES_PAGE) for browser in (first_click, second_click)]
    first_codes, second_codes = (CODE.findall(page.text) for page in pages)
    assert len(first_codes) == 6
    assert first_codes == second_codes
    assert User.select().where(User.username == "new_helper").count() == 1
    # the browser keeps the answer to its last click: that one is signed in
    assert second_click.get("/account").status == 200


def test_a_sign_up_sent_again_after_its_answer_was_lost_shows_the_same_codes(server):
    browser = Browser(server.base)
    hidden = browser.form("/signup", "/signup")
    lost = Browser(server.base)  # the first answer never reached the browser
    for cookie in browser.cookies:
        lost.cookies.set_cookie(cookie)
    form = {"username": "late_helper", "password": PASSWORD, "confirm": PASSWORD}
    form |= {"role": "provider", "risk_read": "y"}
    first = lost.post("/signup", form, hidden)
    again = browser.post("/signup", form, hidden)
    assert (first.status, again.status) == (302, 302)
    first_codes, again_codes = (CODE.findall(b.get(CODES_PAGE).text) for b in (lost, browser))
    assert len(first_codes) == 6
    assert first_codes == again_codes
    assert User.select().where(User.username == "late_helper").count() == 1
    # once its answer has arrived, the browser holds a new session: the old page's form has
    # expired (CSRF), and sending it again makes no second account
    expired = browser.post("/signup", form, hidden)
    assert expired.status == 400
    assert User.select().where(User.username == "late_helper").count() == 1


def test_an_offer_and_its_acceptance_sent_again_answer_as_the_first_time(help_request, server):
    anna = Browser(server.base).sign_in("lawyer_anna")
    page = f"/requests/{help_request.public_id}"
    hidden = anna.form(page, page + "/offer")
    offer_form = {"message": "I am a lawyer and can advise this week."}
    sent = [anna.post(page + "/offer", offer_form, hidden) for _ in range(2)]
    assert [(answer.status, answer.location) for answer in sent] == [(302, page)] * 2
    offer = Offer.get()
    leila = Browser(server.base).sign_in("leila")
    accept = f"/offers/{offer.public_id}/accept"
    hidden = leila.form(accept, accept)  # the confirmation page's one button
    accepted = [leila.post(accept, {}, hidden) for _ in range(2)]
    match_page = f"/matches/{Match.get().public_id}"
    assert [(answer.status, answer.location) for answer in accepted] == [(302, match_page)] * 2


def test_a_rating_sent_again_is_thanked_again_not_refused(completed_match, server):
    match = completed_match
    leila = Browser(server.base).sign_in("leila")
    page = f"/matches/{match.public_id}"
    hidden = leila.form(page, page + "/rate")
    answers = [leila.post(page + "/rate", {"stars": "5"}, hidden) for _ in range(2)]
    assert [(answer.status, answer.location) for answer in answers] == [(302, page)] * 2
    assert Rating.select().count() == 1


def test_another_persons_key_gives_them_their_own_result(second_author, server):
    leila = Browser(server.base).sign_in("leila")
    hidden = leila.form(NEW_REQUEST_PAGE, "/requests/new")
    noor = Browser(server.base).sign_in(second_author)
    stolen = {**hidden, "csrf_token": noor.csrf_token()}
    mine = leila.post("/requests/new", REQUEST_FORM, hidden)
    theirs = noor.post("/requests/new", REQUEST_FORM, stolen)
    assert (mine.status, theirs.status) == (302, 302)
    assert mine.location != theirs.location
    assert HelpRequest.select().count() == 2


def test_a_form_refused_once_can_be_sent_again_and_go_through(help_request, server):
    """A refusal changes nothing, not even the key: the same form, sent when it can go
    through, goes through."""
    reopened = help_request
    anna = Browser(server.base).sign_in("lawyer_anna")
    page = f"/requests/{reopened.public_id}"
    hidden = anna.form(page, page + "/offer")
    HelpRequest.update(status=HelpRequest.MATCHED).where(HelpRequest.id == reopened.id).execute()
    database.close()
    offer_form = {"message": "I am a lawyer and can advise this week."}
    refused = anna.post(page + "/offer", offer_form, hidden)
    assert refused.status == 400
    assert "This request is no longer open." in refused.text
    HelpRequest.update(status=HelpRequest.OPEN).where(HelpRequest.id == reopened.id).execute()
    database.close()
    assert anna.post(page + "/offer", offer_form, hidden).status == 302
    assert Offer.select().where(Offer.help_request == reopened).count() == 1
