"""A private Tor network on 127.0.0.1 for end-to-end tests and benchmarks.

The public Tor network is unreachable from CI and must never be used by tests. This builds a
small network from tor's documented testing options instead (see /work/shared/TOR-FACTS.md):
three directory authorities with keys from ``tor-gencert``, some relays, a *service* node (a
plain tor whose control port the app publishes through, as a production app attaches to the
system tor) and a *client* node with a SOCKS port. With fewer than about four relays in all,
clients cannot build circuits; ``AssumeReachable 1`` spares relays minutes of self-testing.

Every wait is bounded. Teardown closes each node's owning control connection (tor exits when
it closes, and also if the test process dies, so nothing outlives a crashed run) and then
escalates SIGTERM to SIGKILL: a tor was seen hanging on SIGTERM.

Reuse::

    with private_tor_network(tmp_dir) as net:
        # publish through net.service_control ("127.0.0.1:PORT", cookie auth)
        response = fetch_with_retry(f"http://{address}.onion/", socks=net.client_socks)

``fetch`` and ``fetch_with_retry`` (from :mod:`tests.onion.socks_http`, re-exported here) do
GET and POST through the client's SOCKS port, with cookies, without following redirects.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import stem
from stem.control import Controller

from movements.onion.control import connect, get_bootstrap
from movements.onion.errors import TorControlError
from movements.onion.process import ConfigValue, TorProcess, find_tor, launch_tor
from tests.onion.socks_http import SocksError, fetch, fetch_with_retry

__all__ = [
    "PrivateTorNetwork",
    "SocksError",
    "TorNode",
    "fetch",
    "fetch_with_retry",
    "free_ports",
    "private_tor_network",
]

AUTHORITY_COUNT = 3
RELAY_COUNT = 3

# Options every node of the network shares (TOR-FACTS.md, "A private Tor network").
_COMMON: dict[str, ConfigValue] = {
    "TestingTorNetwork": "1",
    "PathsNeededToBuildCircuits": "0.67",
    "TestingDirAuthVoteExit": "*",
    "TestingDirAuthVoteHSDir": "*",
    "TestingDirAuthVoteGuard": "*",
    "TestingMinExitFlagThreshold": "0",
    "V3AuthNIntervalsValid": "2",
    "CookieAuthentication": "1",
    "SafeLogging": "1",
}
_AUTHORITY: dict[str, ConfigValue] = {
    "AuthoritativeDirectory": "1",
    "V3AuthoritativeDirectory": "1",
    "TestingV3AuthInitialVotingInterval": "20",
    "TestingV3AuthInitialVoteDelay": "4",
    "TestingV3AuthInitialDistDelay": "4",
    "V3AuthVotingInterval": "20",
    "V3AuthVoteDelay": "4",
    "V3AuthDistDelay": "4",
}
_RELAY: dict[str, ConfigValue] = {
    "SocksPort": "0",
    "Address": "127.0.0.1",
    "ExitRelay": "0",
    "ExitPolicy": "reject *:*",
    "AssumeReachable": "1",
    "ContactInfo": "private test network",
}


def free_ports(count: int) -> list[int]:
    """Return ``count`` distinct free TCP ports on 127.0.0.1 (held together while choosing)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


@dataclass
class TorNode:
    """One tor of the network and how to reach it."""

    name: str
    role: str  # "authority", "relay", "service" or "client"
    data_dir: Path
    control_port: int
    or_port: int | None = None
    dir_port: int | None = None
    socks_port: int | None = None
    fingerprint: str | None = None
    v3ident: str | None = None
    process: TorProcess | None = None
    owner: Controller | None = field(default=None, repr=False)

    @property
    def control(self) -> str:
        return f"127.0.0.1:{self.control_port}"

    @property
    def torrc(self) -> Path:
        return self.data_dir / "torrc"


class PrivateTorNetwork:
    """Authorities, relays, a service node and a client node, all on loopback."""

    def __init__(
        self,
        base_dir: Path,
        *,
        relays: int = RELAY_COUNT,
        tor_cmd: str = "tor",
        tor_gencert: str = "tor-gencert",
    ) -> None:
        if relays < RELAY_COUNT:
            # With fewer than about four relays in all, clients never build circuits.
            raise ValueError(f"the network needs at least {RELAY_COUNT} relays")
        self.base_dir = Path(base_dir)
        self._tor = find_tor(tor_cmd)
        gencert = shutil.which(tor_gencert)
        if gencert is None:
            raise FileNotFoundError(f"{tor_gencert} not found (it comes with the tor package)")
        self._gencert = gencert
        self._relay_count = relays
        self.nodes: list[TorNode] = []
        self.started_at: float | None = None
        self.ready_after: float | None = None

    # --- the nodes ----------------------------------------------------------------------------

    def _node(self, role: str) -> TorNode:
        return next(node for node in self.nodes if node.role == role)

    @property
    def service(self) -> TorNode:
        return self._node("service")

    @property
    def client(self) -> TorNode:
        return self._node("client")

    @property
    def service_control(self) -> str:
        """``127.0.0.1:PORT`` of the service node's control port (cookie authentication)."""
        return self.service.control

    @property
    def client_socks(self) -> tuple[str, int]:
        """The client node's SOCKS5 proxy."""
        port = self.client.socks_port
        if port is None:  # pragma: no cover - set in _plan
            raise RuntimeError("network not planned")
        return ("127.0.0.1", port)

    @property
    def client_auth_dir(self) -> Path:
        """The client node's ClientOnionAuthDir (``SIGNAL RELOAD`` after adding a file)."""
        return self.client.data_dir / "onion_auth"

    def dir_authority_lines(self) -> list[str]:
        """The ``DirAuthority`` lines that make a tor join this network."""
        return [
            f"{node.name} orport={node.or_port} no-v2 v3ident={node.v3ident} "
            f"127.0.0.1:{node.dir_port} {node.fingerprint}"
            for node in self.nodes
            if node.role == "authority"
        ]

    def member_config(self) -> dict[str, ConfigValue]:
        """Options for an extra tor (e.g. an EmbeddedOnion) to join the network as a client."""
        return {**_COMMON, "DirAuthority": self.dir_authority_lines()}

    # --- life cycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 150.0) -> None:
        """Create keys, launch every node, and wait until service and client have a consensus."""
        self.started_at = time.monotonic()
        try:
            self._plan()
            # Key generation and start-up are mostly CPU-bound RSA work in separate processes:
            # starting every node at once lets the relays make the first vote more often.
            with ThreadPoolExecutor(max_workers=len(self.nodes)) as pool:
                list(pool.map(self._launch, self.nodes))
            self.wait_until_ready(timeout)
        except BaseException:
            self.stop()
            raise
        self.ready_after = time.monotonic() - self.started_at

    def _plan(self) -> None:
        roles = (
            ["authority"] * AUTHORITY_COUNT + ["relay"] * self._relay_count + ["service", "client"]
        )
        ports = iter(free_ports(len(roles) * 3))
        counters: dict[str, int] = {}
        for role in roles:
            counters[role] = counters.get(role, 0) + 1
            name = f"{role}{counters[role]}"
            node = TorNode(name, role, self.base_dir / name, control_port=next(ports))
            if role in ("authority", "relay"):
                node.or_port, node.dir_port = next(ports), next(ports)
            if role == "client":
                node.socks_port = next(ports)
            node.data_dir.mkdir(mode=0o700, parents=True)
            self.nodes.append(node)
        authorities = [node for node in self.nodes if node.role == "authority"]
        with ThreadPoolExecutor(max_workers=len(authorities)) as pool:
            list(pool.map(self._make_authority_keys, authorities))

    def _run(self, args: list[str], *, cwd: Path, stdin: str = "") -> str:
        result = subprocess.run(
            args, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=60, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def _make_authority_keys(self, node: TorNode) -> None:
        keys = node.data_dir / "keys"
        keys.mkdir(mode=0o700)
        self._run(
            [
                self._gencert,
                "--create-identity-key",
                "-i",
                str(keys / "authority_identity_key"),
                "-s",
                str(keys / "authority_signing_key"),
                "-c",
                str(keys / "authority_certificate"),
                "-m",
                "12",
                "-a",
                f"127.0.0.1:{node.dir_port}",
                "--passphrase-fd",
                "0",
            ],
            cwd=node.data_dir,
            stdin="\n",
        )
        certificate = (keys / "authority_certificate").read_text()
        node.v3ident = next(
            line.split()[1] for line in certificate.splitlines() if line.startswith("fingerprint ")
        )
        empty = node.data_dir / "empty-torrc"
        empty.write_text("")
        self._run(
            [
                self._tor,
                "--list-fingerprint",
                "-f",
                str(empty),
                "--DataDirectory",
                str(node.data_dir),
                "--ORPort",
                str(node.or_port),
                "--Nickname",
                node.name,
            ],
            cwd=node.data_dir,
        )
        node.fingerprint = (node.data_dir / "fingerprint").read_text().split()[1]

    def _config(self, node: TorNode) -> dict[str, ConfigValue]:
        no_geoip = node.data_dir / "no-geoip"
        no_geoip.write_text("")
        config: dict[str, ConfigValue] = {
            **self.member_config(),
            # Parsing the country database costs seconds of CPU per node, and eight nodes
            # starting at once on a small CI machine are CPU-bound; nothing here needs it.
            "GeoIPFile": str(no_geoip),
            "GeoIPv6File": str(no_geoip),
            "Nickname": node.name,
            "ControlPort": node.control,
            "Log": ["notice stdout", f"notice file {node.data_dir / 'notice.log'}"],
        }
        if node.role in ("authority", "relay"):
            config |= _RELAY
            config["ORPort"] = f"127.0.0.1:{node.or_port}"
            config["DirPort"] = f"127.0.0.1:{node.dir_port}"
        if node.role == "authority":
            config |= _AUTHORITY
        if node.role == "service":
            config["SocksPort"] = "0"
        if node.role == "client":
            config["SocksPort"] = f"127.0.0.1:{node.socks_port} ExtendedErrors"
            config["ClientOnionAuthDir"] = str(self.client_auth_dir)
            self.client_auth_dir.mkdir(mode=0o700, exist_ok=True)
        return config

    def _launch(self, node: TorNode) -> None:
        node.process = launch_tor(
            self._config(node), node.data_dir, tor_cmd=self._tor, torrc_path=node.torrc
        )
        # The first controller from this process takes ownership (stem sends TAKEOWNERSHIP
        # because of __OwningControllerProcess): tor exits when this connection closes or when
        # the test process dies. Later controllers, such as the app's, do not own the node.
        node.owner = connect(node.control)

    def controller(self, node: TorNode) -> Controller:
        """The node's owning controller (do not close it; it is closed by stop())."""
        if node.owner is None:
            raise RuntimeError(f"{node.name} is not running")
        return node.owner

    def wait_until_ready(self, timeout: float) -> None:
        """Wait (bounded) until the service and client nodes have bootstrapped to 100%."""
        deadline = time.monotonic() + timeout
        for node in (self.service, self.client):
            while True:
                try:
                    if get_bootstrap(self.controller(node)).done:
                        break
                except TorControlError:
                    pass
                if node.process is not None and not node.process.is_running():
                    raise RuntimeError(f"{node.name} exited:\n{node.process.log_tail()}")
                if time.monotonic() > deadline:
                    raise TimeoutError(
                        f"{node.name} did not bootstrap within {timeout:g} s:\n"
                        + (node.process.log_tail() if node.process else "")
                    )
                time.sleep(0.5)

    def stop(self, grace: float = 5.0) -> None:
        """Close the owning connections (tor exits), then SIGTERM and SIGKILL what remains."""
        for node in self.nodes:
            if node.owner is not None:
                with contextlib.suppress(stem.SocketError, OSError):
                    node.owner.close()
                node.owner = None
        for node in self.nodes:
            if node.process is not None:
                node.process.stop(grace=grace)
                node.process = None

    def __enter__(self) -> PrivateTorNetwork:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


@contextlib.contextmanager
def private_tor_network(base_dir: Path, **kwargs: object) -> Iterator[PrivateTorNetwork]:
    """Start a :class:`PrivateTorNetwork` in ``base_dir`` and tear it down afterwards."""
    network = PrivateTorNetwork(base_dir, **kwargs)  # type: ignore[arg-type]
    with network:
        yield network
