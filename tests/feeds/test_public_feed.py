"""The public Atom feed of /requests: what everyone may see, filtered as the page is."""

import html
import re
from urllib.parse import urlsplit

import pytest

from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, request_fields
from tests.support.markup import parse

from .atom_rules import entries_of, problems_in_atom

FEED_SIZE = 50


def alternate_feed(page: str) -> str:
    """The href of the page's <link rel="alternate" type="application/atom+xml">."""
    links = [
        element.attrs
        for element in parse(page).iter("link")
        if element.attrs.get("rel") == "alternate"
        and element.attrs.get("type") == "application/atom+xml"
    ]
    assert len(links) == 1, links
    return links[0]["href"]


@pytest.fixture
def requests(activist):
    made = {
        "legal in Persian": request_fields(
            title="Legal help in Persian", skills=["legal"], languages=["fa"]
        ),
        "press in Arabic": request_fields(
            title="Press contacts in Arabic", skills=["press"], languages=["ar"], country="SY"
        ),
        "signed in only": request_fields(title="For signed-in users", visibility="signed_in"),
        "stars only": request_fields(title="For trusted providers", visibility="stars"),
    }
    return {name: requests_rules.create_request(activist, f) for name, f in made.items()}


@pytest.mark.parametrize("signed_in", [False, True])
def test_the_list_of_requests_links_its_feed_with_the_same_filters(app, provider, signed_in):
    client = as_user(app, provider) if signed_in else app.test_client()
    page = client.get("/requests?skill=legal&language=fa&q=lawyer&page=2&lang=en")
    href = alternate_feed(page.get_data(as_text=True))
    assert href == "/requests.atom?q=lawyer&skill=legal&language=fa"
    assert f'href="{html.escape(href)}"' in page.get_data(as_text=True)  # and a visible link


def test_the_feed_holds_what_everyone_may_see_newest_first(client, requests):
    response = client.get("/requests.atom")
    assert response.status_code == 200
    body = response.get_data()
    assert problems_in_atom(body) == []
    titles = [entry["title"] for entry in entries_of(body)]
    assert titles == ["Press contacts in Arabic", "Legal help in Persian"]
    link = urlsplit(entries_of(body)[0]["link"]).path
    assert link == f"/requests/{requests['press in Arabic'].public_id}"
    assert requests["press in Arabic"].description.encode() not in body


def test_a_signed_in_reader_gets_the_same_public_feed(app, provider, requests):
    body = as_user(app, provider).get("/requests.atom").get_data()
    assert b"For signed-in users" not in body and b"For trusted providers" not in body


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("skill=press", ["Press contacts in Arabic"]),
        ("language=fa", ["Legal help in Persian"]),
        ("country=SY&skill=press", ["Press contacts in Arabic"]),
        ("q=persian", ["Legal help in Persian"]),
        ("status=completed", []),
    ],
)
def test_the_feed_filters_as_the_page_does(client, requests, query, titles):
    body = client.get(f"/requests.atom?{query}").get_data()
    assert problems_in_atom(body) == []
    assert [entry["title"] for entry in entries_of(body)] == titles


def test_the_feed_is_small_whatever_there_is(app, activist):
    for number in range(FEED_SIZE + 5):
        title = f"Request number {number:03d} " + "t" * 180
        requests_rules.create_request(activist, request_fields(title=title))
    body = app.test_client().get("/requests.atom").get_data()
    assert len(entries_of(body)) == FEED_SIZE
    assert len(body) < 32 * 1024


@pytest.mark.parametrize(
    "query", ["skill=weapons", "country=ZZ", "language=klingon", "status=removed", "q=" + "x" * 201]
)
def test_unknown_filters_are_a_clear_400(client, requests, query):
    response = client.get(f"/requests.atom?{query}")
    assert response.status_code == 400
    assert not re.search(rb"<feed", response.get_data())
