"""Run every benchmark, print each figure beside its baseline, and write bench/RESULTS.md.

    python bench/run.py [--runs 5] [--seconds 3] [--quick] [--before CHECKOUT]

`make bench` runs this. The benchmarks run one after another, each in its own process
(python -m bench.<name>), on one instance folder in a temporary directory: 100,000 requests
for the throughput and flood benchmarks, then grown to 1,000,000 for search. Other engineers'
benchmarks (bench_crypto.py, bench_onion.py, bench_alerts.py), when present, run afterwards
with their own defaults and their output is included as it is. `--quick` skips them.

`--before CHECKOUT` measures another checkout of the app (an earlier commit, with its own
.venv) in the same run, with the same clients, on data of its own: the throughput, flood and
search figures then show before and after side by side. The checkout's bench/ folder must
write the same figures (copy this one's, with a data.py for its own schema).
"""

import argparse
import datetime
import json
import os
import platform
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.throughput_goals import goals  # noqa: E402
from movements.app.cli.server import THREADS  # noqa: E402

RESULTS = BENCH / "RESULTS.md"
OTHER_BENCHMARKS = ["bench_crypto.py", "bench_onion.py", "bench_alerts.py", "bench_servers.py"]
OTHER_TIMEOUT_SECONDS = 15 * 60


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    meminfo = Path("/proc/meminfo")
    memory = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text()) if meminfo.exists() else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": f"{int(memory.group(1)) / 1024 / 1024:.1f} GiB" if memory else "unknown",
        "system": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def run(command: list[str], timeout: float | None = None, cwd: Path = ROOT) -> str:
    """Run one benchmark, echoing its output as it comes; returns that output."""
    print(f"\n$ {' '.join(command)}", flush=True)
    lines = []
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        deadline = time.monotonic() + timeout if timeout else None
        for line in process.stdout:
            print(line, end="", flush=True)
            lines.append(line)
            if deadline and time.monotonic() > deadline:
                process.kill()
                lines.append(f"(stopped after {timeout:.0f}s)\n")
                break
        process.wait()
        if process.returncode:
            lines.append(f"(exited with status {process.returncode})\n")
    return "".join(lines)


def module(name: str, json_file: Path, *arguments: str, checkout: Path = ROOT) -> dict:
    """One benchmark's figures, from this checkout or (with its own .venv) another one."""
    python = sys.executable if checkout == ROOT else str(checkout / ".venv" / "bin" / "python")
    command = [python, "-m", f"bench.{name}", *arguments, "--json", str(json_file)]
    output = run(command, cwd=checkout)
    if not json_file.exists():
        raise SystemExit(f"bench.{name} failed:\n{output}")
    return json.loads(json_file.read_text())


def _commit(checkout: Path) -> str:
    """The commit a checkout was made from: its BASE_COMMIT file, or its git HEAD."""
    named = checkout / "BASE_COMMIT"
    if named.exists():
        return named.read_text().strip()[:12]
    found = subprocess.run(
        ["git", "-C", str(checkout), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    return found.stdout.strip() or "unknown"


def verdict(ok: bool | None) -> str:
    """None: a goal this run could not judge (bench/throughput_goals.py says when)."""
    if ok is None:
        return "not judged"
    return "met" if ok else "**not met**"


def _processes(count: str) -> str:
    return f"{count} process{'es' if int(count) > 1 else ''}"


def throughput_section(throughput: dict, before: dict) -> list[str]:
    """Section 2: each page at one process and at the default workers, and the goals."""
    workers = throughput["workers"]
    lines = [
        f"## 2. /requests over {throughput['size']:,} requests against bare Flask, at 1 process"
        + (f" and at {_processes(str(workers))}" if workers > 1 else ""),
        "",
        f"{throughput['clients']} concurrent clients. The app is served as production serves it, "
        "`movements serve --no-onion --workers N`; a bare Flask app answering `hello` is served "
        "by as many processes on one shared listening socket, through the same workers "
        "(`app/cli/workers.py`) and `app.cli.server.serve`. N is 1, and `movements serve`'s "
        f"default of one worker per core ({workers} here); every server is measured alternately "
        "in the same run. Server processor time is summed over all of a server's processes, the "
        "first and its workers. Anonymous visitors are served the kept copy of the page "
        "(`app/web/pagecache.py`, at most 10 s old, emptied by any change); for a signed-in "
        "visitor every page is rendered. Baseline: issue 16's figure for today, "
        f"{throughput['baseline_signed_in_per_second']:.0f} signed-in pages per second "
        "(one process, this file when the issue was written).",
        "",
        "| | processes | pages/s | p50 ms | p99 ms | server processor ms per page |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    names = (
        ("`/requests`, anonymous", "requests_page"),
        ("`/requests`, signed in", "requests_page_signed_in"),
        ("bare Flask `hello`", "bare_flask"),
    )
    # a checkout measured before this benchmark knew workers has its figures at the top level
    measured = [("", throughput)] + ([("before: ", before["throughput"])] if before else [])
    for tag, figures in measured:
        for count, figures_of in figures.get("processes", {"1": figures}).items():
            for name, key in names:
                f = figures_of[key]
                lines.append(
                    f"| {tag}{name} | {count} | {f['per_second']:.0f} | {f['p50_ms']:.1f} | "
                    f"{f['p99_ms']:.1f} | {f['server_ms_per_page']:.2f} |"
                )
    lines += ["", "| goal | figure | |", "| --- | ---: | --- |"]
    lines += [f"| {goal} | {figure} | {verdict(met)} |" for goal, figure, met in goals(throughput)]
    lines.append("")
    for count, figures_of in throughput["processes"].items():
        lines.append(
            f"- {_processes(count)}: `/requests` comes to {figures_of['ratio']:.1%} of bare "
            f"Flask's pages per second anonymous, {figures_of['ratio_signed_in']:.1%} signed in; "
            "counted in the server's processor time per page, which other work on these cores "
            f"does not change, signed in comes to {figures_of['processor_ratio_signed_in']:.1%}."
        )
    if before:
        old = before["throughput"]
        lines.append(
            f"- Before: signed in, {old['processor_ratio_signed_in']:.1%} of bare Flask in "
            f"processor time per page; "
            f"{old['requests_page_signed_in']['server_ms_per_page']:.2f} ms per page then, "
            f"{throughput['requests_page_signed_in']['server_ms_per_page']:.2f} ms now."
        )
    return lines


def markdown(figures: dict, others: dict[str, str], settings: dict) -> str:
    m = figures["machine"]
    weight, throughput = figures["weight"], figures["throughput"]
    search, flood, hashing = figures["search"], figures["flood"], figures["hashing"]
    rest, flooded = flood["at_rest"], flood["flooded"]
    before = figures.get("before", {})
    lines = [
        "# Benchmark results",
        "",
        f"Measured on {figures['date']} with `make bench` "
        f"({settings['runs']} runs of {settings['seconds']} s per figure; each figure is the "
        "median of the runs). Written by `bench/run.py`; do not edit by hand.",
        "",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} memory",
        f"- System: {m['system']}; Python {m['python']}; SQLite {m['sqlite']}",
        f"- Load average over the last minute: {figures['load_before']:.2f} when the run began, "
        f"{figures['load_after']:.2f} when it ended (other work on these cores adds noise)",
        f"- Server: `app.cli.server.serve` (waitress, {THREADS} page threads) in its own process, "
        "and in section 2 also `movements serve` with its workers; clients are separate processes "
        "with keep-alive connections, all on 127.0.0.1 and on the same cores",
    ]
    if figures.get("before"):
        lines.append(
            f"- Before: commit {figures['before']['commit']} measured in the same run, by the same "
            'benchmark clients, on data of its own (rows marked "before")'
        )
    lines += [
        "",
        "## 1. Page weight",
        "",
        f"Every page each kind of visitor reaches over realistic data (long titles, right-to-left "
        f"text, 20 results); the heaviest version of each. Baseline: the budget, "
        f"{weight['html_budget']} bytes of HTML per page and {weight['css_budget']} of CSS. "
        "Deterministic: one run.",
        "",
        f"| page | HTML bytes | within {weight['html_budget'] // 1024} KB |",
        "| --- | ---: | --- |",
    ]
    for name, page in weight["pages"].items():
        within = "yes" if page["bytes"] <= weight["html_budget"] else "**no**"
        lines.append(f"| `{name}` | {page['bytes']:,} | {within} |")
    lines += [
        f"| stylesheet (fetched once, then cached for a year) | {weight['css_bytes']:,} | "
        f"{'yes' if weight['css_bytes'] <= weight['css_budget'] else '**no**'} "
        f"({weight['css_budget'] // 1024} KB) |",
        "",
        f"{len(weight['over_budget'])} of {len(weight['pages'])} pages are over the HTML budget; "
        f"the median page is {weight['median_page_bytes']:,} bytes.",
        "",
    ]
    lines += throughput_section(throughput, before)
    lines += [
        "",
        f"## 3. {search['size']:,} requests: filtered browsing and full-text search",
        "",
        f"{search['clients']} client at a time, so a figure is how long a page takes rather than "
        "queueing. Baseline: the unfiltered first page on the same database. Goal: p50 at most "
        "20 ms and p99 at most 100 ms.",
        "",
        "| | p50 ms | p99 ms | goal |",
        "| --- | ---: | ---: | --- |",
    ]
    for kind, f in search["kinds"].items():
        goal = (
            "baseline" if "baseline" in kind else verdict(f["p50_ms"] <= 20 and f["p99_ms"] <= 100)
        )
        lines.append(f"| {kind} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | {goal} |")
    for kind, f in before.get("search", {}).get("kinds", {}).items():
        lines.append(f"| before: {kind} | {f['p50_ms']:.1f} | {f['p99_ms']:.1f} | |")
    lines += [
        "",
        "## 4. Browsing during a flood of wrong-password sign-ins",
        "",
        f"{flood['browsers']} clients browse while {flood['flooders']} loops send wrong "
        "passwords for names that do not exist, each as soon as its last was answered (a check "
        "costs a full argon2 hash with the production parameters; beyond the argon2 pool the "
        "answer is 503). Baseline: the same browsing at rest, in alternate runs. Goal: p99 "
        "under the flood at most 3× the p99 at rest.",
        "",
        "| browsing | p50 ms | p99 ms |",
        "| --- | ---: | ---: |",
        f"| at rest | {rest['p50_ms']:.1f} | {rest['p99_ms']:.1f} |",
        f"| under the flood | {flooded['p50_ms']:.1f} | {flooded['p99_ms']:.1f} |",
        "",
        f"p99 ratio: {flood['p99_ratio']:.1f}× (goal ≤ 3×: {verdict(flood['p99_ratio'] <= 3)}). "
        f"Wrong sign-ins answered: {flood['sign_ins_per_second']:.1f} per second, p50 "
        f"{flood['sign_in_p50_ms']:.0f} ms; answers by status: {flood['sign_in_statuses']}; "
        f"refusals (503) answered in p50 {flood['refused_p50_ms'] or 0:.0f} ms. "
        f"Server peak memory (VmHWM): {flood['peak_memory_mib_at_rest']:.0f} MiB at rest, "
        f"{flood['peak_memory_mib_flooded']:.0f} MiB after the flood.",
        "",
        f"Sign-ins with the right password, {flood['signers']} clients each signing in to an "
        f"account of its own as fast as they are answered: "
        f"{flood['right_sign_ins_per_second']:.1f} completed per second, p50 "
        f"{flood['right_sign_in_p50_ms']:.0f} ms; answers by status: "
        f"{flood['right_sign_in_statuses']}. Each checks the password and unwraps the account's "
        "private key.",
    ]
    if before:
        old = before["flood"]
        lines += [
            "",
            f"Before: browsing p99 {old['at_rest']['p99_ms']:.1f} ms at rest and "
            f"{old['flooded']['p99_ms']:.1f} ms under the flood; wrong sign-ins answered "
            f"{old['sign_ins_per_second']:.1f} per second; right sign-ins completed "
            f"{old['right_sign_ins_per_second']:.1f} per second, p50 "
            f"{old['right_sign_in_p50_ms']:.0f} ms.",
        ]
    lines += [
        "",
        "## 5. argon2 with the production parameters",
        "",
    ]
    p = hashing["parameters"]
    lines += [
        f"argon2id, t={p['time_cost']}, m={p['memory_cost'] // 1024} MiB, p={p['parallelism']}; "
        f"median of {hashing['runs']} runs through `app.keys.passwords`.",
        "",
        "| | ms |",
        "| --- | ---: |",
        f"| a new password's record (sign-up, password change) | {hashing['hash_ms']:.0f} |",
        f"| check (every sign-in; it also gives the key that unwraps) | "
        f"{hashing['verify_ms']:.0f} |",
        f"| baseline: one `/requests` page rendered in-process | {hashing['page_ms']:.1f} |",
        "",
        f"One hash costs the server as much as {hashing['pages_per_hash']:.0f} pages.",
    ]
    for name, output in others.items():
        lines += ["", f"## {name}", "", "```", output.rstrip(), "```"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure; the median is kept")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run")
    parser.add_argument("--quick", action="store_true", help="small data, two runs: a smoke test")
    parser.add_argument("--before", type=Path, help="another checkout to measure alongside")
    a = parser.parse_args()
    runs = 2 if a.quick else a.runs
    small, large = (10_000, 50_000) if a.quick else (100_000, 1_000_000)
    timing = ["--runs", str(runs), "--seconds", str(a.seconds)]
    started = time.monotonic()
    figures = {
        "machine": machine(),
        "date": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "load_before": os.getloadavg()[0],
    }
    with tempfile.TemporaryDirectory(prefix="movements-bench-") as folder:
        work = Path(folder)
        instance = str(work / "instance")
        figures["weight"] = module("weight", work / "weight.json")
        checkouts = {"": (ROOT, instance)}
        if a.before:
            checkouts["before-"] = (a.before.resolve(), str(work / "before-instance"))
            figures["before"] = {"commit": _commit(a.before)}

        def measure_each_checkout(name: str, data: int) -> None:
            for tag, (checkout, its_instance) in checkouts.items():
                arguments = ["--instance", its_instance, "--size", str(data), *timing]
                found = module(name, work / f"{tag}{name}.json", *arguments, checkout=checkout)
                (figures["before"] if tag else figures)[name] = found

        measure_each_checkout("throughput", small)
        measure_each_checkout("flood", small)
        figures["hashing"] = module(
            "hashing", work / "hashing.json", "--instance", instance, "--runs", str(runs + 2)
        )
        measure_each_checkout("search", large)
    others = {}
    for script in [] if a.quick else OTHER_BENCHMARKS:
        if (BENCH / script).exists():
            command = [sys.executable, str(BENCH / script)]
            others[f"`bench/{script}` (its own defaults)"] = run(command, OTHER_TIMEOUT_SECONDS)
    figures["load_after"] = os.getloadavg()[0]
    settings = {"runs": runs, "seconds": a.seconds}
    RESULTS.write_text(markdown(figures, others, settings))
    minutes = (time.monotonic() - started) / 60
    print(f"\nwrote {RESULTS.relative_to(ROOT)} in {minutes:.1f} minutes")


if __name__ == "__main__":
    main()
