"""`movements serve` with the real tor: the onion address, kept across restarts."""

import re
import subprocess
import time

import pytest

from tests.support.serving import running_server

ADDRESS_LINE = re.compile(r"onion: http://([a-z2-7]{56})\.onion/")


def serve_once(instance, **options) -> str:
    """Start the server, wait for it to answer, stop it with SIGTERM; return what it printed."""
    with running_server(instance, ready=30.0, **options) as server:
        pass
    return server.output


@pytest.mark.tor
def test_serve_prints_a_v3_onion_address_and_the_same_after_a_restart(tor_cmd, short_tmp):
    instance = short_tmp / "instance"
    first = ADDRESS_LINE.search(serve_once(instance))
    assert first, "no onion address printed"
    second = ADDRESS_LINE.search(serve_once(instance))
    assert second and second.group(1) == first.group(1)
    assert (instance / "onion" / "service_key").stat().st_mode & 0o777 == 0o600
    assert (instance / "tor").stat().st_mode & 0o777 == 0o700


@pytest.mark.tor
def test_serve_stops_its_tor_on_sigterm(tor_cmd, short_tmp):
    instance = short_tmp / "instance"
    serve_once(instance)
    time.sleep(0.5)
    running = subprocess.run(
        ["pgrep", "-f", str(instance / "tor")], capture_output=True, check=False
    )
    assert running.stdout == b""


@pytest.mark.slow  # starts a real server
def test_without_tor_it_says_how_to_install_it_and_serves_loopback(tmp_path):
    missing = tmp_path / "bin"
    missing.mkdir()
    output = serve_once(tmp_path / "instance", env={"PATH": str(missing), "HOME": str(tmp_path)})
    assert "apt-get install tor" in output
    assert re.search(r"serving on http://127\.0\.0\.1:\d+/", output)
