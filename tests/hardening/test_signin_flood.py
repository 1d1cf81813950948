"""Sign-in under attack, against the real server with the production argon2 parameters.

Guesses sent together must not get past the per-account delays, sign-ins beyond what the
argon2 pool can take are refused at once (503 and Retry-After) rather than held on a worker
thread, and the password typed to change a password is guarded like a sign-in. How long other
visitors wait during a flood is measured in bench/flood.py, not here.
"""

import datetime

import pytest

from movements.app.core.db import database
from movements.app.core.models import SignInThrottle, utcnow
from movements.app.web import throttle
from tests.support.accounts import PASSWORD
from tests.support.serving import running_server

from .live import Browser, at_once

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

GUESSES = 8
FLOODERS = 16


@pytest.fixture
def server(app, instance, activist):
    """The real server on an instance holding the activist `leila`."""
    database.close()
    with running_server(instance, "--no-onion") as running:
        yield running


def wait_out_the_delay(user) -> None:
    """Five failures behind the account, and their delay just over: one guess is allowed now."""
    SignInThrottle.insert(
        user=user, failures=throttle.FREE_SIGN_IN_FAILURES, retry_after=utcnow()
    ).on_conflict_replace().execute()
    database.close()


def test_guesses_sent_together_are_held_to_the_one_the_delay_allows(server, activist):
    wait_out_the_delay(activist)
    guessers = [Browser(server.base).ready() for _ in range(GUESSES)]
    answers = at_once(
        [
            lambda b=b, n=n: b.post("/login", {"username": "leila", "password": f"guess {n}!!"})
            for n, b in enumerate(guessers)
        ]
    )
    checked = [answer for answer in answers if answer.status == 400]
    refused = [answer for answer in answers if answer.status in (429, 503)]
    assert len(checked) == 1
    assert len(checked) + len(refused) == GUESSES
    assert all(int(answer.headers["Retry-After"]) >= 1 for answer in refused)
    row = SignInThrottle.get(SignInThrottle.user == activist)
    assert row.failures == throttle.FREE_SIGN_IN_FAILURES + 1
    # the one guess that was checked started the next delay: the right password waits too
    right = Browser(server.base).post("/login", {"username": "leila", "password": PASSWORD})
    assert right.status == 429


def test_sign_ins_beyond_capacity_are_refused_at_once_and_pages_still_answer(server):
    flooders = [Browser(server.base).ready() for _ in range(FLOODERS)]
    visitor = Browser(server.base)

    def flood(browser):
        return [
            browser.post("/login", {"username": f"nobody{n}", "password": "not the password"})
            for n in range(3)
        ]

    def browse():
        return [visitor.get(path) for path in ("/requests", "/trust", "/", "/requests")]

    rounds = at_once([lambda b=b: flood(b) for b in flooders] + [browse])
    sign_ins = [answer for answers in rounds[:-1] for answer in answers]
    assert {answer.status for answer in sign_ins} <= {400, 503}
    busy = [answer for answer in sign_ins if answer.status == 503]
    assert busy, "every sign-in was made to wait for an argon2 slot"
    assert all(answer.headers["Retry-After"] == "5" for answer in busy)
    assert "The site is very busy" in busy[0].text
    assert [page.status for page in rounds[-1]] == [200] * 4


def test_the_current_password_on_the_password_form_has_the_sign_in_delays(server, activist):
    browser = Browser(server.base).sign_in("leila")
    change = {"password": "a brand new password", "confirm": "a brand new password"}
    for n in range(throttle.FREE_SIGN_IN_FAILURES):
        wrong = browser.post("/account/password", {"current": f"not it {n}!!", **change})
        assert wrong.status == 400
        assert "Your current password is not right." in wrong.text
    waiting = browser.post("/account/password", {"current": PASSWORD, **change})
    assert waiting.status == 429
    assert int(waiting.headers["Retry-After"]) >= 1
    row = SignInThrottle.get(SignInThrottle.user == activist)
    assert row.retry_after > utcnow() + datetime.timedelta(seconds=1)
    # nothing changed: the old password still signs in once the delay is over
    wait_out_the_delay(activist)
    SignInThrottle.delete().execute()
    database.close()
    assert Browser(server.base).sign_in("leila")
