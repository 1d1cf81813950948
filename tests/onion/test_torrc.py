"""The torrc for the system tor: it holds the defenses, tor accepts it, and tor runs it."""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from movements.onion.client_auth import ClientAuthKeyPair, add_authorized_client
from movements.onion.errors import KeyFileError, OnionConfigError
from movements.onion.keys import ServiceKey, write_hidden_service_dir
from movements.onion.process import stop_process
from movements.onion.publish import Defenses
from movements.onion.torrc import read_hostname, render_torrc

DEBIAN_DEFAULTS = Path("/usr/share/tor/tor-service-defaults-torrc")


def _options(text: str) -> list[tuple[str, str]]:
    return [
        tuple(line.split(" ", 1))  # type: ignore[misc]
        for line in text.splitlines()
        if line and not line.startswith("#")
    ]


def test_torrc_holds_the_hardening_and_dos_defenses():
    options = _options(render_torrc())
    for expected in [
        ("SocksPort", "0"),
        ("SafeLogging", "1"),
        ("Sandbox", "1"),
        ("VanguardsLiteEnabled", "1"),
        ("HiddenServiceDir", "/var/lib/tor/movements"),
        ("HiddenServicePort", "80 unix:/run/movements/app.sock"),
        ("HiddenServicePoWDefensesEnabled", "1"),
        ("HiddenServicePoWQueueRate", "50"),
        ("HiddenServicePoWQueueBurst", "250"),
        ("HiddenServiceEnableIntroDoSDefense", "1"),
        ("HiddenServiceEnableIntroDoSRatePerSec", "25"),
        ("HiddenServiceEnableIntroDoSBurstPerSec", "200"),
        ("HiddenServiceMaxStreams", "20"),
        ("HiddenServiceMaxStreamsCloseCircuit", "1"),
    ]:
        assert expected in options
    assert "vanguards" in render_torrc().lower()


def test_socket_path_and_defenses_are_parameters():
    text = render_torrc(
        Path("/var/lib/tor/x"),
        "/srv/app.sock",
        defenses=Defenses(pow_queue_rate=10, pow_queue_burst=20, max_streams=5),
    )
    options = _options(text)
    assert ("HiddenServicePort", "80 unix:/srv/app.sock") in options
    assert ("HiddenServicePoWQueueRate", "10") in options
    assert ("HiddenServiceMaxStreams", "5") in options


def test_staff_onion_gets_its_own_directory_and_socket():
    text = render_torrc(staff_dir=Path("/var/lib/tor/movements-staff"))
    options = _options(text)
    assert ("HiddenServiceDir", "/var/lib/tor/movements-staff") in options
    assert ("HiddenServicePort", "80 unix:/run/movements/staff.sock") in options
    with pytest.raises(OnionConfigError, match="own socket"):
        render_torrc(staff_dir=Path("/x"), staff_socket_path="/run/movements/app.sock")


@pytest.mark.parametrize("bad", [Path("relative/dir"), Path("/with space/dir")])
def test_refuses_service_dirs_tor_would_misread(bad):
    with pytest.raises(OnionConfigError):
        render_torrc(bad)


def test_read_hostname_explains_a_missing_file(tmp_path):
    with pytest.raises(KeyFileError, match="has tor started"):
        read_hostname(tmp_path)


def test_read_hostname_reads_what_tor_writes(tmp_path):
    key = ServiceKey.generate()
    write_hidden_service_dir(key, tmp_path / "hs")
    assert read_hostname(tmp_path / "hs") == key.address


def _service_dirs(base: Path, user: str | None) -> tuple[Path, Path]:
    """A public and a staff HiddenServiceDir, 0700 and owned by the user tor runs as."""
    public, staff = base / "public", base / "staff"
    for directory in (public, staff):
        directory.mkdir(mode=0o700, parents=True)
    add_authorized_client(
        staff / "authorized_clients", "alice", ClientAuthKeyPair.generate().public_key
    )
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in [base, *base.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid)
    return public, staff


def _verify(tor_cmd: str, torrc: Path, defaults: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tor_cmd, "--defaults-torrc", str(defaults), "-f", str(torrc), "--verify-config"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.mark.tor
def test_generated_torrc_passes_verify_config(tor_cmd, short_tmp):
    public, staff = _service_dirs(short_tmp, None)
    torrc = short_tmp / "torrc"
    torrc.write_text(render_torrc(public, staff_dir=staff, data_directory=short_tmp / "data"))
    empty = short_tmp / "empty-defaults"
    empty.write_text("")
    result = _verify(tor_cmd, torrc, empty)
    assert result.returncode == 0, result.stdout
    assert "Configuration was valid" in result.stdout


@pytest.mark.tor
@pytest.mark.skipif(
    os.geteuid() != 0 or not DEBIAN_DEFAULTS.exists(), reason="needs root and Debian's tor defaults"
)
def test_generated_torrc_passes_the_debian_service_check(tor_cmd, short_tmp):
    # Exactly what the tor@default unit runs before starting: Debian's defaults (User
    # debian-tor, DataDirectory /var/lib/tor) plus our file; the service dirs must then belong
    # to debian-tor.
    public, staff = _service_dirs(short_tmp / "services", "debian-tor")
    os.chmod(short_tmp, 0o755)  # noqa: S103 - debian-tor must traverse the test directory
    torrc = short_tmp / "torrc"
    torrc.write_text(render_torrc(public, staff_dir=staff))
    result = _verify(tor_cmd, torrc, DEBIAN_DEFAULTS)
    assert result.returncode == 0, result.stdout


@contextlib.contextmanager
def _running_tor(tor_cmd: str, base: Path, torrc_text: str) -> Iterator[subprocess.Popen[bytes]]:
    """Run tor on ``torrc_text`` plus DisableNetwork, logging at info level to base/info.log."""
    torrc = base / "torrc"
    torrc.write_text(torrc_text + f"DisableNetwork 1\nLog info file {base / 'info.log'}\n")
    empty = base / "empty-defaults"
    empty.write_text("")
    process = subprocess.Popen(
        [tor_cmd, "--defaults-torrc", str(empty), "-f", str(torrc)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        # Sandboxed tor 0.4.9 sometimes ignores SIGTERM (seen here): escalate quickly.
        stop_process(process, grace=2)


def _wait(condition, what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


@pytest.mark.tor
def test_tor_runs_the_generated_torrc_and_serves_the_staff_clients(tor_cmd, short_tmp):
    public, staff = _service_dirs(short_tmp, None)
    key = ServiceKey.generate()
    write_hidden_service_dir(key, public)
    (public / "hostname").unlink()  # tor must write it from the key
    text = render_torrc(public, staff_dir=staff, data_directory=short_tmp / "data")
    with _running_tor(tor_cmd, short_tmp, text) as process:
        _wait(lambda: (staff / "hostname").exists() and (public / "hostname").exists(), "hostname")
        assert process.poll() is None
        assert read_hostname(public) == key.address
        read_hostname(staff)
        log = (short_tmp / "info.log").read_text()
        assert "Loaded a client authorization key file alice.auth" in log
        # Sandbox 1 is real: once started, tor runs under a seccomp filter (mode 2)
        status = Path(f"/proc/{process.pid}/status")
        _wait(lambda: "Seccomp:\t2" in status.read_text(), "no seccomp filter")


@pytest.mark.tor
def test_sandboxed_tor_must_be_restarted_not_reloaded(tor_cmd, short_tmp):
    # Pins tor 0.4.9's behaviour that the torrc comment (and the CLI's advice after
    # staff-auth changes) relies on; if a later tor survives this, the advice can change.
    public, _staff = _service_dirs(short_tmp, None)
    text = render_torrc(public, data_directory=short_tmp / "data")
    with _running_tor(tor_cmd, short_tmp, text) as process:
        status = Path(f"/proc/{process.pid}/status")
        _wait(lambda: "Seccomp:\t2" in status.read_text(), "no seccomp filter")
        process.send_signal(signal.SIGHUP)
        process.wait(timeout=15)
    assert "Restart failed" in (short_tmp / "info.log").read_text()
