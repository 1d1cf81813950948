"""Running `movements serve` as a real process on loopback, the way an operator does."""

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2)  # noqa: S310 -- loopback only
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)  # TimeoutError: taken by the kernel, no worker answering yet
    raise AssertionError(f"{url} did not answer within {seconds} s")


@dataclass
class Server:
    base: str
    instance: Path
    process: subprocess.Popen
    output: str = ""

    def stop(self) -> str:
        """SIGTERM, as systemd sends; returns everything the server printed."""
        if self.process.returncode is None:
            self.process.terminate()
            self.output, _ = self.process.communicate(timeout=60)
        return self.output


@contextmanager
def running_server(instance: Path, *options: str, env: dict | None = None, ready: float = 20.0):
    """`movements serve` on a free loopback port, answering /healthz, stopped at the end."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "movements.app.cli",
            "serve",
            "--port",
            str(port),
            "--instance",
            str(instance),
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    server = Server(f"http://127.0.0.1:{port}", instance, process)
    try:
        wait_for(server.base + "/healthz", ready).close()
        yield server
    finally:
        server.stop()
