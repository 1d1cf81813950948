"""Starting and stopping a tor of our own."""

from __future__ import annotations

import fcntl
import os
import signal
import stat
import time

import pytest

from movements.onion.errors import TorLaunchError, TorNotInstalled
from movements.onion.process import find_tor, launch_tor, render_config, tor_version


def test_missing_tor_says_how_to_install_it():
    with pytest.raises(TorNotInstalled, match="apt-get install tor") as caught:
        find_tor("/nonexistent/tor")
    assert caught.value.install_command == "apt-get install tor"


def test_config_lines_repeat_list_values_and_refuse_line_breaks():
    text = render_config({"SocksPort": "0", "HiddenServicePort": ["80 127.0.0.1:1", "81 unix:/x"]})
    assert text == "SocksPort 0\nHiddenServicePort 80 127.0.0.1:1\nHiddenServicePort 81 unix:/x\n"
    with pytest.raises(ValueError, match="line break"):
        render_config({"SocksPort": "0\nControlPort 9051"})


@pytest.mark.tor
def test_tor_version_is_read_from_the_binary(tor_cmd):
    major, minor, *_ = tor_version(tor_cmd).split(".")
    assert (int(major), int(minor)) >= (0, 4)


@pytest.mark.tor
def test_launch_creates_a_private_data_dir_and_stops(tor_cmd, short_tmp):
    data_dir = short_tmp / "tor"
    process = launch_tor({"SocksPort": "0", "DisableNetwork": "1"}, data_dir, tor_cmd=tor_cmd)
    try:
        assert process.is_running()
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        assert "Bootstrapped 0%" in process.log_tail(50)
    finally:
        status = process.stop(grace=5)
    assert not process.is_running()
    assert status in (0, -signal.SIGTERM)


@pytest.mark.tor
def test_a_ctrl_c_in_the_terminal_does_not_reach_tor(tor_cmd, short_tmp):
    """The terminal signals its foreground process group; tor is outside it, stopped by us."""
    process = launch_tor(
        {"SocksPort": "0", "DisableNetwork": "1"}, short_tmp / "tor", tor_cmd=tor_cmd
    )
    try:
        assert os.getpgid(process.popen.pid) != os.getpgid(0)
        assert os.getsid(process.popen.pid) == process.popen.pid
    finally:
        process.stop(grace=5)


@pytest.mark.tor
def test_a_bad_option_is_reported_with_tor_s_complaint(tor_cmd, short_tmp):
    with pytest.raises(TorLaunchError, match="NoSuchOption"):
        launch_tor({"NoSuchOption": "1"}, short_tmp / "tor", tor_cmd=tor_cmd)


@pytest.mark.tor
def test_start_up_wait_is_bounded_and_leaves_no_process(tor_cmd, short_tmp):
    started = time.monotonic()
    with pytest.raises(TorLaunchError, match="did not start within"):
        # With the network off tor never reaches 100%: the deadline must end the wait.
        launch_tor(
            {"SocksPort": "0", "DisableNetwork": "1"},
            short_tmp / "tor",
            tor_cmd=tor_cmd,
            completion_percent=100,
            timeout=1.5,
        )
    assert time.monotonic() - started < 6
    # tor holds a lock on its data directory while it runs: it must be free again.
    assert not (short_tmp / "tor" / "lock").exists() or _lock_is_free(short_tmp / "tor")


def _lock_is_free(data_dir) -> bool:
    with open(data_dir / "lock", "a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        return True


@pytest.mark.tor
def test_stop_escalates_to_sigkill_when_sigterm_is_not_obeyed(tor_cmd, short_tmp):
    process = launch_tor(
        {"SocksPort": "0", "DisableNetwork": "1"}, short_tmp / "tor", tor_cmd=tor_cmd
    )
    os.kill(process.pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
    started = time.monotonic()
    status = process.stop(grace=1.0)
    assert status == -signal.SIGKILL
    assert 0.9 < time.monotonic() - started < 5
