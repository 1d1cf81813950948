"""The systemd units in deploy/: sandbox score, syntax, and the settings the deployment needs.

``systemd-analyze security --offline=true`` scores a unit file without a running systemd
(systemd 252 on Debian 12 has --offline and --threshold). ``systemd-analyze verify`` checks
syntax, but also that every Exec*= binary exists: instead of skipping it because
/opt/movements is not installed here, the test builds a throwaway root with the system's own
unit files, stub executables at the units' Exec paths, and runs ``verify --root=`` on it —
so the unit files are verified verbatim, and any "Unknown key" or parse warning fails.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.deploy.tools import SERVICES, SYSTEMD, TIMERS, need_tool, unit_settings

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

MAX_EXPOSURE = 2.0
STAFF_DROP_IN = SYSTEMD / "movements.service.d/staff-onion.conf.example"
EXPOSURE_LINE = re.compile(r"Overall exposure level for \S+: (\d+\.\d+)")


@pytest.fixture(scope="module")
def systemd_analyze() -> str:
    return need_tool("systemd-analyze", "systemd", "checking the systemd units")


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_exposure_is_two_or_less(systemd_analyze, unit):
    # --threshold is in tenths on the 0-100 scale the command uses internally: 20 means 2.0,
    # and the command exits non-zero above it. The printed score is checked as well.
    done = subprocess.run(
        [systemd_analyze, "security", "--offline=true", "--threshold=20", "--no-pager", unit],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    found = EXPOSURE_LINE.search(done.stdout)
    assert found, f"no exposure line in:\n{done.stdout}\n{done.stderr}"
    exposure = float(found.group(1))
    assert exposure <= MAX_EXPOSURE, done.stdout
    assert done.returncode == 0, done.stdout + done.stderr


def _exec_paths(unit: Path) -> set[str]:
    """The absolute executables named by the unit's Exec*= lines (prefixes like + - stripped)."""
    paths = set()
    for key, values in unit_settings(unit).items():
        if key.startswith("Exec") and key not in ("ExecPaths", "NoExecPaths"):
            for value in values:
                binary = value.lstrip("+-!@:").split()[0]
                paths.add(binary)
    return paths


@pytest.fixture(scope="module")
def verify_root(tmp_path_factory) -> Path:
    """A root with the host's unit files, our units, and stubs for every Exec binary."""
    root = tmp_path_factory.mktemp("root")
    system_units = next(
        (p for p in (Path("/usr/lib/systemd/system"), Path("/lib/systemd/system")) if p.is_dir()),
        None,
    )
    assert system_units is not None, "systemd-analyze is here but its unit directory is not"
    shutil.copytree(system_units, root / "usr/lib/systemd/system", symlinks=True)
    target = root / "etc/systemd/system"
    target.mkdir(parents=True)
    for unit in SERVICES + TIMERS:
        shutil.copy(unit, target / unit.name)
        for binary in _exec_paths(unit):
            stub = root / binary.lstrip("/")
            stub.parent.mkdir(parents=True, exist_ok=True)
            stub.write_text("#!/bin/sh\nexit 0\n")
            stub.chmod(0o755)
    return root


@pytest.mark.parametrize("unit", SERVICES + TIMERS, ids=lambda p: p.name)
def test_units_verify_cleanly(systemd_analyze, verify_root, unit):
    done = subprocess.run(
        [
            systemd_analyze,
            "verify",
            "--man=no",
            "--generators=no",
            f"--root={verify_root}",
            unit.name,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 0, output
    assert output == "", f"systemd-analyze verify warned:\n{output}"


# --- Settings checked without systemd ---------------------------------------------------------

SANDBOX = {
    "User": "movements",
    "UMask": "0077",
    "RestrictAddressFamilies": "AF_UNIX",
    "IPAddressDeny": "any",
    "PrivateNetwork": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "PrivateUsers": "yes",
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "SystemCallArchitectures": "native",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "ProtectClock": "yes",
    "ProtectHostname": "yes",
    "ProtectProc": "invisible",
    "ProcSubset": "pid",
    "RestrictNamespaces": "yes",
    "RestrictRealtime": "yes",
    "RestrictSUIDSGID": "yes",
    "RemoveIPC": "yes",
    "DevicePolicy": "closed",
    "LimitCORE": "0",
    "StateDirectory": "movements",
}


@pytest.mark.parametrize("unit", SERVICES, ids=lambda p: p.name)
def test_every_service_has_the_same_sandbox(unit):
    settings = unit_settings(unit)
    for key, value in SANDBOX.items():
        assert settings.get(key) == [value], f"{unit.name}: {key}={settings.get(key)}"
    filters = ["@system-service", "~@privileged @resources"]
    if unit.name == "movements.service":
        # its argon2 helpers lower their own priority (crypto/argon2_helper.py)
        filters.append("setpriority")
    assert settings["SystemCallFilter"] == filters
    # Everything the service can write is not executable.
    assert settings["NoExecPaths"] == ["/"]
    # Public names (onion address, mirror host) come from one optional, non-secret file.
    assert settings["EnvironmentFile"] == ["-/etc/movements/movements.env"]


def test_app_unit_serves_the_unix_socket_without_tor():
    settings = unit_settings(SERVICES[0])
    assert settings["ExecStart"] == [
        "/opt/movements/.venv/bin/movements serve --unix-socket /run/movements/app.sock "
        "--instance /var/lib/movements --no-onion"
    ]
    assert settings["RuntimeDirectory"] == ["movements movements/staff"]
    assert settings["RuntimeDirectoryMode"] == ["0700"]
    # tor and nginx reach the socket through ACL entries set outside the sandbox ("+");
    # the staff socket's folder admits tor only, so the mirror can never reach the staff face.
    public, staff = settings["ExecStartPre"]
    assert public.startswith("+/usr/bin/setfacl ") and public.endswith(" /run/movements")
    for user in ("debian-tor", "www-data"):
        assert f"user:{user}:--x" in public and f"default:user:{user}:rw-" in public
    assert staff.startswith("+/usr/bin/setfacl ") and staff.endswith(" /run/movements/staff")
    assert "user:debian-tor:--x" in staff and "default:user:debian-tor:rw-" in staff
    assert "www-data" not in staff


def test_staff_drop_in_verifies_and_keeps_the_sandbox(systemd_analyze, verify_root):
    drop_in_dir = verify_root / "etc/systemd/system/movements.service.d"
    drop_in_dir.mkdir(exist_ok=True)
    shutil.copy(STAFF_DROP_IN, drop_in_dir / "staff-onion.conf")
    try:
        done = subprocess.run(
            [
                systemd_analyze,
                "verify",
                "--man=no",
                "--generators=no",
                f"--root={verify_root}",
                "movements.service",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        shutil.rmtree(drop_in_dir)
    assert done.returncode == 0 and not (done.stdout + done.stderr).strip(), done.stderr
    starts = unit_settings(STAFF_DROP_IN)["ExecStart"]
    assert starts[0] == "" and "--staff-socket /run/movements/staff/staff.sock" in starts[1]
    assert "--unix-socket /run/movements/app.sock" in starts[1]


@pytest.mark.parametrize("unit", SERVICES[1:], ids=lambda p: p.name)
def test_oneshot_units_never_own_the_socket_directory(unit):
    # A oneshot unit with RuntimeDirectory=movements would remove /run/movements (and the
    # application's socket) every time it finishes.
    settings = unit_settings(unit)
    assert "RuntimeDirectory" not in settings
    assert settings["Type"] == ["oneshot"]
    assert "--instance /var/lib/movements" in settings["ExecStart"][0]


def test_backup_reads_its_passphrase_from_a_credential():
    settings = unit_settings(SERVICES[2])
    assert settings["LoadCredential"] == ["passphrase:/etc/movements/backup-passphrase"]
    (start,) = settings["ExecStart"]
    assert "movements backup --instance /var/lib/movements" in start
    assert '--passphrase-file "$${CREDENTIALS_DIRECTORY}/passphrase"' in start
    assert settings["ReadWritePaths"] == ["/var/backups/movements"]


@pytest.mark.parametrize("timer", TIMERS, ids=lambda p: p.name)
def test_timers_run_daily_and_catch_up(timer):
    settings = unit_settings(timer)
    assert settings["Persistent"] == ["true"]
    assert len(settings["OnCalendar"]) == 1
    assert settings["WantedBy"] == ["timers.target"]
