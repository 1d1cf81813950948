"""A whole journey with marked visitor data leaves no trace in logs, output or instance files."""

import logging
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from movements.app.web.logs import redact
from tests.support.serving import running_server

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

MARKERS = {
    "User-Agent": "Mozilla/5.0 ua-marker-c41d",
    "X-Forwarded-For": "198.51.100.23",
    "X-Real-IP": "2001:db8::beef",
    "Referer": "http://referrer-marker-77ab.example/page",
}
QUERY_MARKER = "query-marker-e9f0"


class Visitor:
    """A browser with cookies and the marked headers, talking to the real server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def open(self, path: str, form: dict | None = None):
        data = None
        if form is not None:
            page = self.open_text("/login")
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            data = urllib.parse.urlencode({"csrf_token": token, **form}, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=MARKERS)  # noqa: S310
        try:
            return self.opener.open(request, timeout=20)
        except urllib.error.HTTPError as error:
            return error

    def open_text(self, path: str, form: dict | None = None) -> str:
        with self.open(path, form) as response:
            return response.read().decode()


def test_redaction_removes_addresses_and_onions():
    onion = "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvwx.onion"
    line = f"from 203.0.113.9 via 2001:db8::1 for {onion}"
    assert redact(line) == "from [address] via [address] for [onion]"


def test_log_records_never_carry_request_data(app, client, caplog):
    caplog.set_level(logging.DEBUG)
    with app.test_request_context("/requests?q=" + QUERY_MARKER, headers=MARKERS):
        logging.getLogger("movements.app").error(
            "handling %s for %s", "/requests?q=" + QUERY_MARKER, MARKERS["User-Agent"]
        )
    assert QUERY_MARKER not in caplog.text and "ua-marker" not in caplog.text


def test_a_full_journey_leaves_no_trace_of_the_visitor(tmp_path):
    instance = tmp_path / "instance"
    with running_server(instance, "--no-onion") as server:
        base = server.base
        password = "correct horse battery"
        activist, provider = Visitor(base), Visitor(base)
        signup = {"password": password, "confirm": password, "risk_read": "y", "declaration": "y"}
        activist.open_text(
            "/signup", {**signup, "username": "noor", "role": "activist", "country": "IR"}
        )
        provider.open_text("/signup", {**signup, "username": "anna", "role": "provider"})
        posted = activist.open(
            "/requests/new",
            {
                "title": "Lawyer needed for a detained blogger",
                "description": "A blogger was detained and the family needs legal advice soon.",
                "skills": "legal",
                "country": "IR",
                "languages": "fa",
                "urgency": "urgent",
                "visibility": "everyone",
                "min_stars": "0",
                "expires_in_days": "30",
            },
        )
        with posted:
            request_path = urllib.parse.urlparse(posted.geturl()).path
        assert request_path.startswith("/requests/")
        provider.open_text(f"/requests?q={QUERY_MARKER}")
        provider.open_text(request_path + "/offer", {"message": "I can advise the family."})
        provider.open_text(f"/no-such-page?x={QUERY_MARKER}")
        activist.open_text("/login", {"username": "noor", "password": "wrong password"})
    output = server.stop()
    everything = output.encode() + b"".join(
        p.read_bytes() for p in Path(instance).rglob("*") if p.is_file()
    )
    assert b"Lawyer needed for a detained blogger" in everything  # the search sees the data
    for marker in [*MARKERS.values(), QUERY_MARKER]:
        assert marker.encode() not in everything, marker
    assert b"127.0.0.1" not in everything.replace(f"serving on {base}/".encode(), b"")
