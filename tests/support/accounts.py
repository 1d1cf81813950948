"""Signing up and in through the real forms, as a browser does, and the fields of a request."""

import re

from movements.app.accounts import rules as accounts
from movements.app.requests import rules as requests_rules
from movements.crypto import KdfParameters

PASSWORD = "correct horse battery"
# a complete sign-up form of an activist, as a browser sends it (with a CSRF token added)
SIGNUP = {
    "username": "noor",
    "password": PASSWORD,
    "confirm": PASSWORD,
    "role": "activist",
    "country": "SY",
    "declaration": "y",
    "risk_read": "y",
}
# the least argon2id accepts, for every password and wrapped key of the suite (tests/conftest.py)
CHEAP_KDF = KdfParameters(1, 8, 1)
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


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


def as_user(app, user):
    """A fresh client signed in as `user`."""
    return sign_in(app.test_client(), user)
