"""Fixtures for the whole suite: an app on a fresh instance, users of each kind, a request."""

import re

import pytest

from movements.app.accounts import rules as accounts
from movements.app.factory import create_app
from movements.app.keys import userkeys
from movements.app.requests import rules as requests_rules
from movements.crypto import KdfParameters
from movements.crypto import userkeys as crypto_userkeys

PASSWORD = "correct horse battery"
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


CHEAP_KDF = KdfParameters(1, 8, 1)


@pytest.fixture(autouse=True)
def cheap_argon2(monkeypatch):
    """Production argon2 costs 64 MiB and a noticeable fraction of a second; tests need neither.

    Passwords' records and wrapped keys both take their cost from crypto's current parameters.
    """
    monkeypatch.setattr(userkeys, "RECOVERY_CODE_KDF", CHEAP_KDF)
    # through monkeypatch, so it is undone in order with other tests' patches of crypto
    monkeypatch.setattr(crypto_userkeys, "_current", CHEAP_KDF)


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


@pytest.fixture
def app(instance):
    return create_app({"TESTING": True}, instance_path=instance)


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client) -> str:
    """The token of the client's current session, read from a page as a browser would."""
    page = client.get("/login").get_data(as_text=True)
    found = CSRF_INPUT.search(page)
    assert found, "no CSRF token on /login"
    return found.group(1) or found.group(2)


def post(client, url, data=None, **kwargs):
    """POST a form the way a browser does, with the session's CSRF token."""
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


KEYS = {}


def make_user(name, role, country="IR"):
    signed_up, _codes = accounts.register(name, PASSWORD, role, country)
    KEYS[signed_up.user.id] = signed_up.key
    return signed_up.user


def key_of(user):
    """The user's unwrapped private key, as their signed-in session would hold it."""
    return KEYS[user.id]


def sign_in(client, user):
    response = post(client, "/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def activist(app):
    return make_user("leila", "activist")


@pytest.fixture
def provider(app):
    return make_user("lawyer_anna", "provider")


@pytest.fixture
def stranger(app):
    return make_user("stranger", "provider")


# the request form as a browser posts it
REQUEST_FORM = {
    "title": "Lawyer for three detained journalists",
    "description": "Three journalists were detained last week and need a lawyer's advice.",
    "skills": ["legal"],
    "country": "IR",
    "languages": ["fa"],
    "urgency": "urgent",
    "visibility": "everyone",
    "min_stars": "0",
    "expires_in_days": "30",
}


def request_fields(**changes):
    fields = {
        "title": "Legal advice for detained journalists",
        "description": "Three journalists were detained last week and need a lawyer's advice.",
        "skills": ["legal", "press"],
        "country": "IR",
        "languages": ["fa", "en"],
        "urgency": "urgent",
        "visibility": "everyone",
        "min_stars": 0,
        "expires_in_days": 90,
    }
    fields.update(changes)
    return requests_rules.RequestFields(**fields)


@pytest.fixture
def help_request(activist):
    return requests_rules.create_request(activist, request_fields())


def as_user(app, user):
    """A fresh client signed in as `user`."""
    return sign_in(app.test_client(), user)
