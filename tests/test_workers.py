"""`movements serve --workers N`: processes on one port, and a stop that loses no request."""

import http.client
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from movements.app.cli import workers as workers_module
from tests.support.serving import ROOT, running_server, wait_for

pytestmark = pytest.mark.slow  # starts real servers with several workers: left out of make check

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
PASSWORD = "correct horse battery"


def worker_pids(server_pid: int) -> set[int]:
    """The worker processes `movements serve` started (its children running the worker)."""
    found = subprocess.run(
        ["pgrep", "-P", str(server_pid), "-f", "movements.app.cli.worker"],
        capture_output=True,
        text=True,
        check=False,
    )
    return {int(pid) for pid in found.stdout.split()}


def wait_for_workers(server_pid: int, count: int, seconds: float = 30.0) -> set[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = worker_pids(server_pid)
        if len(pids) == count:
            return pids
        time.sleep(0.1)
    raise AssertionError(f"expected {count} workers, found {worker_pids(server_pid)}")


def wait_for_line(server, text: str, seconds: float = 60.0) -> str:
    """Read what the server prints until a line holds `text`; returns what was read."""
    seen = ""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.process.poll() is None:
        line = server.process.stdout.readline()
        seen += line
        if text in line:
            return seen
    raise AssertionError(f"no line with {text!r} in:\n{seen}")


def connection(base: str) -> http.client.HTTPConnection:
    parsed = urllib.parse.urlsplit(base)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)


def signup_form(base: str) -> tuple[str, dict[str, str]]:
    """A session cookie and a filled sign-up form, as a browser holds them before submitting."""
    with wait_for(base + "/signup") as page:
        cookie = page.headers["Set-Cookie"].split(";")[0]
        token = TOKEN.search(page.read().decode()).group(1)
    return cookie, {
        "csrf_token": token,
        "username": "noor",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "activist",
        "country": "IR",
        "declaration": "y",
        "risk_read": "y",
    }


def refused(base: str) -> bool:
    parsed = urllib.parse.urlsplit(base)
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=2) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(1) == b""
    except OSError:
        return True


def wait_until_refused(base: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if refused(base):
            return
        time.sleep(0.1)
    raise AssertionError(f"{base} still takes connections {seconds} s after SIGTERM")


def test_two_workers_serve_one_port_and_the_start_up_text_counts_their_memory(tmp_path):
    with running_server(tmp_path / "inst", "--no-onion", "--workers", "2") as server:
        wait_for_workers(server.process.pid, 2)
        for _ in range(10):  # a new connection each time: the kernel spreads them
            with wait_for(server.base + "/healthz") as answer:
                assert answer.read() == b"ok"
    slots = os.cpu_count() or 1
    assert f"workers: 2; password hashing takes at most 2 × {slots} × 64 MiB" in server.output
    assert f"= {2 * slots * 64} MiB" in server.output
    assert server.process.returncode == 0


def test_one_process_per_core_is_the_default(tmp_path):
    """Sessions, keys and limits live in the database, so every core may serve."""
    cores = os.cpu_count() or 1
    with running_server(tmp_path / "inst", "--no-onion") as server:
        said = wait_for_line(server, "stop: Ctrl-C")
        if cores == 1:
            assert worker_pids(server.process.pid) == set()
        else:
            assert len(wait_for_workers(server.process.pid, cores)) == cores
    assert f"workers: {cores};" in said


def test_a_worker_that_dies_is_replaced_and_the_site_keeps_answering(tmp_path):
    with running_server(tmp_path / "inst", "--no-onion", "--workers", "2") as server:
        wait_for_line(server, "stop: Ctrl-C")  # every worker serves
        first = wait_for_workers(server.process.pid, 2)
        # past the start-up window in which a death stops the server instead
        time.sleep(workers_module.EARLY_DEATH_SECONDS + 1)
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        now = wait_for_workers(server.process.pid, 2)
        assert victim not in now
        # the first worker goes too: the replacement alone serves, for as long as it lasts
        time.sleep(workers_module.EARLY_DEATH_SECONDS + 1)
        os.kill(max(first), signal.SIGKILL)
        for _ in range(10):
            with wait_for(server.base + "/healthz") as answer:
                assert answer.read() == b"ok"
        assert len(wait_for_workers(server.process.pid, 2) - first) == 2
    assert server.output.count("a worker exited with status -9; starting another") == 2
    assert server.process.returncode == 0


def test_a_worker_that_dies_as_it_starts_stops_the_server_rather_than_loop(tmp_path):
    with running_server(tmp_path / "inst", "--no-onion", "--workers", "2") as server:
        wait_for_line(server, "stop: Ctrl-C")  # every worker serves
        os.kill(min(wait_for_workers(server.process.pid, 2)), signal.SIGKILL)
        output, _ = server.process.communicate(timeout=60)
    assert server.process.returncode == 1
    assert "a worker exited with status -9 as it started; stopping" in output


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_sign_up_in_flight_at_sigterm_is_answered_and_saved(tmp_path, workers):
    """SIGTERM while a sign-up waits for the database: it finishes, then the server exits."""
    instance: Path = tmp_path / "inst"
    with running_server(instance, "--no-onion", "--workers", workers) as server:
        if workers != "1":
            wait_for_workers(server.process.pid, int(workers))
        cookie, form = signup_form(server.base)
        writer = sqlite3.connect(instance / "movements.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # the sign-up cannot be written while this holds
        visitor = connection(server.base)
        visitor.request(
            "POST",
            "/signup",
            body=urllib.parse.urlencode(form),
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        time.sleep(1)  # the request reaches the server, which waits for the write lock
        server.process.send_signal(signal.SIGTERM)
        wait_until_refused(server.base)  # no new visitor is taken…
        assert server.process.poll() is None  # …but the sign-up in flight holds the exit
        writer.execute("ROLLBACK")
        writer.close()
        answer = visitor.getresponse()
        answer.read()
        visitor.close()
        # answered: sent on to the page of its recovery codes
        assert answer.status == 302
        assert answer.getheader("Location").endswith("/account/recovery-codes")
        server.output, _ = server.process.communicate(timeout=30)
    assert server.process.returncode == 0
    with sqlite3.connect(instance / "movements.sqlite3") as database:
        saved = database.execute("SELECT count(*) FROM user WHERE username = 'noor'").fetchone()
    assert saved == (1,)


def test_workers_share_a_unix_socket_that_only_the_service_and_its_clients_may_use(tmp_path):
    sock_path = tmp_path / "app.sock"
    serve = [sys.executable, "-m", "movements.app.cli", "serve", "--workers", "2"]
    process = subprocess.Popen(
        [*serve, "--unix-socket", str(sock_path), "--instance", str(tmp_path / "inst")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert f"serving on unix socket {sock_path}" in process.stdout.readline()
        wait_for_workers(process.pid, 2)
        for _ in range(6):
            with socket.socket(socket.AF_UNIX) as client:
                client.settimeout(30)
                client.connect(str(sock_path))
                client.sendall(b"GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                answer = b""
                while chunk := client.recv(4096):
                    answer += chunk
            assert answer.startswith(b"HTTP/1.0 200 OK") and answer.endswith(b"\r\n\r\nok")
            assert b"\r\nServer:" not in answer
        assert stat.S_IMODE(sock_path.stat().st_mode) == 0o660
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert process.returncode == 0
