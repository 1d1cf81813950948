"""What bench/throughput.py counts: a server's processor time over all its processes, the bare
Flask baseline on as many workers as the app, and goals judged from the figures of the run.

Real processes throughout; no assertion on how fast anything is (bench/ measures that).
"""

import json
import os
import subprocess
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

from bench.common import Server, process_tree, processor_seconds
from bench.run import throughput_section
from bench.throughput_goals import goals

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")
# /proc counts in clock ticks: each process's four counters may each be one tick short
SLACK_SECONDS = 4 * 3 / TICKS

# A parent that starts two workers, each burning 0.3 s of processor time of its own: the first
# then exits and is waited for (as a worker replaced mid-run is), the second stays. The parent
# prints what each worker said it used, then waits for its stdin to close.
PARENT = textwrap.dedent(
    """
    import subprocess, sys
    BURN = "import time\\nwhile time.process_time() < 0.3: pass\\nprint(time.process_time())"
    STAY = BURN + "\\nimport sys; sys.stdout.flush(); sys.stdin.read()"
    gone = subprocess.run([sys.executable, "-c", BURN], capture_output=True, text=True)
    staying = subprocess.Popen(
        [sys.executable, "-c", STAY], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    print(staying.pid, float(gone.stdout), float(staying.stdout.readline()), flush=True)
    sys.stdin.read()
    staying.stdin.close()
    staying.wait()
    """
)


def own_processor_seconds(pid: int) -> float:
    """One process's own time, user and system, without any child's."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def test_server_processor_time_adds_every_worker_including_one_that_exited():
    with subprocess.Popen(
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as parent:  # on leaving, its stdin closes: it and the staying worker end
        staying, gone_used, staying_used = parent.stdout.readline().split()
        tree = process_tree(parent.pid)
        total = processor_seconds(parent.pid)
        parent_alone = own_processor_seconds(parent.pid)
    assert tree == [parent.pid, int(staying)]
    assert total >= parent_alone + float(gone_used) + float(staying_used) - SLACK_SECONDS


def test_bare_flask_on_two_processes_is_served_by_two_workers_of_one_server():
    with Server("hello", "--processes", "2") as hello:
        tree = process_tree(hello.process.pid)
        commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in tree]
        pages = {
            urllib.request.urlopen(f"http://127.0.0.1:{hello.port}/", timeout=10).read()
            for _ in range(20)
        }
        total = hello.processor_seconds()
        first_alone = own_processor_seconds(hello.process.pid)
    assert pages == {b"hello"}
    # the server, its two workers, and the argon2 helpers each serving process starts
    workers = [command for command in commands if b"hello-worker" in b" ".join(command)]
    helpers = [command for command in commands if b"argon2_helper.py" in b" ".join(command)]
    assert len(workers) == 2
    assert len(tree) == 1 + len(workers) + len(helpers)
    # each worker is an interpreter that imported Flask: its time is in the server's
    assert total > first_alone


def figures(per_second: float, hello_per_second: float, p50_ms: float = 5.0) -> dict:
    page = {"per_second": per_second, "p50_ms": p50_ms, "p99_ms": 20.0, "server_ms_per_page": 4.0}
    hello = {**page, "per_second": hello_per_second, "p50_ms": 1.0, "server_ms_per_page": 0.4}
    return {
        "requests_page": {**page, "per_second": hello_per_second * 0.6, "p50_ms": 3.0},
        "requests_page_signed_in": page,
        "bare_flask": hello,
        "ratio": 0.6,
        "ratio_signed_in": per_second / hello_per_second,
        "processor_ratio_signed_in": 0.1,
    }


def result(signed_in_one: float, signed_in_two: float, hello_two: float, **more) -> dict:
    two = figures(signed_in_two, hello_two, **more)
    return {
        "size": 100_000,
        "clients": 4,
        "workers": 2,
        "processes": {"1": figures(signed_in_one, hello_two / 1.5), "2": two},
        **two,
        "baseline_signed_in_per_second": 57.0,
        "signed_in_vs_baseline": signed_in_two / 57.0,
        "worker_scaling_signed_in": signed_in_two / signed_in_one,
    }


def verdicts(figures_of_run: dict) -> dict[str, bool | None]:
    return {goal: met for goal, _figure, met in goals(figures_of_run)}


def test_goals_are_met_when_the_figures_reach_them():
    judged = verdicts(result(signed_in_one=150, signed_in_two=300, hello_two=1800))
    assert all(judged.values()), judged


def test_goals_fall_short_with_the_figures_and_say_which():
    judged = verdicts(result(signed_in_one=150, signed_in_two=200, hello_two=2000, p50_ms=12))
    short = {goal for goal, met in judged.items() if not met}
    assert short == {
        "signed in, 2 workers: at least 4× issue 16's 57 pages/s",
        "signed in, 2 workers: at least 15% of bare Flask with the same workers",
        "signed in, 2 workers: p50 at most 10 ms with 4 clients",
        "signed in: 2 workers at least 1.7× one process",
    }


def test_one_core_leaves_worker_scaling_unjudged_in_the_results():
    one_core = result(signed_in_one=300, signed_in_two=300, hello_two=1800)
    one_core.update(workers=1, processes={"1": one_core["processes"]["1"]})
    one_core["worker_scaling_signed_in"] = None
    section = "\n".join(throughput_section(one_core, {}))
    assert "| signed in: 1 worker at least 1.7× one process | one core: not measured | " in section
    assert "not judged" in section
    assert "**not met**" not in section


@pytest.mark.slow  # fills a database and starts four real servers
def test_throughput_benchmark_measures_real_pages_at_one_process_and_at_the_default_workers(
    tmp_path,
):
    output = tmp_path / "throughput.json"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOVEMENTS_")}
    subprocess.run(
        [
            sys.executable, "-m", "bench.throughput", "--instance", str(tmp_path / "instance"),
            "--size", "100", "--runs", "1", "--seconds", "0.5", "--json", str(output),
        ],
        cwd=ROOT, env=environment, check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    measured = json.loads(output.read_text())
    cores = os.cpu_count() or 1
    assert set(measured["processes"]) == {"1", str(cores)}
    for figures_of in measured["processes"].values():
        for key in ("requests_page", "requests_page_signed_in", "bare_flask"):
            # every answer a page: a signed-in client sent to /login would show 302 here
            assert set(figures_of[key]["statuses"]) == {"200"}, (key, figures_of[key])
    assert (
        measured["requests_page_signed_in"]
        == measured["processes"][str(cores)]["requests_page_signed_in"]
    )
    section = "\n".join(throughput_section(measured, {}))
    assert section.count("| met |") + section.count("| **not met** |") >= 5
