"""Past one machine: an Onionbalance frontend over two backends, each an app with its own tor.

Everything is on the private Tor network of tests/onion/tornet.py (see TOR-FACTS.md): its
service node is the frontend's tor, two more tors are the backends (HiddenServiceDir with
`HiddenServiceOnionBalanceInstance 1` and the `ob_config` that `movements onion balance`
wrote), and two `movements serve` processes share one instance folder and database. A visitor
uses only the master address; each fetch goes on a circuit of its own (a SOCKS username), so
the frontend's descriptor sends them to either backend. A small relay in front of each app
counts the connections its tor forwards, which is how the tests see both backends at work.
The layout is built once for the module; the test that stops a backend comes last.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from stem import HSDescAction
from stem.control import Controller, EventType
from stem.descriptor.hidden_service import HiddenServiceDescriptorV3

from movements.onion.balance import OB_CONFIG_FILE
from movements.onion.keys import ServiceKey, write_hidden_service_dir
from movements.onion.process import TorProcess, launch_tor
from tests.onion.tornet import (
    PrivateTorNetwork,
    SocksError,
    fetch,
    fetch_with_retry,
    free_ports,
)
from tests.support.serving import ROOT, running_server

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery"
ONIONBALANCE = Path(sys.executable).parent / "onionbalance"
FETCHES = 12
MAX_FETCHES = 30  # each on a new circuit, which picks an introduction point at random


class CountingRelay:
    """Forwards each loopback connection to `target` and counts them (bounded by the test)."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                visitor, _ = self.listener.accept()
                self.connections += 1
                threading.Thread(target=self._relay, args=(visitor,), daemon=True).start()

    def _relay(self, visitor: socket.socket) -> None:
        with (
            visitor,
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", self.target), timeout=60) as app,
        ):
            upstream = threading.Thread(target=_pipe, args=(visitor, app), daemon=True)
            upstream.start()
            _pipe(app, visitor)
            upstream.join(60)

    def close(self) -> None:
        self.listener.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            sink.sendall(data)
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)


def backend_tor(net: PrivateTorNetwork, base: Path, name: str, app_port: int) -> TorProcess:
    """Backend `name`'s tor: its own key and the ob_config in `name`-hs, forwarding to the app."""
    data_dir = base / f"backend{name}"
    control_port, *_ = free_ports(1)
    config = {
        **net.member_config(),
        "Nickname": f"backend{name}",
        "SocksPort": "0",
        "ControlPort": f"127.0.0.1:{control_port}",
        "HiddenServiceDir": str(base / f"{name}-hs"),
        "HiddenServicePort": f"80 127.0.0.1:{app_port}",
        "HiddenServiceOnionBalanceInstance": "1",
        "Log": f"notice file {data_dir / 'notice.log'}",
    }
    return launch_tor(config, data_dir)


@pytest.fixture(scope="module")
def onionbalance() -> Path:
    if not ONIONBALANCE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("onionbalance is in the test extra: pip install -e '.[test]'")
        pytest.skip("onionbalance is not installed: pip install -e '.[test]'")
    return ONIONBALANCE


@contextlib.contextmanager
def started(command: list[str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, cwd=ROOT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_both_backends(log: Path, seconds: float = 240.0) -> None:
    """Until onionbalance publishes a master descriptor built from both backends' intro points.

    Before that a client could cache a descriptor listing one backend and keep using it.
    """
    both = re.compile(r"We got \d+ intros from 2 instances.*?About to publish", re.S)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if both.search(log.read_text(errors="replace")):
            return
        time.sleep(1)
    raise AssertionError(f"no master descriptor from both backends:\n{log.read_text()[-3000:]}")


def intro_point_keys(client: Controller, address: str, timeout: float = 60.0) -> set[bytes]:
    """The introduction points (their auth keys) of `address` in the descriptor the client's tor
    fetches from the HSDirs now; HSFETCH also replaces the descriptor the client had cached."""
    answers: queue.Queue = queue.Queue()
    ends = (HSDescAction.RECEIVED, HSDescAction.FAILED)

    def heard(event) -> None:
        if event.address == address and event.action in ends:
            answers.put(event.action)

    client.add_event_listener(heard, EventType.HS_DESC)
    try:
        client.msg(f"HSFETCH {address}")
        if answers.get(timeout=timeout) != HSDescAction.RECEIVED:
            return set()
    finally:
        client.remove_event_listener(heard)
    outer = HiddenServiceDescriptorV3.from_str(client.get_info(f"hs/client/desc/id/{address}"))
    return {point.auth_key_cert.key for point in outer.decrypt(address).introduction_points}


def wait_until_the_client_sees_both_backends(
    client: Controller, master: str, backends: dict[str, str], seconds: float = 240.0
) -> None:
    """Until the master descriptor the client's tor holds lists introduction points of each
    backend. The HSDirs may still serve an earlier master descriptor, built from one backend,
    after onionbalance logs its new one; a client that cached that one would reach one backend."""
    deadline = time.monotonic() + seconds
    while True:
        listed = intro_point_keys(client, master)
        shared = {name: len(listed & intro_point_keys(client, at)) for name, at in backends.items()}
        if all(shared.values()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the client's master descriptor lists, per backend: {shared}")
        time.sleep(5)


def fetch_on_new_circuits(url: str, socks, label: str, seconds: float = 120.0):
    """GET `url`, each failed attempt retried on a new circuit (bounded by `seconds`)."""
    deadline = time.monotonic() + seconds
    for attempt in range(100):
        try:
            return fetch(url, socks=socks, isolation=f"{label}-{attempt}", timeout=30)
        except (SocksError, ConnectionError, TimeoutError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    raise AssertionError(f"{url} failed 100 times")


def form_token(page) -> str:
    found = TOKEN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


@dataclass
class Balanced:
    """The layout the tests use: the master address and what stands behind it."""

    master: str
    socks: tuple[str, int]
    apps: dict
    relays: dict[str, CountingRelay]
    tors: dict[str, TorProcess]


@pytest.fixture(scope="module")
def balanced(tor_network: PrivateTorNetwork, onionbalance: Path) -> Iterator[Balanced]:
    """Two backends and a frontend, up until the master descriptor lists both backends."""
    base = Path(tempfile.mkdtemp(prefix="ob-", dir="/tmp"))  # short: tor's socket paths
    instance = base / "instance"
    cli = [sys.executable, "-m", "movements.app.cli"]
    subprocess.run([*cli, "init-db", "--instance", str(instance)], check=True, cwd=ROOT)
    backends = {}
    for name in ("a", "b"):
        key = ServiceKey.generate()
        write_hidden_service_dir(key, base / f"{name}-hs")
        backends[name] = key.address
    frontend = base / "frontend"
    done = subprocess.run(
        [*cli, "onion", "balance", "--instance", str(instance), str(frontend)]
        + [f"{address}.onion" for address in backends.values()],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    master_address = re.search(r"master address: http://([a-z2-7]{56})\.onion/", done.stdout)[1]
    for name in backends:
        shutil.copy(frontend / OB_CONFIG_FILE, base / f"{name}-hs" / OB_CONFIG_FILE)
    faces = {**os.environ, "MOVEMENTS_ONION_ADDRESS": f"{master_address}.onion"}
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, base, ignore_errors=True)
        layout = Balanced(f"http://{master_address}.onion", tor_network.client_socks, {}, {}, {})
        for name in backends:
            app = stack.enter_context(running_server(instance, "--no-onion", env=faces))
            layout.apps[name] = app
            layout.relays[name] = CountingRelay(int(app.base.rsplit(":", 1)[1]))
            stack.callback(layout.relays[name].close)
            layout.tors[name] = backend_tor(tor_network, base, name, layout.relays[name].port)
            stack.callback(layout.tors[name].stop, grace=5)
        stack.enter_context(
            started(
                [
                    str(onionbalance),
                    "--is-testnet",
                    "-v",
                    "info",
                    "-c",
                    str(frontend / "config.yaml"),
                    "-i",
                    "127.0.0.1",
                    "-p",
                    str(tor_network.service.control_port),
                    "-s",
                    str(base / "no-control-socket"),
                ],
                base / "onionbalance.log",
            )
        )
        wait_for_both_backends(base / "onionbalance.log")
        wait_until_the_client_sees_both_backends(
            tor_network.controller(tor_network.client), master_address, backends
        )
        yield layout


def sign_up(layout: Balanced, name: str, circuit: str) -> dict[str, str]:
    """A new activist account, signed up by the master address; returns its cookies."""
    cookies: dict[str, str] = {}
    journey = {"socks": layout.socks, "isolation": circuit}
    signup = fetch_with_retry(layout.master + "/signup", cookies=cookies, deadline=60, **journey)
    fields = {"username": name, "password": PASSWORD, "confirm": PASSWORD}
    fields |= {"role": "activist", "country": "IR", "declaration": "y", "risk_read": "y"}
    signed_up = fetch(
        layout.master + "/signup", {"csrf_token": form_token(signup), **fields}, cookies, **journey
    )
    assert signed_up.status == 302  # on to the recovery codes, shown once
    codes_at = urllib.parse.urljoin(layout.master, signed_up.header("Location"))
    assert "Your recovery codes" in fetch(codes_at, cookies=cookies, **journey).text
    return cookies


@pytest.mark.slow
@pytest.mark.tor
def test_pages_by_the_master_address_come_from_both_backends(balanced: Balanced):
    for number in range(MAX_FETCHES):  # each on a circuit of its own, until both have answered
        page = fetch_with_retry(
            balanced.master + "/", socks=balanced.socks, isolation=f"page{number}", deadline=150
        )
        assert page.status == 200
        if all(relay.connections for relay in balanced.relays.values()):
            break
    served = {name: relay.connections for name, relay in balanced.relays.items()}
    assert all(served.values()), served


@pytest.mark.slow
@pytest.mark.tor
def test_a_person_signs_up_signs_out_and_signs_in_by_the_master_address(balanced: Balanced):
    master, journey = balanced.master, {"socks": balanced.socks, "isolation": "journey"}
    cookies = sign_up(balanced, "noor", "journey")  # one circuit, so one backend throughout
    account = fetch(master + "/account", cookies=cookies, **journey)
    fetch(master + "/logout", {"csrf_token": form_token(account)}, cookies, **journey)
    login = fetch(master + "/login", cookies=cookies, **journey)
    signed_in = fetch(
        master + "/login",
        {"csrf_token": form_token(login), "username": "noor", "password": PASSWORD},
        cookies,
        **journey,
    )
    assert signed_in.status == 302
    assert signed_in.header("Location").startswith(master + "/")
    assert "noor" in fetch(master + "/account", cookies=cookies, **journey).text


@pytest.mark.slow
@pytest.mark.tor
def test_a_session_holds_whichever_backend_a_request_lands_on(balanced: Balanced):
    cookies = sign_up(balanced, "layla", "layla")
    before = {name: relay.connections for name, relay in balanced.relays.items()}
    for number in range(MAX_FETCHES):  # new circuits: the requests land on both backends
        page = fetch_with_retry(
            balanced.master + "/account",
            cookies=cookies,
            socks=balanced.socks,
            isolation=f"layla{number}",
            deadline=60,
        )
        assert page.status == 200 and "layla" in page.text, f"signed out at request {number}"
        if all(relay.connections > before[name] for name, relay in balanced.relays.items()):
            return
    raise AssertionError("the requests never reached both backends")


@pytest.mark.slow
@pytest.mark.tor
def test_pages_still_arrive_when_a_backend_stops(balanced: Balanced):
    """Backend a goes down, its tor with it; a fetch sent to its dead introduction points is
    retried on a new circuit (TOR-FACTS.md). Last in this file: it takes a backend away."""
    balanced.tors["a"].stop(grace=5)
    balanced.apps["a"].stop()
    before = balanced.relays["b"].connections
    for number in range(FETCHES):
        page = fetch_on_new_circuits(balanced.master + "/", balanced.socks, f"after{number}")
        assert page.status == 200
    assert balanced.relays["b"].connections >= before + FETCHES
