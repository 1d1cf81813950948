"""Fixtures for the onion tests, which run the real tor (never a mock).

tor is the Debian package. When it is missing: as root we install it; otherwise the tests that
need it are skipped with the install command — except under ``CI=true``, where a missing tor
is a failure, so CI can never pass by silently skipping the tor tests.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from movements.onion.control import ControlEndpoint
from movements.onion.process import TorProcess, launch_tor
from tests.onion.tornet import PrivateTorNetwork

INSTALL_HINT = "install tor: apt-get install tor"


def _apt_install_tor() -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "install", "-y", "tor"], ["apt-get", "update"]):
        subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        if shutil.which("tor"):
            return
    subprocess.run(
        ["apt-get", "install", "-y", "tor"], env=env, capture_output=True, timeout=600, check=False
    )


@pytest.fixture(scope="session")
def tor_cmd() -> str:
    """The path of tor, installed on demand when running as root."""
    if shutil.which("tor") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _apt_install_tor()
    path = shutil.which("tor")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"tor is required under CI=true; {INSTALL_HINT}")
        pytest.skip(INSTALL_HINT)
    return path


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A temporary directory with a short path, so control sockets fit in sockaddr_un."""
    path = Path(tempfile.mkdtemp(prefix="onion-", dir="/tmp"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


OperatorTor = Callable[..., tuple[TorProcess, ControlEndpoint]]


@pytest.fixture
def operator_tor(tor_cmd: str, short_tmp: Path) -> Iterator[OperatorTor]:
    """Start "someone else's" tor: not owned by this process, so attaching cannot stop it.

    Call it with ``control_port=PORT`` (else a control socket), and ``password=HASH`` for
    ``HashedControlPassword`` (else cookie authentication). Extra keyword options go to torrc.
    """
    started: list[TorProcess] = []

    def start(
        *, control_port: int | None = None, hashed_password: str | None = None, **options: str
    ) -> tuple[TorProcess, ControlEndpoint]:
        data_dir = short_tmp / f"operator{len(started)}"
        config: dict[str, str] = {"SocksPort": "0", "DisableNetwork": "1", **options}
        if control_port is not None:
            config["ControlPort"] = f"127.0.0.1:{control_port}"
            endpoint = ControlEndpoint(host="127.0.0.1", port=control_port)
        else:
            config["ControlSocket"] = str(data_dir / "control")
            endpoint = ControlEndpoint(socket_path=data_dir / "control")
        if hashed_password is not None:
            config["HashedControlPassword"] = hashed_password
        else:
            config["CookieAuthentication"] = "1"
        process = launch_tor(config, data_dir, tor_cmd=tor_cmd, take_ownership=False)
        started.append(process)
        return process, endpoint

    yield start
    for process in started:
        process.stop(grace=5)


@pytest.fixture(scope="session")
def tor_network(
    tor_cmd: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrivateTorNetwork]:
    """A private Tor network on 127.0.0.1, shared by the slow tests of a session."""
    if shutil.which("tor-gencert") is None:
        pytest.fail("tor-gencert is missing although tor is installed")
    network = PrivateTorNetwork(tmp_path_factory.mktemp("tornet"), tor_cmd=tor_cmd)
    with network:
        yield network


RunHiddenServiceDir = Callable[..., TorProcess]


@pytest.fixture
def hidden_service_dir_tor(tor_cmd: str, short_tmp: Path) -> Iterator[RunHiddenServiceDir]:
    """Run tor with a ``HiddenServiceDir`` until it has written ``hostname`` (network off).

    Returns the running TorProcess; extra keyword options go to torrc. Stopped at teardown.
    """
    started: list[TorProcess] = []

    def run(hs_dir: Path, **options: str | list[str]) -> TorProcess:
        config: dict[str, str | list[str]] = {
            "SocksPort": "0",
            "DisableNetwork": "1",
            "HiddenServiceDir": str(hs_dir),
            "HiddenServicePort": "80 127.0.0.1:9",
            **options,
        }
        data_dir = short_tmp / f"hsdir-tor{len(started)}"
        process = launch_tor(config, data_dir, tor_cmd=tor_cmd)
        started.append(process)
        deadline = time.monotonic() + 10
        while not (Path(hs_dir) / "hostname").exists():
            if time.monotonic() > deadline or not process.is_running():
                raise AssertionError(f"tor wrote no hostname:\n{process.log_tail()}")
            time.sleep(0.05)
        return process

    yield run
    for process in started:
        process.stop(grace=5)
