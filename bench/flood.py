"""Benchmark 4: people browse while a flood of wrong-password sign-ins hits the server.

    python -m bench.flood --instance DIR [--size 100000] [--runs 5] [--seconds 4]
                          [--browsers 2] [--flooders 50] [--json FILE]

Each flooder is a loop that sends its next sign-in as soon as the last is answered, with a
name that does not exist, so every attempt it gets checked costs a full argon2 check with the
production parameters (the app checks a dummy hash rather than reveal which names exist) and
no per-account delay can turn it away. The baseline is the same browsing with no flood; runs
at rest and under the flood alternate, so a change in the machine's other load falls on both.
Goals: browsing p99 under the flood at most 3× its p99 at rest, and sign-ins beyond capacity
refused at once (503; the time to that answer is reported). The server's peak memory (VmHWM)
is read after the first run at rest and again after the flood.

Then SIGNERS clients sign in with the right password, each to an account of its own, one
sign-in after another: how many sign-ins the server completes per second (each checks the
password and unwraps the account's private key). As many clients as the server checks
passwords at once (two per core) keep it busy without a queue of refusals.
"""

import argparse
import os
from collections import Counter
from pathlib import Path

from .common import Clients, Server, median, percentile, write_json
from .data import fill, sign_in_accounts
from .throughput import WARM_UP_SECONDS

BROWSE = ["/requests", "/requests?page=2", "/trust", "/"]
# pages rendered every time: what this measures is the query and the rendering, not the copy
# anonymous visitors are served from app/web/pagecache.py (bench/throughput.py measures both)
RENDERED = {"MOVEMENTS_PAGE_CACHE_SECONDS": "0"}
SIGNERS = 2 * (os.cpu_count() or 1)


def measure(
    instance: Path, size: int, runs: int, seconds: float, browsers: int, flooders: int
) -> dict:
    fill(instance, size)
    accounts = sign_in_accounts(instance, SIGNERS)
    rest, flooded, sign_ins, right = [], [], [], []
    with (
        Clients(browsers) as browsing,
        Clients(flooders) as flooding,
        Server("app", str(instance), environment=RENDERED) as app,
    ):
        browsing.run(app.port, BROWSE, WARM_UP_SECONDS, browsers)
        rest.append(browsing.run(app.port, BROWSE, seconds, browsers))
        memory_at_rest = app.peak_memory_mib()
        for run in range(runs):
            if run:
                rest.append(browsing.run(app.port, BROWSE, seconds, browsers))
            flood = flooding.start(app.port, [], seconds, flooders, sign_in=True)
            flooded.append(browsing.run(app.port, BROWSE, seconds, browsers))
            sign_ins.append(flood.get())
        memory_flooded = app.peak_memory_mib()
        for _ in range(runs):
            right.append(flooding.run(app.port, [], seconds, SIGNERS, accounts=accounts))
    statuses = sum((load.statuses for load in sign_ins), start=Counter())
    refused = [latency for load in sign_ins for latency in load.refused]
    rest_p99 = median([load.p99 for load in rest])
    flood_p99 = median([load.p99 for load in flooded])
    return {
        "size": size,
        "runs": runs,
        "seconds": seconds,
        "browsers": browsers,
        "flooders": flooders,
        "at_rest": {"p50_ms": median([x.p50 for x in rest]), "p99_ms": rest_p99},
        "flooded": {"p50_ms": median([x.p50 for x in flooded]), "p99_ms": flood_p99},
        "p99_ratio": flood_p99 / rest_p99,
        "sign_ins_per_second": median([load.per_second for load in sign_ins]),
        "sign_in_p50_ms": median([load.p50 for load in sign_ins]),
        "refused_p50_ms": percentile(refused, 0.5) if refused else None,
        "refused_p99_ms": percentile(refused, 0.99) if refused else None,
        "sign_in_statuses": dict(statuses),
        "signers": SIGNERS,
        "right_sign_ins_per_second": median([load.statuses[302] / load.seconds for load in right]),
        "right_sign_in_p50_ms": median([load.p50 for load in right]),
        "right_sign_in_statuses": dict(sum((load.statuses for load in right), start=Counter())),
        "browse_statuses": dict(sum((x.statuses for x in flooded), start=Counter())),
        "peak_memory_mib_at_rest": memory_at_rest,
        "peak_memory_mib_flooded": memory_flooded,
    }


def report(result: dict) -> None:
    print(
        f"{result['browsers']} browsing clients, {result['flooders']} flooding clients; "
        f"median of {result['runs']} runs of {result['seconds']}s"
    )
    print(f"{'browsing':<24} {'p50 ms':>8} {'p99 ms':>8}")
    for name, key in (("at rest (baseline)", "at_rest"), ("under the flood", "flooded")):
        print(f"{name:<24} {result[key]['p50_ms']:>8.2f} {result[key]['p99_ms']:>8.2f}")
    print(f"p99 under flood : at rest = {result['p99_ratio']:.1f}× (goal ≤ 3×)")
    print(
        f"wrong sign-ins handled: {result['sign_ins_per_second']:.1f}/s, "
        f"p50 {result['sign_in_p50_ms']:.0f} ms, answers {result['sign_in_statuses']}"
    )
    if result["refused_p50_ms"] is not None:
        print(
            f"refused (503) in p50 {result['refused_p50_ms']:.0f} ms, "
            f"p99 {result['refused_p99_ms']:.0f} ms"
        )
    print(
        f"right-password sign-ins completed: {result['right_sign_ins_per_second']:.1f}/s, "
        f"p50 {result['right_sign_in_p50_ms']:.0f} ms, answers {result['right_sign_in_statuses']}"
    )
    print(
        f"server peak memory: {result['peak_memory_mib_at_rest']:.0f} MiB at rest, "
        f"{result['peak_memory_mib_flooded']:.0f} MiB after the flood"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--browsers", type=int, default=2)
    parser.add_argument("--flooders", type=int, default=50)
    parser.add_argument("--json")
    a = parser.parse_args()
    result = measure(a.instance, a.size, a.runs, a.seconds, a.browsers, a.flooders)
    report(result)
    write_json(a.json, result)


if __name__ == "__main__":
    main()
