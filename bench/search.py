"""Benchmark 3: filtered browsing and full-text search over 1,000,000 requests.

    python -m bench.search --instance DIR [--size 1000000] [--runs 5] [--seconds 3]
                           [--clients 1] [--json FILE]

One client at a time by default, so the figures are the time a page takes rather than time
spent queueing behind other clients. The baseline is the unfiltered first page of /requests
on the same database. Goals for filtered browsing and for search: p50 at most 20 ms, p99 at
most 100 ms.
"""

from collections import Counter
from pathlib import Path

from .common import Clients, Server, median, sized_benchmark_main
from .data import fill
from .throughput import WARM_UP_SECONDS

KINDS = {
    "unfiltered (baseline)": ["/requests"],
    "filtered browse": [
        "/requests?skill=legal&country=IR",
        "/requests?language=fa&urgency=urgent",
        "/requests?skill=press&status=matched",
        "/requests?country=SY&skill=asylum&page=3",
        "/requests?urgency=low&language=ar&status=completed",
        # filters each common alone but rare together: every one must narrow the search
        "/requests?skill=fundraising&language=am&urgency=low&status=completed",
        "/requests?language=yo&skill=arts&country=AF",
        "/requests?urgency=urgent&language=en&status=completed&page=50",
    ],
    "full-text search": [
        "/requests?q=lawyer",
        "/requests?q=detained+journalist",
        "/requests?q=%D9%88%DA%A9%DB%8C%D9%84",  # وکیل, "lawyer" in Persian
        "/requests?q=asylum&skill=legal",
        "/requests?q=torture+evidence+testimony",
        "/requests?q=lawyer&language=am&status=completed",
    ],
}
# pages rendered every time: what this measures is the query and the rendering, not the copy
# anonymous visitors are served from app/web/pagecache.py (bench/throughput.py measures both)
RENDERED = {"MOVEMENTS_PAGE_CACHE_SECONDS": "0"}


def measure(instance: Path, size: int, runs: int, seconds: float, clients: int) -> dict:
    fill_seconds = fill(instance, size)
    loads = {kind: [] for kind in KINDS}
    with Clients(clients) as pool, Server("app", str(instance), environment=RENDERED) as app:
        for paths in KINDS.values():
            pool.run(app.port, paths, WARM_UP_SECONDS, clients)
        for _ in range(runs):
            for kind, paths in KINDS.items():
                loads[kind].append(pool.run(app.port, paths, seconds, clients))
    figures = {
        kind: {
            "p50_ms": median([load.p50 for load in runs_of_kind]),
            "p99_ms": median([load.p99 for load in runs_of_kind]),
            "per_second": median([load.per_second for load in runs_of_kind]),
            "statuses": dict(sum((load.statuses for load in runs_of_kind), start=Counter())),
        }
        for kind, runs_of_kind in loads.items()
    }
    return {
        "size": size,
        "fill_seconds": fill_seconds,
        "runs": runs,
        "seconds": seconds,
        "clients": clients,
        "kinds": figures,
    }


def report(result: dict) -> None:
    print(
        f"{result['size']:,} requests; {result['clients']} client(s); "
        f"median of {result['runs']} runs of {result['seconds']}s"
    )
    print(f"{'':<24} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, figures in result["kinds"].items():
        print(f"{kind:<24} {figures['p50_ms']:>8.2f} {figures['p99_ms']:>8.2f}")
    print("goal: p50 ≤ 20 ms and p99 ≤ 100 ms for filtered browse and for search")


def main() -> None:
    sized_benchmark_main(__doc__, measure, report, size=1_000_000, clients=1)


if __name__ == "__main__":
    main()
