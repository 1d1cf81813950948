"""Benchmark 5: what one argon2 password run costs with the production parameters.

    python -m bench.hashing --instance DIR [--runs 7] [--json FILE]

Timed in-process through `app.keys.passwords`, exactly as sign-up and sign-in call it: a new
password's record (sign-up, password change) and the check of one (every sign-in, which also
gives the key that unwraps the user's private key). The baseline is one /requests page rendered
in the same process from the instance's database (benchmark 2's): how many page views one
sign-in costs the server.
"""

import argparse
import dataclasses
import secrets
import time
from pathlib import Path

from movements.app.factory import create_app
from movements.app.keys import passwords
from movements.crypto import current_kdf_parameters

from .common import median, write_json


def timed_ms(operation) -> float:
    started = time.perf_counter()
    operation()
    return (time.perf_counter() - started) * 1000


PAGE_RENDERS = 30


def page_ms(instance: Path) -> float:
    # rendered every time: a kept copy for anonymous visitors (app/web/pagecache.py) is no baseline
    client = create_app({"PAGE_CACHE_SECONDS": 0}, instance_path=instance).test_client()
    client.get("/requests")
    return median([timed_ms(lambda: client.get("/requests").close()) for _ in range(PAGE_RENDERS)])


def measure(instance: Path, runs: int) -> dict:
    page = page_ms(instance)
    password = secrets.token_urlsafe(16)
    stored = passwords.new_password(password).record  # warm up: the first run maps its memory
    hash_ms = median([timed_ms(lambda: passwords.new_password(password)) for _ in range(runs)])
    verify_ms = median(
        [timed_ms(lambda: passwords.check(stored, "wrong " + password)) for _ in range(runs)]
    )
    return {
        "parameters": dataclasses.asdict(current_kdf_parameters()),
        "runs": runs,
        "hash_ms": hash_ms,
        "verify_ms": verify_ms,
        "page_ms": page,
        "pages_per_hash": hash_ms / page,
    }


def report(result: dict) -> None:
    p = result["parameters"]
    print(
        f"argon2id t={p['time_cost']} m={p['memory_cost'] // 1024} MiB p={p['parallelism']}; "
        f"median of {result['runs']} runs"
    )
    print(f"hash   {result['hash_ms']:8.1f} ms")
    print(f"verify {result['verify_ms']:8.1f} ms (a wrong password)")
    print(
        f"baseline: one /requests page rendered in-process, {result['page_ms']:.1f} ms; "
        f"one hash costs as much as {result['pages_per_hash']:.0f} pages"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json")
    a = parser.parse_args()
    result = measure(a.instance, a.runs)
    report(result)
    write_json(a.json, result)


if __name__ == "__main__":
    main()
