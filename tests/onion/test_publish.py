"""ADD_ONION with DoS defenses, checked against the real tor (network off)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from stem.control import Controller

from movements.onion.client_auth import ClientAuthKeyPair
from movements.onion.control import connect
from movements.onion.errors import InvalidKey, OnionConfigError, OnionPublishError
from movements.onion.keys import ServiceKey
from movements.onion.process import launch_tor
from movements.onion.publish import (
    DEFAULT_DEFENSES,
    Defenses,
    add_onion,
    add_onion_command,
    current_onions,
    normalize_target,
    remove_onion,
)
from tests.onion.test_keys import PINNED_ADDRESS, PINNED_KEY


@pytest.fixture(scope="module")
def controller(tor_cmd) -> Iterator[Controller]:
    """A controller of one tor of our own (network off), shared by this module's tests.

    Each test publishes its own fresh keys, so they do not see each other's services.
    """
    base = Path(tempfile.mkdtemp(prefix="onion-", dir="/tmp"))
    data_dir = base / "tor"
    config = {
        "SocksPort": "0",
        "DisableNetwork": "1",
        "ControlSocket": str(data_dir / "control"),
        "CookieAuthentication": "1",
    }
    process = launch_tor(config, data_dir, tor_cmd=tor_cmd)
    controller = connect(str(data_dir / "control"))
    yield controller
    controller.close()
    process.stop()
    shutil.rmtree(base, ignore_errors=True)


def _reply(controller: Controller, command: str) -> str:
    response = controller.msg(command)
    return ("OK " if response.is_ok() else "REFUSED ") + str(response)


def test_command_carries_the_defenses():
    key = ServiceKey(PINNED_KEY)
    command = add_onion_command(key, 8000)
    assert command.startswith(f"ADD_ONION ED25519-V3:{key.key_content} ")
    words = command.split()[2:]
    assert words == [
        "Flags=DiscardPK,MaxStreamsCloseCircuit",
        "MaxStreams=20",
        "Port=80,127.0.0.1:8000",
        "PoWDefensesEnabled=1",
        "PoWQueueRate=50",
        "PoWQueueBurst=250",
    ]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (8000, "127.0.0.1:8000"),
        ("8000", "127.0.0.1:8000"),
        ("127.0.0.1:8000", "127.0.0.1:8000"),
        ("[::1]:8000", "[::1]:8000"),
        ("unix:/run/movements/app.sock", "unix:/run/movements/app.sock"),
    ],
)
def test_targets_are_loopback_ports_or_unix_sockets(target, expected):
    assert normalize_target(target) == expected


@pytest.mark.parametrize(
    "target",
    [
        "127.0.0.1:8000 Flags=Detach",  # would smuggle a keyword into the command
        "127.0.0.1:8000\r\nSIGNAL HALT",  # would smuggle a whole command
        "unix:/tmp/a b.sock",
        "unix:relative.sock",
        "localhost:8000",
        "127.0.0.1:0",
        "127.0.0.1",
        0,
    ],
)
def test_refuses_targets_that_could_inject_or_resolve(target):
    with pytest.raises(OnionConfigError):
        normalize_target(target)


@pytest.mark.parametrize(
    "changes",
    [
        {"pow_queue_rate": 0},
        {"pow_queue_burst": 2**32},
        {"pow_queue_rate": 100, "pow_queue_burst": 10},
        {"max_streams": -1},
        {"max_streams": 65536},
        {"intro_dos_rate_per_sec": 0},
    ],
)
def test_defenses_refuse_values_tor_would_refuse_or_misread(changes):
    with pytest.raises(OnionConfigError):
        Defenses(**changes)


def test_client_auth_required_but_no_client_never_publishes_an_open_service():
    with pytest.raises(OnionConfigError, match="no client"):
        add_onion_command(ServiceKey.generate(), 8000, require_client_auth=True)


def test_client_auth_key_must_be_base32_x25519():
    with pytest.raises(InvalidKey):
        add_onion_command(ServiceKey.generate(), 8000, client_auth=["not-a-key"])


@pytest.mark.tor
def test_tor_publishes_the_pinned_key_at_the_derived_address(controller):
    address = add_onion(controller, ServiceKey(PINNED_KEY), 8000)
    try:
        assert address == PINNED_ADDRESS
        assert PINNED_ADDRESS in current_onions(controller)
    finally:
        remove_onion(controller, PINNED_ADDRESS)


@pytest.mark.tor
def test_tor_accepts_the_default_defenses_and_reports_the_derived_address(controller):
    key = ServiceKey.generate()
    command = add_onion_command(key, 8000, defenses=DEFAULT_DEFENSES)
    reply = _reply(controller, command)
    assert reply.startswith("OK ")
    assert f"ServiceID={key.address}" in reply
    assert "PrivateKey" not in reply  # DiscardPK: the key never travels back


@pytest.mark.tor
def test_tor_parses_the_keywords_it_is_sent(controller):
    base = add_onion_command(ServiceKey.generate(), 8000)
    # tor checks every keyword and value: an unknown keyword or a bad PoW value is refused,
    # so the accepted defenses above were really read, not ignored.
    assert "Unrecognized keyword" in _reply(controller, base + " Bogus=1")
    assert _reply(
        controller, base.replace("PoWDefensesEnabled=1", "PoWDefensesEnabled=2")
    ).startswith("REFUSED")
    assert _reply(
        controller, base.replace("PoWQueueBurst=250", "PoWQueueBurst=4294967296")
    ).startswith("REFUSED")
    assert _reply(controller, base.replace("MaxStreams=20", "MaxStreams=65536")).startswith(
        "REFUSED"
    )


@pytest.mark.tor
@pytest.mark.parametrize(
    "keyword",
    ["EnableIntroDoSDefense=1", "HiddenServiceEnableIntroDoSDefense=1", "NumIntroductionPoints=3"],
)
def test_tor_offers_no_intro_dos_defense_for_ephemeral_services(controller, keyword):
    # If a future tor accepts one of these, publish.py should start sending it.
    base = add_onion_command(ServiceKey.generate(), 8000)
    assert "Unrecognized keyword" in _reply(controller, f"{base} {keyword}")


@pytest.mark.tor
def test_tor_accepts_a_unix_socket_target(controller, short_tmp):
    key = ServiceKey.generate()
    assert add_onion(controller, key, f"unix:{short_tmp}/app.sock") == key.address


@pytest.mark.tor
def test_staff_onion_with_client_authorization_is_accepted(controller):
    key = ServiceKey.generate()
    clients = [ClientAuthKeyPair.generate().public_base32 for _ in range(2)]
    command = add_onion_command(key, 8001, client_auth=clients, require_client_auth=True)
    assert "V3Auth" in command
    reply = _reply(controller, command)
    assert reply.startswith("OK ")
    assert reply.count("ClientAuthV3=") == 2


@pytest.mark.tor
def test_remove_onion_deletes_the_service(controller):
    key = ServiceKey.generate()
    add_onion(controller, key, 8000)
    assert remove_onion(controller, key.address) is True
    assert key.address not in current_onions(controller)
    assert remove_onion(controller, key.address) is False


@pytest.mark.tor
def test_a_second_publication_of_one_key_is_refused_clearly(controller):
    key = ServiceKey.generate()
    add_onion(controller, key, 8000)
    with pytest.raises(OnionPublishError, match="refused ADD_ONION"):
        add_onion(controller, key, 8000)


@pytest.mark.tor
def test_awaiting_publication_without_a_network_times_out(controller):
    with pytest.raises(OnionPublishError, match="not uploaded within"):
        add_onion(controller, ServiceKey.generate(), 8000, await_publication=True, timeout=1)
