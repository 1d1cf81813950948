"""Which WSGI server, and how many processes: waitress, gunicorn and granian on the real app.

    .venv/bin/python bench/bench_servers.py [--size 20000] [--runs 5] [--seconds 3]

Each candidate serves the same instance folder on a loopback port, in its own processes, and
is measured by bench/throughput.py's clients (4 keep-alive connections, separate processes):
/requests for anonymous visitors (the kept copy) and for a signed-in provider (every page
rendered). Baseline: waitress in one process, which `movements serve` ran until now. Beside the
figures, what the project promises and each server does, observed in the same run: whether
answers carry a `Server` header, and how many lines the server printed per request (an access
log). gunicorn and granian are optional: install them to measure them (`pip install gunicorn
granian`); they are not dependencies of the project.

Why the faster two were not taken: each names itself in a `Server` header on every answer and
offers no setting to drop it (gunicorn 27 writes it in `Response.default_headers`, granian 2.8
in its Rust core), while the project promises none. gunicorn also opens a control socket in
$HOME unless told not to, and granian binds one socket per server, so the staff onion's own
listener (app/web/faces.py) would need a second server. Revisit if that changes.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import LOOPBACK, Clients, Server, median, serve_command  # noqa: E402
from bench.data import fill, reader_account  # noqa: E402
from movements.app.cli.server import THREADS  # noqa: E402  # per process, as waitress gets

CORES = os.cpu_count() or 1
CLIENTS = 4
SIGN_IN_LEAD = 15.0  # seconds for 4 clients to sign in (argon2, a 503 and a retry or two)
FACTORY = "movements.app.factory:create_app"


def candidates(port: int, instance: Path) -> dict[str, list[str]]:
    """Each server's command line, serving the instance on 127.0.0.1:port."""
    python = sys.executable
    commands = {
        "waitress, 1 process (baseline)": serve_command(instance, port, 1),
        f"waitress, {CORES} processes (`--workers {CORES}`)": serve_command(instance, port, CORES),
    }
    if importlib.util.find_spec("gunicorn"):
        commands[f"gunicorn gthread, {CORES} processes"] = [
            python, "-m", "gunicorn", "--workers", str(CORES), "--worker-class", "gthread",
            "--threads", str(THREADS), "--bind", f"{LOOPBACK}:{port}", "--no-control-socket",
            "--keep-alive", "120",  # waitress keeps an idle connection 120 s; gunicorn 2 s
            f"{FACTORY}()",
        ]  # fmt: skip
    if importlib.util.find_spec("granian"):
        commands[f"granian, {CORES} processes"] = [
            python, "-m", "granian", "--interface", "wsgi", "--workers", str(CORES),
            "--blocking-threads", str(THREADS), "--host", LOOPBACK, "--port", str(port),
            "--factory", FACTORY,
        ]  # fmt: skip
    return commands


def lines_logged(log: Path) -> int:
    return len(log.read_text().splitlines())


def measure(size: int, runs: int, seconds: float) -> dict:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="movements-servers-") as folder:
        instance = Path(folder) / "instance"
        fill(instance, size)
        account = reader_account(instance)
        with Clients(CLIENTS) as pool:
            for name in candidates(0, instance):
                log = Path(folder) / "log.txt"
                with (
                    log.open("w") as output,
                    Server(
                        # a fresh port each: nothing waits on the last one's
                        command=lambda port, name=name: candidates(port, instance)[name],
                        environment={"MOVEMENTS_INSTANCE": str(instance)},
                        output=output,
                    ) as server,
                ):
                    port = server.port
                    pool.run(port, ["/requests"], 1.0, CLIENTS)  # warm up
                    logged_before = lines_logged(log)  # start-up text is out by now
                    anonymous, signed_in = [], []
                    for _ in range(runs):
                        anonymous.append(pool.run(port, ["/requests"], seconds, CLIENTS))
                        signed_in.append(
                            pool.run(
                                port,
                                ["/requests"],
                                seconds,
                                CLIENTS,
                                lead=SIGN_IN_LEAD,
                                account=account,
                            )
                        )
                    loads = anonymous + signed_in
                    answered = sum(len(load.latencies) for load in loads)
                    logged = lines_logged(log) - logged_before
                results[name] = {
                    "anonymous": median([load.per_second for load in anonymous]),
                    "anonymous_p50": median([load.p50 for load in anonymous]),
                    "signed_in": median([load.per_second for load in signed_in]),
                    "signed_in_p50": median([load.p50 for load in signed_in]),
                    "statuses": sorted({code for load in loads for code in load.statuses}),
                    "server_header": server.headers.get("server"),
                    "lines_per_request": logged / answered if answered else 0.0,
                }
    return results


def report(results: dict, size: int, runs: int, seconds: float) -> None:
    baseline = next(iter(results.values()))
    print(
        f"{size:,} requests; {CLIENTS} clients; {CORES} cores; median of {runs} runs of "
        f"{seconds:g}s; pages per second (ratio to the baseline) and p50 ms"
    )
    print()
    header = f"{'server':<38} {'anonymous /s':>16} {'p50':>6} {'signed in /s':>16} {'p50':>6}"
    print(header + "  Server header   log lines/request  statuses")
    for name, r in results.items():
        anonymous = f"{r['anonymous']:.0f} ({r['anonymous'] / baseline['anonymous']:.2f}x)"
        signed_in = f"{r['signed_in']:.0f} ({r['signed_in'] / baseline['signed_in']:.2f}x)"
        server_header = repr(r["server_header"]) if r["server_header"] else "none"
        print(
            f"{name:<38} {anonymous:>16} {r['anonymous_p50']:>6.1f} {signed_in:>16} "
            f"{r['signed_in_p50']:>6.1f}  {server_header:<15} {r['lines_per_request']:>17.2f}  "
            f"{r['statuses']}"
        )


def choice(results: dict) -> list[str]:
    """The fastest server that keeps the promises, beside the fastest of all, in words."""

    def speed(name: str) -> float:
        return results[name]["signed_in"] + results[name]["anonymous"]

    def keeps(name: str) -> bool:
        figures = results[name]
        return not figures["server_header"] and figures["lines_per_request"] < 0.01

    fastest = max(results, key=speed)
    kept = [name for name in results if keeps(name)]
    best = max(kept, key=speed) if kept else None
    lines = [f"fastest: {fastest}"]
    if best is None:
        return [*lines, "no candidate keeps the promises (no Server header, no access log)"]
    lines.append(f"fastest that sends no Server header and logs no request: {best}")
    if best != fastest:
        gain = speed(fastest) / speed(best) - 1
        lines.append(
            f"{fastest} is {gain:.0%} faster (anonymous + signed-in pages per second) "
            f"but breaks a promise: {results[fastest]['server_header']!r} in every answer"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    a = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = measure(a.size, a.runs, a.seconds)
    report(results, a.size, a.runs, a.seconds)
    print()
    print("\n".join(choice(results)))
    print(
        f"load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"on {CORES} cores: other work on them makes every figure noisy"
    )


if __name__ == "__main__":
    main()
