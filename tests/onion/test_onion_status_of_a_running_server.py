"""`movements onion status` tells what the running server's supervisor sees, outage included.

The server publishes through a tor of the operator's with its network off (``--tor-control``),
so nothing leaves the machine; that tor is stopped for longer than the supervisor used to
retry, then started again on the same control port.
"""

import os
import time

import pytest

from tests.support.outages import movements
from tests.support.serving import running_server

from .tornet import free_ports

BRISK = {"MOVEMENTS_TOR_RETRY_MAX_SECONDS": "0.1"}
MORE_THAN_THE_OLD_LIMIT = 12  # the supervisor used to give up for good after ten failures


def _status(instance, control: str) -> str:
    return movements(
        "onion", "status", "--instance", str(instance), "--tor-control", control
    ).stdout


def _wait_for_status(instance, control: str, condition, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while not condition(text := _status(instance, control)):
        if time.monotonic() > deadline:
            raise AssertionError(f"`movements onion status` never showed it; last:\n{text}")
        time.sleep(0.2)
    return text


def _failed_attempts(text: str) -> int:
    for line in text.splitlines():
        if line.startswith("supervisor: restarting since") and "failed attempts" in line:
            return int(line.rsplit("(", 1)[1].split()[0])
    return 0


@pytest.mark.tor
def test_status_follows_the_supervisor_through_a_long_tor_outage(operator_tor, short_tmp):
    (port,) = free_ports(1)
    control = f"127.0.0.1:{port}"
    first, _ = operator_tor(control_port=port)
    instance = short_tmp / "instance"
    options = ("--tor-control", control)
    with running_server(instance, *options, env={**os.environ, **BRISK}) as server:
        before = _wait_for_status(instance, control, lambda text: "supervisor: running" in text)
        first.stop()
        during = _wait_for_status(
            instance, control, lambda text: _failed_attempts(text) >= MORE_THAN_THE_OLD_LIMIT
        )
        operator_tor(control_port=port)
        after = _wait_for_status(instance, control, lambda text: "supervisor: running" in text)
    output = server.stop()
    assert "restarts: 0" in before
    assert (instance / "onion" / "supervisor.json").stat().st_mode & 0o777 == 0o600
    assert "last error: TorControlError" in during
    assert "restarts: 1" in after
    failures = [
        line for line in output.splitlines() if "ERROR movements.onion" in line and "failed" in line
    ]
    assert len(failures) >= MORE_THAN_THE_OLD_LIMIT, output
    assert len([line for line in output.splitlines() if "onion back after" in line]) == 1, output
    # the server is gone: nothing pretends that a supervisor still runs
    assert "supervisor: none" in _status(instance, control)


def test_serve_refuses_a_retry_delay_that_is_not_a_number_of_seconds(tmp_path):
    env = {**os.environ, "MOVEMENTS_TOR_RETRY_MAX_SECONDS": "soon"}
    refused = movements("serve", "--no-onion", "--instance", str(tmp_path / "instance"), env=env)
    assert refused.returncode == 2
    assert "MOVEMENTS_TOR_RETRY_MAX_SECONDS" in refused.stderr
