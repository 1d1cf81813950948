"""Benchmark 2: /requests over 100,000 requests, against a bare Flask app on the same server.

    python -m bench.throughput --instance DIR [--size 100000] [--runs 5] [--seconds 3]
                               [--clients 4] [--json FILE]

Both apps run under `app.server.serve` (waitress, production options) in their own process,
each measured with the same concurrent keep-alive clients, alternately, in the same run.
Goals: at least 50% of bare Flask's pages per second, and p50 at most 10 ms.

/requests is measured twice: for anonymous visitors, who are served the kept copy
(app/web/pagecache.py), and for a signed-in provider, for whom every page is rendered.
"""

from collections import Counter
from pathlib import Path

from .common import Clients, Server, median, sized_benchmark_main
from .data import fill, reader_account

WARM_UP_SECONDS = 1.0


def summary(loads) -> dict:
    return {
        "per_second": median([load.per_second for load in loads]),
        "p50_ms": median([load.p50 for load in loads]),
        "p99_ms": median([load.p99 for load in loads]),
        "server_ms_per_page": median([load.server_ms_per_answer for load in loads]),
        "statuses": dict(sum((load.statuses for load in loads), start=Counter())),
    }


def timed(pool: Clients, server: Server, path: str, seconds: float, clients: int, **job):
    """One run, with the processor time the server spent on it."""
    before = server.processor_seconds()
    load = pool.run(server.port, [path], seconds, clients, **job)
    load.server_seconds = server.processor_seconds() - before
    return load


def measure(instance: Path, size: int, runs: int, seconds: float, clients: int) -> dict:
    fill_seconds = fill(instance, size)
    account = reader_account(instance)
    app_loads, signed_in_loads, hello_loads = [], [], []
    with Clients(clients) as pool, Server("app", str(instance)) as app, Server("hello") as hello:
        pool.run(app.port, ["/requests"], WARM_UP_SECONDS, clients)
        # each client signs in here, once, and keeps its session for the timed runs
        pool.run(app.port, ["/requests"], WARM_UP_SECONDS, clients, account=account)
        pool.run(hello.port, ["/"], WARM_UP_SECONDS, clients)
        for _ in range(runs):
            app_loads.append(timed(pool, app, "/requests", seconds, clients))
            signed_in_loads.append(timed(pool, app, "/requests", seconds, clients, account=account))
            hello_loads.append(timed(pool, hello, "/", seconds, clients))
    app_figures, hello_figures = summary(app_loads), summary(hello_loads)
    signed_in_figures = summary(signed_in_loads)
    return {
        "size": size,
        "fill_seconds": fill_seconds,
        "runs": runs,
        "seconds": seconds,
        "clients": clients,
        "requests_page": app_figures,
        "requests_page_signed_in": signed_in_figures,
        "bare_flask": hello_figures,
        "ratio": app_figures["per_second"] / hello_figures["per_second"],
        "ratio_signed_in": signed_in_figures["per_second"] / hello_figures["per_second"],
        # the same ratio in the server's processor time per page, which other work on the
        # cores does not change: what pages per second would be on cores of its own
        "processor_ratio_signed_in": hello_figures["server_ms_per_page"]
        / signed_in_figures["server_ms_per_page"],
    }


def report(result: dict) -> None:
    app, hello = result["requests_page"], result["bare_flask"]
    signed_in = result["requests_page_signed_in"]
    print(
        f"{result['size']:,} requests; {result['clients']} clients; "
        f"median of {result['runs']} runs of {result['seconds']}s"
    )
    print(f"{'':<22} {'pages/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server ms/page':>15}")
    rows = (
        ("/requests, anonymous", app),
        ("/requests, signed in", signed_in),
        ("bare Flask hello", hello),
    )
    for name, figures in rows:
        print(
            f"{name:<22} {figures['per_second']:>9.0f} {figures['p50_ms']:>8.2f} "
            f"{figures['p99_ms']:>8.2f} {figures['server_ms_per_page']:>15.2f}"
        )
    print(
        f"ratio /requests : bare Flask = {result['ratio']:.0%} anonymous, "
        f"{result['ratio_signed_in']:.0%} signed in (goal ≥ 50%, p50 ≤ 10 ms); in server "
        f"processor time per page, signed in = {result['processor_ratio_signed_in']:.0%}"
    )


def main() -> None:
    sized_benchmark_main(__doc__, measure, report, size=100_000, clients=4)


if __name__ == "__main__":
    main()
