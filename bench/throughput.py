"""Benchmark 2: /requests over 100,000 requests, against a bare Flask app on the same server.

    python -m bench.throughput --instance DIR [--size 100000] [--runs 5] [--seconds 3]
                               [--clients 4] [--json FILE]

Both apps are served as production serves the app, at one process and at `movements serve`'s
default worker count (one per core): the app by `movements serve --no-onion --workers N`, the
bare Flask app by bench/serve.py on one shared listening socket through the same workers
(app/cli/workers.py) and `app.cli.server.serve`. Every server is up for the whole run and each
is measured with the same concurrent keep-alive clients, alternately, in the same run. The
server's processor time per page is summed over all its processes, the first and its workers.

/requests is measured twice: for anonymous visitors, who are served the kept copy
(app/web/pagecache.py), and for a signed-in provider, for whom every page is rendered.
The goals, and whether this run meets them, are in bench/throughput_goals.py.
"""

import os
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

from .common import Clients, Server, median, serve_command, sized_benchmark_main
from .data import fill, reader_account
from .throughput_goals import BASELINE_SIGNED_IN_PER_SECOND, goals

WARM_UP_SECONDS = 1.0
WORKERS = os.cpu_count() or 1  # what `movements serve` runs by default (app/cli/main.py)
PAGES = (  # what is measured on each worker count: (figures' key, which server, path, signed in)
    ("requests_page", "app", "/requests", False),
    ("requests_page_signed_in", "app", "/requests", True),
    ("bare_flask", "hello", "/", False),
)


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


def process_counts() -> list[int]:
    """One process, and the production default when that is more."""
    return sorted({1, WORKERS})


def servers(stack: ExitStack, instance: Path, processes: int) -> dict[str, Server]:
    """The app and the bare Flask app, each served by `processes` processes."""

    def app_command(port: int) -> list[str]:
        return serve_command(instance, port, processes)

    return {
        "app": stack.enter_context(Server(command=app_command)),
        "hello": stack.enter_context(Server("hello", "--processes", str(processes))),
    }


def compared(loads: dict[str, list]) -> dict:
    """One worker count's figures, and the ratios to bare Flask on as many processes."""
    app, signed_in, hello = (summary(loads[key]) for key, *_ in PAGES)
    return {
        "requests_page": app,
        "requests_page_signed_in": signed_in,
        "bare_flask": hello,
        "ratio": app["per_second"] / hello["per_second"],
        "ratio_signed_in": signed_in["per_second"] / hello["per_second"],
        # the same ratio in the server's processor time per page, which other work on the
        # cores does not change: what pages per second would be on cores of its own
        "processor_ratio_signed_in": hello["server_ms_per_page"] / signed_in["server_ms_per_page"],
    }


def measure(instance: Path, size: int, runs: int, seconds: float, clients: int) -> dict:
    fill_seconds = fill(instance, size)
    account = reader_account(instance)
    counts = process_counts()
    loads = {count: {key: [] for key, *_ in PAGES} for count in counts}
    with Clients(clients) as pool, ExitStack() as stack:
        served = {count: servers(stack, instance, count) for count in counts}
        jobs = {True: {"account": account}, False: {}}  # signed in or not
        for count in counts:
            for _key, which, path, signed in PAGES:
                # a signed-in client signs in here, once per server, and keeps its session
                server = served[count][which]
                pool.run(server.port, [path], WARM_UP_SECONDS, clients, **jobs[signed])
        for _ in range(runs):
            for count in counts:
                for key, which, path, signed in PAGES:
                    server = served[count][which]
                    load = timed(pool, server, path, seconds, clients, **jobs[signed])
                    loads[count][key].append(load)
    by_processes = {count: compared(loads[count]) for count in counts}
    production = by_processes[WORKERS]
    signed_in = {
        count: figures["requests_page_signed_in"]["per_second"]
        for count, figures in by_processes.items()
    }
    return {
        "size": size,
        "fill_seconds": fill_seconds,
        "runs": runs,
        "seconds": seconds,
        "clients": clients,
        "workers": WORKERS,
        # the figures of each process count (JSON keys are strings: "1", "2")
        "processes": {str(count): figures for count, figures in by_processes.items()},
        # at the top level, as before: the production default's figures
        **production,
        "baseline_signed_in_per_second": BASELINE_SIGNED_IN_PER_SECOND,
        "signed_in_vs_baseline": signed_in[WORKERS] / BASELINE_SIGNED_IN_PER_SECOND,
        "worker_scaling_signed_in": signed_in[WORKERS] / signed_in[1] if WORKERS > 1 else None,
    }


def report(result: dict) -> None:
    print(
        f"{result['size']:,} requests; {result['clients']} clients; "
        f"median of {result['runs']} runs of {result['seconds']}s"
    )
    print(f"{'':<36} {'pages/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'server ms/page':>15}")
    names = {
        "requests_page": "/requests, anonymous",
        "requests_page_signed_in": "/requests, signed in",
        "bare_flask": "bare Flask hello",
    }
    for count, figures_of in result["processes"].items():
        processes = f"{count} process{'es' if int(count) > 1 else ''}"
        for key, name in names.items():
            figures = figures_of[key]
            print(
                f"{name + ', ' + processes:<36} {figures['per_second']:>9.0f} "
                f"{figures['p50_ms']:>8.2f} {figures['p99_ms']:>8.2f} "
                f"{figures['server_ms_per_page']:>15.2f}"
            )
        print(
            f"{processes}: /requests : bare Flask = {figures_of['ratio']:.0%} anonymous, "
            f"{figures_of['ratio_signed_in']:.0%} signed in; in server processor time per "
            f"page, signed in = {figures_of['processor_ratio_signed_in']:.0%}"
        )
    for goal, figure, met in goals(result):
        verdict = {True: "met", False: "NOT MET", None: "not judged"}[met]
        print(f"goal: {goal}: {figure}: {verdict}")


def main() -> None:
    sized_benchmark_main(__doc__, measure, report, size=100_000, clients=4)


if __name__ == "__main__":
    main()
