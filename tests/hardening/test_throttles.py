"""Throttles behind one shared address: per account, global budgets, and the argon2 pool."""

import datetime
import threading

import pytest

from movements.app.core.models import HelpRequest, Message, Offer, SignInThrottle, User, utcnow
from movements.app.keys import argon2_pool
from movements.app.offers import rules as offers
from movements.app.web import throttle
from tests.support.accounts import PASSWORD, as_user, post, request_fields

from ..test_requests import NEW_REQUEST


class Clock:
    def __init__(self):
        self.current = utcnow()

    def __call__(self):
        return self.current

    def advance(self, **delta):
        self.current += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(throttle, "now", fake)
    return fake


def wrong_sign_in(client, name="leila"):
    return post(client, "/login", {"username": name, "password": "wrong password!"})


def test_five_wrong_passwords_are_free_then_the_account_waits(app, client, activist, clock):
    for _ in range(4):
        assert wrong_sign_in(client).status_code == 400
    assert wrong_sign_in(client).status_code == 400  # the fifth sets the first delay
    blocked = post(client, "/login", {"username": "leila", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.headers["Retry-After"] == "30"
    assert "try again in 1 minute." in blocked.get_data(as_text=True)
    clock.advance(seconds=31)
    assert post(client, "/login", {"username": "leila", "password": PASSWORD}).status_code == 302
    assert SignInThrottle.select().count() == 0


def test_delays_grow_but_never_lock_the_account_for_good(app, client, activist, clock):
    delays = []
    for _ in range(12):
        wrong_sign_in(client)
        row = SignInThrottle.get(SignInThrottle.user == activist)
        if row.retry_after:
            delays.append((row.retry_after - clock()).total_seconds())
            clock.advance(seconds=delays[-1] + 1)
    assert delays[:4] == [30, 60, 120, 240]
    assert max(delays) == 15 * 60
    assert post(client, "/login", {"username": "leila", "password": PASSWORD}).status_code == 302


def test_one_accounts_failures_do_not_slow_another(app, client, activist, provider, clock):
    for _ in range(6):
        wrong_sign_in(client, "leila")
    response = post(client, "/login", {"username": "lawyer_anna", "password": PASSWORD})
    assert response.status_code == 302


def signup(client, name):
    form = {
        "username": name,
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "provider",
        "risk_read": "y",
    }
    return post(client, "/signup", form)


def test_sign_ups_share_a_budget_per_minute(app, clock):
    app.config["SIGNUPS_PER_MINUTE"] = 3
    statuses = [signup(app.test_client(), f"person{n}").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert User.select().count() == 3
    clock.advance(minutes=1)
    assert signup(app.test_client(), "person9").status_code == 302


def test_sign_ups_share_a_budget_per_hour(app, clock):
    app.config.update(SIGNUPS_PER_MINUTE=100, SIGNUPS_PER_HOUR=2)
    assert [signup(app.test_client(), f"p{n}xx").status_code for n in range(3)] == [302, 302, 429]
    clock.advance(minutes=61)
    assert signup(app.test_client(), "p9xx").status_code == 302


def test_requests_per_day_per_account(app, activist, clock):
    app.config["REQUESTS_PER_DAY"] = 2
    client = as_user(app, activist)
    statuses = [post(client, "/requests/new", NEW_REQUEST).status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    assert HelpRequest.select().count() == 2


def test_offers_per_day_per_account(app, activist, provider, clock):
    app.config["OFFERS_PER_DAY"] = 1
    from movements.app.requests.rules import create_request

    first, second = (create_request(activist, request_fields()) for _ in range(2))
    client = as_user(app, provider)
    message = {"message": "I can help with this."}
    assert post(client, f"/requests/{first.public_id}/offer", message).status_code == 302
    assert post(client, f"/requests/{second.public_id}/offer", message).status_code == 429
    assert Offer.select().count() == 1


def test_messages_per_minute_per_account(app, activist, provider, help_request, clock):
    app.config["MESSAGES_PER_MINUTE"] = 3
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "x" * 20))
    client = as_user(app, activist)
    url = f"/matches/{match.public_id}/messages"
    statuses = [post(client, url, {"text": f"message {n}"}).status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    clock.advance(seconds=61)
    assert post(client, url, {"text": "later"}).status_code == 302
    assert Message.select().count() == 4


def test_argon2_pool_answers_busy_when_every_slot_is_taken(app, activist, monkeypatch):
    monkeypatch.setattr(argon2_pool, "ARGON2_WAIT_SECONDS", 0.05)
    slots = argon2_pool._argon2_slots
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    try:
        response = post(app.test_client(), "/login", {"username": "leila", "password": PASSWORD})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "5"
        assert "very busy" in response.get_data(as_text=True)
    finally:
        for _ in range(taken):
            slots.release()
    assert taken >= 1


def test_argon2_pool_is_as_wide_as_the_cores(app):
    import os

    held = []
    for _ in range(os.cpu_count()):
        context = argon2_pool.argon2_slot()
        context.__enter__()
        held.append(context)
    try:
        outcome = []
        worker = threading.Thread(target=lambda: outcome.append(_try_slot()))
        worker.start()
        worker.join(timeout=10)
        assert outcome == ["busy"]
    finally:
        for context in held:
            context.__exit__(None, None, None)
    assert _try_slot() == "ok"


def _try_slot():
    try:
        with argon2_pool.argon2_slot():
            return "ok"
    except argon2_pool.Busy:
        return "busy"
