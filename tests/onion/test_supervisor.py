"""EmbeddedOnion and AttachedOnion: publish, keep the address, survive a dead tor, stop."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time

import pytest

from movements.onion.client_auth import (
    ClientAuthKeyPair,
    add_authorized_client,
    remove_authorized_client,
)
from movements.onion.control import connect
from movements.onion.errors import OnionConfigError, TorControlError, TorNotInstalled
from movements.onion.keys import load_key
from movements.onion.publish import add_onion, remove_onion
from movements.onion.status import probe_status
from movements.onion.supervisor import AttachedOnion, Backoff, EmbeddedOnion, OnionService
from tests.onion.tornet import free_ports

OFFLINE = {"DisableNetwork": "1"}
FAST = Backoff(initial=0.1, max_delay=1.0)


def _wait_for(condition, timeout: float = 15.0, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(interval)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); look at its state
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split(") ", 1)[1][0] != "Z"


def test_backoff_doubles_up_to_its_cap_and_stays_there():
    backoff = Backoff(initial=0.5, factor=2, max_delay=3)
    assert [backoff.delay(n) for n in range(6)] == [0.5, 1, 2, 3, 3, 3]


@pytest.mark.tor
def test_embedded_start_publishes_the_stored_key_s_address(tor_cmd, short_tmp):
    onion = EmbeddedOnion(
        short_tmp / "tor", short_tmp / "onion.key", 8000, tor_cmd=tor_cmd, extra_config=OFFLINE
    )
    address = onion.start()
    try:
        assert address == load_key(short_tmp / "onion.key").address
        assert stat.S_IMODE((short_tmp / "onion.key").stat().st_mode) == 0o600
        assert stat.S_IMODE((short_tmp / "tor").stat().st_mode) == 0o700
        assert onion.control_endpoint.socket_path == (short_tmp / "tor" / "control").resolve()
        status = onion.status()
        assert (status.mode, status.state, status.published) == ("embedded", "running", True)
        assert status.address == address
        assert status.tor_version.startswith("0.4.")
        assert status.bootstrap.tag == "starting"  # network off: tor stays at 0%
        assert status.services[0].url == f"http://{address}.onion"
        pid = onion.pid
    finally:
        onion.stop()
    assert not _alive(pid)
    assert onion.status().state == "stopped"


@pytest.mark.tor
def test_restart_keeps_the_address(tor_cmd, short_tmp):
    addresses = []
    for _ in range(2):
        with EmbeddedOnion(
            short_tmp / "tor", short_tmp / "onion.key", 8000, tor_cmd=tor_cmd, extra_config=OFFLINE
        ) as onion:
            assert onion.status().published
            addresses.append(onion.address)
    assert addresses[0] == addresses[1]


@pytest.mark.tor
def test_killed_tor_is_restarted_and_republishes_the_same_address(tor_cmd, short_tmp):
    onion = EmbeddedOnion(
        short_tmp / "tor",
        short_tmp / "onion.key",
        8000,
        tor_cmd=tor_cmd,
        extra_config=OFFLINE,
        backoff=FAST,
        poll_interval=0.2,
    )
    address = onion.start()
    try:
        first_pid = onion.pid
        os.kill(first_pid, signal.SIGKILL)
        status = _wait_for(lambda: (s := onion.status()).restarts == 1 and s.published and s)
        assert status.state == "running"
        assert status.address == address
        assert onion.pid != first_pid
        assert not _alive(first_pid)
    finally:
        onion.stop()


@pytest.mark.tor
def test_supervisor_keeps_trying_without_tor_and_says_why(tor_cmd, short_tmp):
    # tor disappears while the app runs (uninstalled, or an upgrade gone wrong)
    (short_tmp / "bin").mkdir()
    vanishing_tor = short_tmp / "bin" / "tor"
    vanishing_tor.symlink_to(tor_cmd)
    onion = EmbeddedOnion(
        short_tmp / "tor",
        short_tmp / "onion.key",
        8000,
        tor_cmd=str(vanishing_tor),
        extra_config=OFFLINE,
        backoff=Backoff(initial=0.1, max_delay=0.2),
        poll_interval=0.2,
    )
    onion.start()
    try:
        vanishing_tor.unlink()
        os.kill(onion.pid, signal.SIGKILL)
        status = _wait_for(lambda: (s := onion.status()).attempts >= 3 and s)
        assert status.state == "restarting"
        assert "apt-get install tor" in status.last_error
        assert not status.published
        assert status.restarts == 0
    finally:
        onion.stop()
    assert onion.status().state == "stopped"


@pytest.mark.tor
def test_control_port_mode_and_long_paths_use_a_loopback_port(tor_cmd, short_tmp):
    deep = short_tmp / ("d" * 60) / ("e" * 60)
    with EmbeddedOnion(
        deep / "tor", deep / "onion.key", 8000, tor_cmd=tor_cmd, extra_config=OFFLINE
    ) as onion:
        endpoint = onion.control_endpoint
        assert endpoint.socket_path is None
        assert endpoint.host == "127.0.0.1"
        assert onion.status().published


def test_missing_tor_is_reported_before_anything_starts(short_tmp):
    onion = EmbeddedOnion(
        short_tmp / "tor", short_tmp / "onion.key", 8000, tor_cmd="/nonexistent/tor"
    )
    with pytest.raises(TorNotInstalled, match="apt-get install tor"):
        onion.start()
    assert onion.status().state == "stopped"


@pytest.mark.tor
def test_staff_onion_needs_an_authorized_client(tor_cmd, short_tmp):
    clients = short_tmp / "staff-clients"
    staff = OnionService(
        short_tmp / "staff.key", 8001, authorized_clients_dir=clients, name="staff"
    )
    onion = EmbeddedOnion(
        short_tmp / "tor",
        short_tmp / "onion.key",
        8000,
        staff=staff,
        tor_cmd=tor_cmd,
        extra_config=OFFLINE,
    )
    with pytest.raises(OnionConfigError, match="no client key"):
        onion.start()
    add_authorized_client(clients, "alice", ClientAuthKeyPair.generate().public_key)
    onion.start()
    try:
        status = onion.status()
        assert [s.name for s in status.services] == ["public", "staff"]
        assert status.published
        assert onion.addresses["staff"] == load_key(short_tmp / "staff.key").address
        # revoking the last client and republishing takes the staff onion down, not the public
        remove_authorized_client(clients, "alice")
        with pytest.raises(OnionConfigError):
            onion.republish()
        public, staff_status = onion.status().services
        assert (public.published, staff_status.published) == (True, False)
    finally:
        onion.stop()


@pytest.mark.tor
def test_another_process_can_probe_version_and_bootstrap(tor_cmd, short_tmp):
    with EmbeddedOnion(
        short_tmp / "tor", short_tmp / "onion.key", 8000, tor_cmd=tor_cmd, extra_config=OFFLINE
    ) as onion:
        probe = probe_status(onion.control_endpoint, [onion.address])
        assert probe.tor_version == onion.status().tor_version
        assert probe.bootstrap.progress == 0
        # tor shows an ephemeral service only to the connection that added it; from outside
        # it counts once tor has built its descriptor, which needs a network (test_tornet).
        assert probe.services[0].published is False


@pytest.mark.tor
def test_attach_with_cookie_publishes_and_leaves_the_operator_tor_running(operator_tor, short_tmp):
    process, endpoint = operator_tor()
    onion = AttachedOnion(str(endpoint), short_tmp / "onion.key", 8000)
    address = onion.start()
    status = onion.status()
    assert (status.mode, status.published, status.address) == ("attached", True, address)
    onion.stop()
    assert process.is_running()
    # the service is gone: tor lets a new connection publish the same key again
    controller = connect(endpoint)
    try:
        key = load_key(short_tmp / "onion.key")
        assert add_onion(controller, key, 8000) == address
        remove_onion(controller, address)
    finally:
        controller.close()


def _hashed(tor_cmd: str, password: str) -> str:
    out = subprocess.run(
        [tor_cmd, "--hash-password", password], capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.tor
def test_attach_with_password_over_a_control_port(tor_cmd, operator_tor, short_tmp):
    (port,) = free_ports(1)
    operator_tor(control_port=port, hashed_password=_hashed(tor_cmd, "horse staple"))
    with pytest.raises(TorControlError, match="requires a password"):
        AttachedOnion(f"127.0.0.1:{port}", short_tmp / "onion.key", 8000).start()
    with AttachedOnion(
        f"127.0.0.1:{port}", short_tmp / "onion.key", 8000, password="horse staple"
    ) as onion:
        assert onion.status().published


@pytest.mark.tor
def test_attach_reconnects_and_republishes_when_the_operator_restarts_tor(operator_tor, short_tmp):
    (port,) = free_ports(1)
    first, _ = operator_tor(control_port=port)
    onion = AttachedOnion(
        f"127.0.0.1:{port}", short_tmp / "onion.key", 8000, backoff=FAST, poll_interval=0.2
    )
    address = onion.start()
    try:
        first.stop()
        operator_tor(control_port=port)
        status = _wait_for(lambda: (s := onion.status()).restarts == 1 and s.published and s)
        assert status.address == address
    finally:
        onion.stop()
