"""The real app, published by `movements serve --tor-control`, used by onion address only.

Everything runs on 127.0.0.1: a private Tor network, the app's onion published through one of
its nodes, and a client tor whose SOCKS port carries a person's sign-up, request and reading.
"""

import re
import subprocess
import sys
import time
import urllib.parse

import pytest

from tests.onion.tornet import PrivateTorNetwork, fetch, fetch_with_retry
from tests.support.serving import ROOT, free_port

ADDRESS_LINE = re.compile(r"onion: http://([a-z2-7]{56}\.onion)/")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery"


def wait_for_address(process: subprocess.Popen, seconds: float = 60.0) -> str:
    deadline = time.monotonic() + seconds
    seen = ""
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        seen += line
        found = ADDRESS_LINE.search(line)
        if found:
            return found.group(1)
        if process.poll() is not None:
            break
    raise AssertionError(f"no onion address printed:\n{seen}")


def form_token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, page[:500]
    return found.group(1)


@pytest.mark.slow
@pytest.mark.tor
def test_a_person_signs_up_posts_and_reads_a_request_by_onion_address(
    tor_network: PrivateTorNetwork, short_tmp
):
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "movements.app.cli",
            "serve",
            "--tor-control",
            tor_network.service_control,
            "--port",
            str(port),
            "--instance",
            str(short_tmp / "instance"),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        onion = f"http://{wait_for_address(server)}"
        socks = tor_network.client_socks
        cookies: dict[str, str] = {}
        signup_page = fetch_with_retry(
            onion + "/signup", cookies=cookies, socks=socks, deadline=120
        )
        assert signup_page.status == 200
        signed_up = fetch(
            onion + "/signup",
            {
                "csrf_token": form_token(signup_page.text),
                "username": "noor",
                "password": PASSWORD,
                "confirm": PASSWORD,
                "role": "activist",
                "country": "IR",
                "declaration": "y",
                "risk_read": "y",
            },
            cookies,
            socks=socks,
        )
        assert signed_up.status == 302
        codes_at = urllib.parse.urljoin(onion, signed_up.header("Location"))
        assert "Your recovery codes" in fetch(codes_at, cookies=cookies, socks=socks).text
        new_page = fetch(onion + "/requests/new", cookies=cookies, socks=socks)
        assert 'name="languages"' in new_page.text  # one page: country and languages too
        posted = fetch(
            onion + "/requests/new",
            {
                "csrf_token": form_token(new_page.text),
                "title": "Lawyer for a detained poet",
                "description": "A poet was detained for a poem; the family needs legal advice.",
                "skills": "legal",
                "country": "IR",
                "languages": "fa",
                "urgency": "urgent",
                "visibility": "everyone",
                "min_stars": "0",
                "expires_in_days": "30",
            },
            cookies,
            socks=socks,
        )
        assert posted.status == 302
        location = posted.header("Location")
        assert re.fullmatch(re.escape(onion) + r"/requests/[A-Za-z0-9_-]{12}", location)
        page = fetch(location, socks=socks)  # signed out: a new visitor
        assert page.status == 200
        assert "Lawyer for a detained poet" in page.text
        assert page.header("Onion-Location") is None
        assert page.header("Content-Security-Policy").startswith("default-src 'none'")
    finally:
        server.terminate()
        server.communicate(timeout=60)
