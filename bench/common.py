"""What every benchmark shares: a server in its own processes, clients in theirs, and statistics.

The server is `app.cli.server.serve` (waitress with the production options) in a subprocess,
or `movements serve` with its workers, so clients never share its interpreters; each client is
a process with one keep-alive connection.
Everything listens and connects on 127.0.0.1 only, and every loop is bounded by a deadline
and a request count.
"""

import argparse
import http.client
import json
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
SERVER_START_SECONDS = 60
MAX_REQUESTS_PER_CLIENT = 200_000
CSRF_INPUT = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def median(values) -> float:
    return statistics.median(values)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def serve_command(instance: Path, port: int, workers: int) -> list[str]:
    """`movements serve` as production runs it (app/cli/workers.py's processes), without tor."""
    return [
        sys.executable, "-m", "movements.app.cli", "serve", "--no-onion",
        "--instance", str(instance), "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


def get_headers(port: int, path: str) -> dict[str, str]:
    """The headers of one answer to GET `path`, names in lower case."""
    connection = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return {name.lower(): value for name, value in response.getheaders()}
    finally:
        connection.close()


class Server:
    """A server on a free loopback port, in its own processes, for a `with` block.

    `Server("app", INSTANCE)` or `Server("hello", …)` runs `python -m bench.serve … PORT`;
    `command`, given the port, gives any other command line (`serve_command`). What the server
    prints goes to `output` (an open file) or nowhere; its errors to the benchmark's own.
    """

    def __init__(
        self,
        *arguments: str,
        environment: dict | None = None,
        command: Callable[[int], list[str]] | None = None,
        output: IO | None = None,
    ):
        self.port = free_port()
        self.command = (
            command(self.port)
            if command
            else [sys.executable, "-m", "bench.serve", *arguments, str(self.port)]
        )
        self.environment = environment
        self.output = output
        self.headers: dict[str, str] = {}  # of its first answer
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Server":
        environment = {k: v for k, v in os.environ.items() if not k.startswith("MOVEMENTS_")}
        environment.update(self.environment or {})
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=environment,
            stdout=self.output or subprocess.DEVNULL,
            stderr=subprocess.STDOUT if self.output else None,
        )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                printed = Path(self.output.name).read_text() if self.output else ""
                raise RuntimeError(f"the server stopped: {' '.join(self.command)}\n{printed}")
            try:
                self.headers = get_headers(self.port, "/")
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"the server did not start: {' '.join(self.command)}")

    def __exit__(self, *_exc) -> None:
        self.process.terminate()  # SIGTERM: its workers drain and stop too
        self.process.wait(timeout=60)

    def processor_seconds(self) -> float:
        """Processor time the server has used so far: its own process and all its workers."""
        return processor_seconds(self.process.pid)

    def peak_memory_mib(self) -> float:
        """The server's first process's peak resident memory so far (VmHWM)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kib = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
        return kib / 1024


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command's name (which may hold spaces): [1] is the parent."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_tree(root: int) -> list[int]:
    """`root` and every process descended from it (a server and its workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int(_stat(int(entry.name))[1])
            except (FileNotFoundError, ProcessLookupError):  # it ended meanwhile
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending += children.get(pid, [])
    return tree


def processor_seconds(root: int) -> float:
    """Processor time used so far by `root` and its descendants, every thread, user and system.

    Each process counts its own time and that of its children that ended and were waited for
    (a worker replaced mid-run), so the sum covers the whole server however its work is split.
    Unlike pages per second, this does not depend on what else the cores are doing: a busy
    machine makes a page wait longer, not cost more.
    """
    ticks = 0
    for pid in process_tree(root):
        try:
            fields = _stat(pid)
        except (FileNotFoundError, ProcessLookupError):
            continue
        ticks += sum(int(fields[index]) for index in (11, 12, 13, 14))  # utime … cstime
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Load:
    """What a group of clients saw: latencies in milliseconds and the answers they got."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    refused: list[float] = field(default_factory=list)  # answers 503 (Busy) alone
    server_seconds: float = 0.0  # processor time the server spent meanwhile, when measured

    @property
    def server_ms_per_answer(self) -> float:
        return self.server_seconds * 1000 / len(self.latencies)

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies, 0.99)


def _connect(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(LOOPBACK, port, timeout=60)


def _session(connection: http.client.HTTPConnection) -> tuple[str, str]:
    """A cookie and CSRF token, from the sign-in page, as a browser would get them."""
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    return cookie, CSRF_INPUT.search(page).group(1)


SIGN_IN_ATTEMPTS = 20


def _signed_in(connection: http.client.HTTPConnection, account: tuple[str, str]) -> str:
    """The cookie of a session signed in as `account`, through the sign-in form.

    Clients signing in at once may find every password check taken (503 with Retry-After):
    they come back as a browser would, a bounded number of times.
    """
    cookie, token = _session(connection)
    username, password = (urllib.parse.quote_plus(part) for part in account)
    for _attempt in range(SIGN_IN_ATTEMPTS):
        connection.request(
            "POST",
            "/login",
            body=f"csrf_token={token}&username={username}&password={password}",
            headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        if response.status != 503:
            break
        connection.close()  # the next attempt opens a fresh connection
        time.sleep(float(response.getheader("Retry-After", "1")))
    if response.status != 302:
        raise RuntimeError(f"signing in as {account[0]} answered {response.status}")
    cookie = response.getheader("Set-Cookie", cookie).split(";")[0]
    # the first page after signing in adds the form token's secret to the cookie; a browser
    # keeps the cookie it is given, so the pages after that do not change it again
    connection.request("GET", "/", headers={"Cookie": cookie})
    response = connection.getresponse()
    response.read()
    return response.getheader("Set-Cookie", cookie).split(";")[0]


# this client process's signed-in sessions, kept from run to run: signing in costs argon2,
# which a timed run would otherwise measure along with the pages
_cookies: dict[tuple[int, str], str] = {}


def _session_cookie(connection, port: int, account: tuple[str, str]) -> str:
    key = (port, account[0])
    if key not in _cookies:
        _cookies[key] = _signed_in(connection, account)
    return _cookies[key]


def client(job: dict) -> tuple[list[float], dict, list[float]]:
    """One client: GETs (anonymous or signed in) or wrong-password sign-ins, until the deadline.

    Returns every latency, the count of each status, and the latencies of 503 answers alone.
    """
    connection = _connect(job["port"])
    headers, body = {}, None
    if job.get("sign_in") or job.get("sign_in_as"):
        cookie, token = _session(connection)
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    elif job.get("account"):
        headers = {"Cookie": _session_cookie(connection, job["port"], job["account"])}
    latencies, statuses, refused = [], Counter(), []
    time.sleep(max(0.0, job["start_at"] - time.time()))
    deadline = job["start_at"] + job["seconds"]
    paths = job["paths"]
    for count in range(MAX_REQUESTS_PER_CLIENT):
        if time.time() >= deadline:
            break
        started = time.perf_counter()
        if job.get("sign_in_as"):
            # the right password of an account of its own: each sign-in succeeds (302)
            username, password = (urllib.parse.quote_plus(p) for p in job["sign_in_as"])
            body = f"csrf_token={token}&username={username}&password={password}"
            method, path = "POST", "/login"
        elif job.get("sign_in"):
            name = f"nobody{os.getpid()}x{count}"
            body = f"csrf_token={token}&username={name}&password=wrong+password+{count}"
            method, path = "POST", "/login"
        else:
            method, path = "GET", paths[count % len(paths)]
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # the server closed a kept-alive connection (an idle timeout): open another, once
            connection.close()
            connection = _connect(job["port"])
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
        response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[response.status] += 1
        if response.status == 503:
            refused.append(latencies[-1])
        if response.will_close:
            connection.close()
            connection = _connect(job["port"])
    connection.close()
    return latencies, dict(statuses), refused


class Clients:
    """A pool of client processes, started once and reused for every run."""

    def __init__(self, size: int):
        self.pool = multiprocessing.get_context("spawn").Pool(size)
        self.size = size

    def __enter__(self) -> "Clients":
        return self

    def __exit__(self, *_exc) -> None:
        self.pool.terminate()
        self.pool.join()

    def start(
        self, port: int, paths: list[str], seconds: float, clients: int, lead: float = 0.5, **job
    ):
        """Begin a load in the background; `.get()` on the result gives the Load.

        The clients prepare (connect, sign in) during the `lead` seconds, then all begin at once.
        """
        start_at = time.time() + lead
        accounts = job.pop("accounts", None)  # one each, for clients that sign in as someone
        jobs = [
            {"port": port, "paths": paths, "seconds": seconds, "start_at": start_at, **job}
            for _ in range(clients)
        ]
        for number, one in enumerate(jobs if accounts else []):
            one["sign_in_as"] = accounts[number]
        return _Pending(self.pool.map_async(client, jobs), seconds)

    def run(self, port: int, paths: list[str], seconds: float, clients: int, **job) -> Load:
        return self.start(port, paths, seconds, clients, **job).get()


class _Pending:
    def __init__(self, result, seconds: float):
        self.result, self.seconds = result, seconds

    def get(self) -> Load:
        load = Load(seconds=self.seconds)
        for latencies, statuses, refused in self.result.get(timeout=self.seconds + 300):
            load.latencies += latencies
            load.statuses.update(statuses)
            load.refused += refused
        return load


def write_json(path: str | None, data: dict) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2))


def sized_benchmark_main(doc: str, measure, report, *, size: int, clients: int) -> None:
    """The command line of a benchmark that fills a database, loads it and reports."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--size", type=int, default=size)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=clients)
    parser.add_argument("--json")
    a = parser.parse_args()
    result = measure(a.instance, a.size, a.runs, a.seconds, a.clients)
    report(result)
    write_json(a.json, result)
