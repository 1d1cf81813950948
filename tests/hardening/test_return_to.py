"""Where sign-in sends people afterwards: a page of this site, checked in the form it is sent."""

import urllib.parse

import pytest

from tests.support.accounts import PASSWORD, post
from tests.support.raw_http import RawVisitor
from tests.support.serving import running_server

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

# each would lead off the site, or break the header, if taken as it comes
HOSTILE_NEXT = [
    "/%09/evil.example",  # the header writer drops the tab: //evil.example
    "/%0d%0a/evil.example",
    "/%0a/evil.example",
    "/%0d/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "//evil.example",
    "/%5Cevil.example",  # browsers read a backslash as a slash
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/%20/evil.example",
    "/%C2%A0/evil.example",  # no-break space
    "/%E2%80%8B/evil.example",  # zero-width space
    "/%E2%80%AE/evil.example",  # right-to-left override
    "/%7F/evil.example",
]


def signed_in_to(client, user, next_value: str):
    form = {"username": user.username, "password": PASSWORD}
    return post(client, "/login?next=" + next_value, form)


@pytest.mark.parametrize("next_value", HOSTILE_NEXT)
def test_sign_in_with_a_hostile_next_goes_to_the_start_page(client, activist, next_value):
    response = signed_in_to(client, activist, next_value)
    assert response.status_code == 302
    location = urllib.parse.urlsplit(response.headers["Location"])
    assert (location.netloc, location.path) in {("", "/"), ("localhost", "/")}


def test_sign_in_returns_to_the_page_it_was_asked_from(client, activist):
    response = signed_in_to(client, activist, urllib.parse.quote("/requests?skill=legal"))
    assert response.headers["Location"] == "/requests?skill=legal"


def test_the_real_server_never_sends_a_signed_in_person_off_the_site(tmp_path):
    with running_server(tmp_path / "instance", "--no-onion") as server:
        noor = RawVisitor(server.base)
        signup = {"password": PASSWORD, "confirm": PASSWORD, "role": "provider", "risk_read": "y"}
        assert noor.post("/signup", {"username": "noor", **signup}).status == 302
        for next_value in ("/%09/evil.example", "/%0d%0a/evil.example", "/%5Cevil.example"):
            visitor = RawVisitor(server.base)
            answer = visitor.post(
                "/login?next=" + next_value, {"username": "noor", "password": PASSWORD}
            )
            assert answer.status == 302, (next_value, answer.text[:300])
            location = urllib.parse.urlsplit(answer.header("Location"))
            assert location.netloc in ("", server.base.removeprefix("http://")), next_value
            assert location.path == "/", next_value
