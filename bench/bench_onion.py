"""What tor costs: start-up to a published service, and pages through a private Tor network.

    .venv/bin/python bench/bench_onion.py [--launches N] [--pages N]

Figures, each next to its baseline from the same run:

* launch → service added: an EmbeddedOnion (network off) from ``start()`` to ADD_ONION
  accepted, median of N launches; and, inside the private network, a fresh EmbeddedOnion
  from launch to its descriptor uploaded to a directory (what a visitor waits for after a
  restart).
* pages: sequential GETs of a 4 kB page, one new connection each (no keep-alive, like a
  no-JavaScript browser following links), pages per second and median latency, through the
  private network by onion address versus straight to the loopback port.

The private network lives on 127.0.0.1 only (see tests/onion/tornet.py) and takes 25-50 s to
form. Everything it starts is stopped at the end, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import http.server
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the harness lives in tests/, which is not installed

from movements.onion.supervisor import AttachedOnion, EmbeddedOnion  # noqa: E402
from tests.onion.tornet import PrivateTorNetwork, fetch, fetch_with_retry  # noqa: E402

PAGE = b"<!doctype html><title>bench</title>" + b"<p>" + b"x" * 4000 + b"</p>"


class _PageHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args: object) -> None:
        pass


def time_launches(base: Path, launches: int) -> list[float]:
    """Seconds from EmbeddedOnion.start() to the service added, network off."""
    timings = []
    for index in range(launches):
        onion = EmbeddedOnion(
            base / f"launch{index}" / "tor",
            base / "launch.key",
            8000,
            extra_config={"DisableNetwork": "1"},
        )
        started = time.perf_counter()
        onion.start()
        timings.append(time.perf_counter() - started)
        onion.stop()
    return timings


def time_pages(get: Callable[[], object], pages: int) -> tuple[float, float]:
    """Return (pages per second, median latency in ms) for ``pages`` sequential GETs."""
    get()  # warm up: first connection, circuit, caches
    latencies = []
    started = time.perf_counter()
    for _ in range(pages):
        begin = time.perf_counter()
        get()
        latencies.append(time.perf_counter() - begin)
    elapsed = time.perf_counter() - started
    return pages / elapsed, statistics.median(latencies) * 1000


def row(name: str, measured: float, unit: str, baseline_name: str, baseline: float) -> None:
    ratio = measured / baseline if baseline else float("inf")
    print(
        f"{name:<38} {measured:>10.3f} {unit:<6} {baseline_name:<30} "
        f"{baseline:>10.3f} {unit:<6} {ratio:>8.3g}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--launches", type=int, default=5)
    parser.add_argument("--pages", type=int, default=100)
    args = parser.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    port = server.server_address[1]
    direct_url = f"http://127.0.0.1:{port}/"

    with tempfile.TemporaryDirectory(prefix="bench-onion-", dir="/tmp") as tmp:
        base = Path(tmp)
        launches = time_launches(base, args.launches)
        print(
            f"launch -> service added (network off), median of {len(launches)}: "
            f"{statistics.median(launches):.3f} s (min {min(launches):.3f}, "
            f"max {max(launches):.3f})"
        )

        network = PrivateTorNetwork(base / "net")
        formed = time.perf_counter()
        network.start()
        print(
            f"private network: {len(network.nodes)} tors, ready in "
            f"{time.perf_counter() - formed:.1f} s"
        )
        try:
            joined = EmbeddedOnion(
                base / "joined" / "tor",
                base / "joined.key",
                port,
                extra_config={**network.member_config(), "Nickname": "benchservice"},
                await_publication=True,
                publish_timeout=120,
            )
            started = time.perf_counter()
            joined.start()
            published = time.perf_counter() - started
            joined.stop()

            onion = AttachedOnion(
                network.service_control, base / "onion.key", port, await_publication=True
            )
            address = onion.start()
            onion_url = f"http://{address}.onion/"
            socks = network.client_socks
            try:
                fetch_with_retry(onion_url, socks=socks)
                tor_rate, tor_latency = time_pages(
                    lambda: fetch(onion_url, socks=socks), args.pages
                )
            finally:
                onion.stop()
            direct_rate, direct_latency = time_pages(lambda: fetch(direct_url), args.pages)
        finally:
            network.stop()
            server.shutdown()
            server.server_close()

    print()
    print(f"{'figure':<38} {'measured':>10} {'':<6} {'baseline':<30} {'':>10} {'':<6} {'ratio':>7}")
    row(
        "launch -> descriptor published (s)",
        published,
        "s",
        "launch -> added, network off",
        statistics.median(launches),
    )
    row(
        "pages/s through the private network",
        tor_rate,
        "/s",
        "pages/s direct loopback",
        direct_rate,
    )
    row("median latency through tor", tor_latency, "ms", "median latency direct", direct_latency)


if __name__ == "__main__":
    main()
