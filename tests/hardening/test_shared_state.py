"""Processes that hold nothing of their own: restarts and two servers on one database.

Each test prepares accounts and a match through the rules in this process, then runs real
`movements serve` processes on the same instance (so on the same database) and talks to them
over HTTP from real threads. A session begun on one process works on the other and survives a
restart, with the user's key; every limit is one limit, whichever process a request reaches.
tests/postgres/test_shared_state_on_postgres.py runs this module again on PostgreSQL.
"""

import copy

import pytest

from movements.app.core.db import database
from movements.app.core.models import Budget, LoginSession, Message, SignInThrottle, User, utcnow
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.web import throttle
from tests.support.accounts import PASSWORD
from tests.support.serving import running_server

from .live import Browser, at_once, statuses

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

SECRET_TEXT = "the lawyer meets your brother at noon"
MESSAGES_PER_MINUTE = 10  # the default the servers run with (app/core/config.py)
SIGNUPS_PER_MINUTE = 10


@pytest.fixture
def server_env():
    """The environment of the servers: the instance's own SQLite file here."""
    return None


@pytest.fixture
def serve(app, instance, server_env):
    """Start a real server on the instance the test has filled; several may run at once."""

    def start():
        database.close()  # the servers' connections are the only ones while they run
        return running_server(instance, "--no-onion", env=server_env, ready=60)

    return start


@pytest.fixture
def thread_url(activist, provider, help_request):
    """A match whose thread holds a message sealed to both sides; the thread's address."""
    offer = offers.make_offer(provider, help_request, "I can advise the family this week.")
    match = offers.accept_offer(activist, offer)
    matches.post_message(provider, match, SECRET_TEXT)
    return f"/matches/{match.public_id}"


def same_cookies_on(browser: Browser, base: str) -> Browser:
    """Another browser on `base` holding a copy of `browser`'s cookies (a copied cookie)."""
    other = Browser(base)
    for cookie in browser.cookies:
        other.cookies.set_cookie(copy.copy(cookie))  # a copy, not the same jar
    other.token = browser.token
    return other


def test_a_restarted_server_keeps_the_activist_signed_in_reading_their_messages(serve, thread_url):
    with serve() as first:
        leila = Browser(first.base).sign_in("leila")
        assert SECRET_TEXT in leila.get(thread_url).text
    with serve() as second:
        leila.base = second.base
        page = leila.get(thread_url)
        assert page.status == 200, page.text[:300]
        assert SECRET_TEXT in page.text
        assert "could not be decrypted" not in page.text


def test_a_session_begun_on_one_server_works_on_the_other_and_ends_on_both(serve, thread_url):
    with serve() as one, serve() as two:
        leila = Browser(one.base).sign_in("leila")
        elsewhere = same_cookies_on(leila, two.base)
        page = elsewhere.get(thread_url)
        assert page.status == 200 and SECRET_TEXT in page.text
        assert elsewhere.post("/logout", {}).status == 302
        after = leila.get(thread_url)
        assert (after.status, after.location) == (302, "/login")
        assert "You were signed out. Please sign in again." in leila.get("/login").text
    assert LoginSession.select().count() == 0


def test_messages_sent_through_two_servers_at_once_share_one_rate(serve, thread_url):
    with serve() as one, serve() as two:
        leila = Browser(one.base).sign_in("leila")
        browsers = [leila, same_cookies_on(leila, two.base)]
        url = thread_url + "/messages"
        answers = at_once(
            [
                lambda b=browsers[n % 2], n=n: b.post(url, {"text": f"message {n}"})
                for n in range(MESSAGES_PER_MINUTE + 2)
            ]
        )
    assert statuses(answers) == [302] * MESSAGES_PER_MINUTE + [429] * 2
    assert Message.select().count() == 1 + MESSAGES_PER_MINUTE


def test_guesses_spread_over_two_servers_share_one_sign_in_delay(serve, activist):
    SignInThrottle.insert(
        user=activist, failures=throttle.FREE_SIGN_IN_FAILURES, retry_after=utcnow()
    ).execute()
    with serve() as one, serve() as two:
        guessers = [Browser(base).ready() for base in (one.base, two.base) * 4]
        answers = at_once(
            [
                lambda b=b, n=n: b.post("/login", {"username": "leila", "password": f"guess {n}!"})
                for n, b in enumerate(guessers)
            ]
        )
        assert [answer.status for answer in answers].count(400) == 1
        assert {answer.status for answer in answers} <= {400, 429, 503}
        for base in (one.base, two.base):
            right = Browser(base).post("/login", {"username": "leila", "password": PASSWORD})
            assert right.status == 429
    row = SignInThrottle.get(SignInThrottle.user == activist)
    assert row.failures == throttle.FREE_SIGN_IN_FAILURES + 1


def test_sign_ups_through_two_servers_at_once_share_one_budget(serve, app):
    left = 2
    Budget.insert(
        name="signup-minute", window_start=utcnow(), used=SIGNUPS_PER_MINUTE - left
    ).execute()
    with serve() as one, serve() as two:
        people = [Browser(base).ready() for base in (one.base, two.base) * 3]
        answers = at_once(
            [
                lambda b=b, n=n: b.post(
                    "/signup",
                    {
                        "username": f"newcomer{n}",
                        "password": PASSWORD,
                        "confirm": PASSWORD,
                        "role": "provider",
                        "risk_read": "y",
                    },
                )
                for n, b in enumerate(people)
            ]
        )
    refused = [answer for answer in answers if answer.status == 429]
    assert len(refused) == len(people) - left, statuses(answers)
    assert Budget.get_by_id("signup-minute").used == SIGNUPS_PER_MINUTE
    # a sign-up that went through leads on to its recovery codes
    signed_up = [answer for answer in answers if answer.status == 302]
    assert len(signed_up) == left, statuses(answers)
    assert User.select().where(User.username.startswith("newcomer")).count() == len(signed_up)
