"""What `movements serve` says about its onion: the true state at start, and each change later."""

import queue
import re
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.onion.tornet import PrivateTorNetwork
from tests.support.serving import ROOT, free_port

ADDRESS = r"http://[a-z2-7]{56}\.onion/"


class Serving:
    """`movements serve` in a process, its output read line by line as it comes."""

    def __init__(self, instance, *options: str) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "movements.app.cli",
                "serve",
                "--port",
                str(free_port()),
                "--instance",
                str(instance),
                *options,
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def read_until(self, pattern: str, seconds: float) -> str:
        """What the server printed up to the first line matching `pattern` (bounded wait)."""
        seen = ""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            seen += line
            if re.search(pattern, line):
                return seen
        raise AssertionError(f"no line matching {pattern!r} within {seconds} s:\n{seen}")

    def stop(self) -> str:
        """SIGTERM; returns what it printed since the last read."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.reader.join(10)
        self.process.stdout.close()
        rest = ""
        while not self.lines.empty():
            rest += self.lines.get()
        return rest


@pytest.mark.tor
def test_an_onion_still_connecting_is_said_to_be_so_with_what_to_do_next(tor_cmd, short_tmp):
    """No Tor network here: tor stays connecting, and the address is not shown as live."""
    instance = short_tmp / "instance"
    server = Serving(instance)
    try:
        said = server.read_until(r"^stop: ", 60)
    finally:
        later = server.stop()
    connecting = rf"^onion: {ADDRESS} \(connecting to Tor… \d+%; not reachable yet\)$"
    assert re.search(connecting, said, re.M)
    assert re.search(r"^serving on http://127\.0\.0\.1:\d+/$", said, re.M)
    assert f"first staff account: movements staff add NAME --instance {instance}" in said
    assert "published" not in said + later


@pytest.mark.tor
def test_a_tor_that_dies_later_is_announced_and_brought_back(tor_cmd, short_tmp):
    instance = short_tmp / "instance"
    server = Serving(instance)
    try:
        server.read_until(r"^stop: ", 60)
        tor = subprocess.run(
            ["pgrep", "-f", str(instance / "tor")], capture_output=True, text=True, check=False
        )
        for pid in tor.stdout.split():
            subprocess.run(["kill", "-9", pid], check=False)
        said = server.read_until(r"tor stopped answering: restarting it", 30)
        said += server.read_until(r"connecting to Tor… \d+%", 60)
    finally:
        server.stop()
    assert re.search(rf"^onion: {ADDRESS} tor stopped answering", said, re.M)


@pytest.mark.slow
@pytest.mark.tor
def test_publication_is_announced_once_a_directory_holds_the_descriptor(
    tor_network: PrivateTorNetwork, short_tmp
):
    server = Serving(short_tmp / "instance", "--tor-control", tor_network.service_control)
    try:
        # in the start-up text if tor was quicker than the workers' start, else on a line later
        said = server.read_until(r"published: reachable through Tor", 180)
    finally:
        server.stop()
    published = rf"^onion: {ADDRESS} \(?published: reachable through Tor\)?$"
    assert re.search(published, said, re.M), said
