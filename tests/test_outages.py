"""A full disk or a read-only instance folder: 503 and one log line, then recovery by itself."""

import time

import pytest

from movements.app.core.db import SQLITE_LINGER_SECONDS
from tests.support.outages import (
    QUERY_MARKER,
    Browser,
    assert_briefly_unavailable,
    assert_quiet_about_visitors,
    fill,
    movements,
    outage_lines,
    remount,
    serve_once,
    small_disk,
)
from tests.support.serving import running_server

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

EXIT_TEMPORARY_FAILURE = 75  # sysexits.h EX_TEMPFAIL: the operator may simply try again


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk") as mounted:
        yield mounted


def _outage_journey(disk, break_it, mend_it, cause):
    """A signed-in and a new visitor during the outage, then both again after it ends."""
    with running_server(disk / "instance", "--no-onion") as server:
        anna, bob = Browser(server.base), Browser(server.base)
        assert anna.sign_up("anna").status == 200
        # the outage comes while the server is idle, its connections closed: one kept open
        # for the next request would still answer reads (and hold the folder, so no remount)
        time.sleep(3 * SQLITE_LINGER_SECONDS)
        broken = break_it()
        during = [
            anna.open(f"/requests?q={QUERY_MARKER}"),
            anna.open("/account"),
            bob.sign_up("bob"),
        ]
        mend_it(broken)
        after = [anna.open("/account"), bob.sign_up("bob")]
    for answer in during:
        assert_briefly_unavailable(answer)
    # recovered without a restart; bob's refused sign-up left nothing behind (his name is free)
    assert [(a.status, a.path) for a in after] == [
        (200, "/account"),
        (200, "/account/recovery-codes"),
    ]
    output = server.stop()
    assert len(outage_lines(output, cause)) == len(during), output
    assert_quiet_about_visitors(output)


def test_a_full_disk_answers_503_logs_disk_full_and_recovers_when_space_returns(disk):
    _outage_journey(disk, lambda: fill(disk), lambda filler: filler.unlink(), "disk full")


def test_a_read_only_folder_answers_503_logs_it_and_recovers_when_writable_again(disk):
    _outage_journey(
        disk, lambda: remount(disk, "ro"), lambda _: remount(disk, "rw"), "read-only folder"
    )


def test_serve_refuses_a_read_only_instance_folder_in_one_line(disk):
    instance = disk / "instance"
    assert movements("init-db", "--instance", str(instance)).returncode == 0
    remount(disk, "ro")
    refused = serve_once(instance)
    assert refused.returncode == EXIT_TEMPORARY_FAILURE, refused.stderr
    assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "read-only folder" in refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr


def test_serve_refuses_a_full_disk_in_one_line(disk):
    instance = disk / "instance"
    assert movements("init-db", "--instance", str(instance)).returncode == 0
    fill(disk)
    refused = serve_once(instance)
    assert refused.returncode == EXIT_TEMPORARY_FAILURE, refused.stderr
    assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "disk full" in refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr
