"""A tor that cannot come back for long: retried as long as it takes, every step logged."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest

from movements.onion.files import write_private_file
from movements.onion.supervisor import Backoff, EmbeddedOnion

OFFLINE = {"DisableNetwork": "1"}
BRISK = Backoff(initial=0.01, max_delay=0.05)
MORE_THAN_THE_OLD_LIMIT = 12  # the supervisor used to give up for good after ten


def _wait_for(condition, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
    return value


def _messages(caplog, words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "movements.onion.supervisor" and words in r.getMessage()
    ]


@pytest.mark.tor
def test_unusable_data_folder_is_retried_past_ten_failures_each_logged_then_recovers(
    tor_cmd, short_tmp, caplog
):
    caplog.set_level(logging.INFO, logger="movements.onion")
    data_dir, aside = short_tmp / "tor", short_tmp / "tor-aside"
    onion = EmbeddedOnion(
        data_dir,
        short_tmp / "onion.key",
        8000,
        tor_cmd=tor_cmd,
        extra_config=OFFLINE,
        backoff=BRISK,
        poll_interval=0.1,
    )
    address = onion.start()
    try:
        data_dir.rename(aside)
        data_dir.write_text("not a folder")  # the data folder is unusable until put back
        os.kill(onion.pid, signal.SIGKILL)
        _wait_for(lambda: len(_messages(caplog, "failed (attempt")) >= MORE_THAN_THE_OLD_LIMIT)
        during = onion.status()
        data_dir.unlink()
        aside.rename(data_dir)
        after = _wait_for(lambda: (s := onion.status()).state == "running" and s)
    finally:
        onion.stop()
    assert during.state == "restarting"
    assert during.restarting_since is not None and during.restarting_since <= time.time()
    assert "File exists" in during.last_error
    assert during.attempts >= MORE_THAN_THE_OLD_LIMIT
    assert (after.restarts, after.published, after.address) == (1, True, address)
    assert after.restarting_since is None
    failures = _messages(caplog, "failed (attempt")
    assert [f"attempt {n}," in line for n, line in enumerate(failures, 1)] == [True] * len(failures)
    assert len(_messages(caplog, "stopped answering")) == 1
    assert len(_messages(caplog, "back after")) == 1


def test_backoff_stays_at_its_longest_delay_however_long_the_outage():
    backoff = Backoff(initial=0.5, factor=2, max_delay=60)
    assert [backoff.delay(n) for n in (0, 1, 7, 8, 2000, 10**9)] == [0.5, 1, 60, 60, 60, 60]


@pytest.mark.tor
def test_a_status_report_that_cannot_be_written_is_logged_once_and_the_onion_still_recovers(
    tor_cmd, short_tmp, caplog
):
    caplog.set_level(logging.INFO, logger="movements.onion")
    nowhere = short_tmp / "missing" / "supervisor.json"
    onion = EmbeddedOnion(
        short_tmp / "tor",
        short_tmp / "onion.key",
        8000,
        tor_cmd=tor_cmd,
        extra_config=OFFLINE,
        backoff=BRISK,
        poll_interval=0.1,
        on_change=lambda status: write_private_file(nowhere, status.state.encode(), overwrite=True),
    )
    onion.start()
    try:
        os.kill(onion.pid, signal.SIGKILL)
        after = _wait_for(lambda: (s := onion.status()).restarts == 1 and s.published and s)
    finally:
        onion.stop()
    assert after.state == "running"
    assert len(_messages(caplog, "could not report the onion's state")) == 1
