"""Control connections: endpoints as operators write them, cookie and password authentication."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from movements.onion.control import (
    ControlEndpoint,
    connect,
    parse_bootstrap_phase,
    parse_control_endpoint,
)
from movements.onion.errors import OnionConfigError, TorControlError
from tests.onion.tornet import free_ports


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/run/tor/control", ControlEndpoint(socket_path=Path("/run/tor/control"))),
        ("unix:/run/tor/control", ControlEndpoint(socket_path=Path("/run/tor/control"))),
        ("127.0.0.1:9051", ControlEndpoint(host="127.0.0.1", port=9051)),
        ("localhost:9051", ControlEndpoint(host="127.0.0.1", port=9051)),
        ("[::1]:9051", ControlEndpoint(host="::1", port=9051)),
        ("9051", ControlEndpoint(host="127.0.0.1", port=9051)),
    ],
)
def test_parses_the_ways_operators_name_a_control_endpoint(text, expected):
    assert parse_control_endpoint(text) == expected


@pytest.mark.parametrize(
    "text", ["", "tor.example.org:9051", "127.0.0.1:0", "127.0.0.1:99999", "x"]
)
def test_refuses_endpoints_that_are_not_a_path_or_ip_and_port(text):
    with pytest.raises(OnionConfigError):
        parse_control_endpoint(text)


def test_parses_bootstrap_phase():
    phase = parse_bootstrap_phase('NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"')
    assert (phase.progress, phase.tag, phase.summary, phase.done) == (100, "done", "Done", True)


def test_nothing_listening_is_a_clear_error():
    (port,) = free_ports(1)
    with pytest.raises(TorControlError, match="cannot connect"):
        connect(f"127.0.0.1:{port}")


@pytest.mark.tor
def test_cookie_authentication_over_a_control_socket(operator_tor):
    _process, endpoint = operator_tor()
    controller = connect(endpoint)
    try:
        assert controller.get_info("version").startswith("0.4")
    finally:
        controller.close()


def _hash_password(tor_cmd: str, password: str) -> str:
    result = subprocess.run(
        [tor_cmd, "--hash-password", password], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.tor
def test_password_authentication_over_a_control_port(tor_cmd, operator_tor):
    (port,) = free_ports(1)
    operator_tor(control_port=port, hashed_password=_hash_password(tor_cmd, "s3cret words"))
    controller = connect(f"127.0.0.1:{port}", password="s3cret words")
    try:
        assert controller.is_authenticated()
    finally:
        controller.close()
    with pytest.raises(TorControlError, match="refused the control password"):
        connect(f"127.0.0.1:{port}", password="wrong")
    with pytest.raises(TorControlError, match="requires a password"):
        connect(f"127.0.0.1:{port}")
