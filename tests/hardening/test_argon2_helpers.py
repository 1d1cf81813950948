"""argon2 runs in helper processes of the serving process, at the lowest priority, never in it.

Against the real `movements serve`: each serving process starts its helpers (as many as it has
argon2 slots) at nice 19 while its own threads stay at normal priority, a sign-in's 64 MiB hash
happens in a helper rather than in the server, a sign-in in flight when SIGTERM comes is still
answered, and no helper outlives its server, whether it stops or is killed. How long pages take
during a flood is measured in bench/flood.py, not here.
"""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from movements.app.core.db import database
from movements.app.keys.argon2_pool import ARGON2_SLOTS
from movements.crypto import KDF_PARAMETERS, argon2_processes
from tests.support.accounts import csrf_token
from tests.support.serving import running_server

from .live import Browser

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

LOWEST_PRIORITY = 19
HASH_KIB = KDF_PARAMETERS.memory_cost  # what the server checks a name that does not exist with
WAIT_SECONDS = 30.0


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name: [0] is the state, [16] the nice value."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def _kib(pid: int, field: str) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split(f"{field}:", 1)[1].split()[0])


def _children(pid: int) -> list[int]:
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").iterdir()
        for child in (task / "children").read_text().split()
    ]


def _helpers(pid: int) -> list[int]:
    return [
        child
        for child in _children(pid)
        if b"argon2_helper.py" in Path(f"/proc/{child}/cmdline").read_bytes()
    ]


def _ended(pid: int) -> bool:
    try:
        return _stat(pid)[0] in ("Z", "X")  # a zombie has ended; only its parent's reaping waits
    except FileNotFoundError:
        return True


def _until(condition, what: str):
    """Poll `condition` (bounded) until it gives something true; that value."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"not within {WAIT_SECONDS} s: {what}")


def _settled_helpers(pid: int) -> list[int]:
    """The server's helpers once all have started and lowered their priority."""

    def settled():
        helpers = _helpers(pid)
        at_lowest = [h for h in helpers if int(_stat(h)[16]) == LOWEST_PRIORITY]
        return helpers if len(helpers) == ARGON2_SLOTS == len(at_lowest) else None

    return _until(settled, f"{ARGON2_SLOTS} helpers at nice {LOWEST_PRIORITY}")


@pytest.fixture
def server(app, instance):
    database.close()
    with running_server(instance, "--no-onion", "--workers", "1") as running:
        yield running


def wrong_sign_in(server) -> int:
    """A sign-in with a name that does not exist: the server still runs its full argon2id."""
    answer = Browser(server.base).post("/login", {"username": "nobody", "password": "not it!!"})
    return answer.status


def test_a_sign_in_hashes_in_a_low_priority_helper_and_the_server_stays_at_normal_priority(
    server,
):
    pid = server.process.pid
    helpers = _settled_helpers(pid)
    server_peak = _kib(pid, "VmHWM")
    assert wrong_sign_in(server) == 400
    # the 64 MiB of the hash were a helper's, not the server's
    assert max(_kib(helper, "VmHWM") for helper in helpers) >= HASH_KIB
    assert _kib(pid, "VmHWM") - server_peak < HASH_KIB // 2
    threads = list(Path(f"/proc/{pid}/task").iterdir())
    assert [int(_stat(int(task.name))[16]) for task in threads] == [0] * len(threads)


def test_a_sign_in_in_flight_at_sigterm_is_answered_and_no_helper_outlives_the_server(server):
    helpers = _settled_helpers(server.process.pid)
    answers = []
    sign_in = threading.Thread(target=lambda: answers.append(wrong_sign_in(server)))
    sign_in.start()
    # SIGTERM once a helper is hashing it (its memory grows to the hash's 64 MiB)
    _until(
        lambda: any(_kib(helper, "VmRSS") > HASH_KIB // 2 for helper in helpers),
        "a helper hashing",
    )
    server.process.send_signal(signal.SIGTERM)
    sign_in.join(WAIT_SECONDS)
    assert answers == [400]
    server.stop()
    assert server.process.returncode == 0
    assert all(_ended(helper) for helper in helpers)


def test_no_helper_outlives_a_killed_server(server):
    helpers = _settled_helpers(server.process.pid)
    server.process.send_signal(signal.SIGKILL)
    server.process.communicate(timeout=WAIT_SECONDS)
    _until(lambda: all(_ended(helper) for helper in helpers), "every helper ended")


def _workers(pid: int) -> list[int] | None:
    children = _children(pid)
    return children if len(children) == 2 else None


def test_every_worker_of_a_server_has_its_own_helpers_and_they_end_with_it(app, instance):
    database.close()
    with running_server(instance, "--no-onion", "--workers", "2") as running:
        workers = _until(lambda: _workers(running.process.pid), "both workers")
        helpers = [helper for worker in workers for helper in _settled_helpers(worker)]
        assert len(helpers) == 2 * ARGON2_SLOTS
    _until(lambda: all(_ended(helper) for helper in helpers), "every helper ended")


def test_the_app_in_a_test_or_a_command_hashes_in_its_own_process(client):
    """Only `serve` starts helpers: an app used in-process (tests, operator commands) starts
    no process of its own and hashes as before."""
    before = _children(os.getpid())
    form = {"csrf_token": csrf_token(client), "username": "nobody", "password": "not it!!"}
    answer = client.post("/login", data=form)
    assert "That username and password do not match." in answer.get_data(as_text=True)
    assert _children(os.getpid()) == before
    assert argon2_processes.argon2id_in_helper(b"secret", b"salt" * 4, 1, 8, 1) is None
