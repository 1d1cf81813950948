"""Tried as a new user would, against the real server: a provider saves an alert for legal
requests in Persian, an activist posts one, and the provider hears of it in the site and in
their private Atom feed, fetched by a reader with no cookie."""

import re
import urllib.request
from urllib.parse import urlsplit

import pytest

from movements.app.core.db import database
from tests.support.serving import running_server

from ..feeds.atom_rules import entries_of, problems_in_atom
from ..hardening.live import Browser, hidden_fields
from .conftest import alert_notices

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

TITLE = "A lawyer for students detained after the protest"
ADDRESS = re.compile(r'<dd><code dir="ltr">([^<]+)</code>')


def fetch_as_feed_reader(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 -- loopback
        return response.status, response.headers["Content-Type"], response.read()


def test_a_provider_hears_of_a_new_request_like_the_ones_they_asked_for(
    instance, activist, provider
):
    database.close()  # the server's connections are the only ones while it runs
    with running_server(instance, "--no-onion") as server:
        anna = Browser(server.base).sign_in("lawyer_anna")
        search = "/requests?skill=legal&language=fa"
        saved = anna.post("/alerts", {}, hidden=hidden_fields(anna.get(search).text, "/alerts"))
        assert saved.status == 302, saved.text[:300]
        assert "Legal · Persian" in anna.get("/alerts").text

        shown_once = anna.post("/account/feeds", {})
        assert shown_once.status == 200
        notifications_feed, alert_feed = ADDRESS.findall(shown_once.text)

        leila = Browser(server.base).sign_in("leila")
        form = {
            "title": TITLE,
            "description": "Twelve students were detained and need a lawyer who speaks Persian.",
            "skills": ["legal"],
            "country": "IR",
            "languages": ["fa"],
            "urgency": "urgent",
            "visibility": "everyone",
            "min_stars": "0",
            "expires_in_days": "30",
        }
        posted = leila.post("/requests/new", form)
        assert posted.status == 302, posted.text[:300]
        request_path = posted.location

        notifications = anna.get("/notifications").text
        # the title sits in <bdi> inside the sentence, so it cannot scramble right-to-left text
        assert f"A new request matches your alert: “<bdi>{TITLE}</bdi>”." in notifications
        assert f'href="{request_path}"' in notifications

        for feed in (notifications_feed, alert_feed):
            assert urlsplit(feed).netloc == urlsplit(server.base).netloc
            status, content_type, body = fetch_as_feed_reader(feed)
            assert (status, content_type) == (200, "application/atom+xml; charset=utf-8")
            assert problems_in_atom(body) == []
            (entry,) = entries_of(body)
            assert TITLE in entry["title"]
            assert urlsplit(entry["link"]).path == request_path
    assert alert_notices(provider) == [TITLE]
