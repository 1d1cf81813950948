"""Helpers for the deployment tests: where the files are, and the system tools they need.

A missing tool is installed with apt-get when the tests run as root on Debian; otherwise the
test is skipped with the command that installs it — except under ``CI=true``, where a missing
tool fails the test, so CI can never pass by silently skipping the deployment checks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
BACKUP = DEPLOY / "backup"
NGINX = DEPLOY / "nginx"
TOR = DEPLOY / "tor"
DATA = ROOT / "app" / "data"

# Every systemd service shipped in deploy/, with the sandbox they must all keep.
SERVICES = [
    SYSTEMD / "movements.service",
    SYSTEMD / "movements-purge.service",
    BACKUP / "movements-backup.service",
]
TIMERS = [SYSTEMD / "movements-purge.timer", BACKUP / "movements-backup.timer"]

_tried: set[str] = set()


def _apt_install(package: str) -> None:
    if package in _tried:
        return
    _tried.add(package)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-q", package]
    done = subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)
    if done.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=900)
        subprocess.run(command, env=env, capture_output=True, timeout=900, check=False)


def need_tool(binary: str, package: str, why: str) -> str:
    """The path of ``binary``; installed from ``package`` as root, else skip (fail under CI)."""
    found = shutil.which(binary) or next(
        (p for p in (f"/usr/sbin/{binary}", f"/sbin/{binary}") if os.access(p, os.X_OK)), None
    )
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _apt_install(package)
        found = shutil.which(binary) or (
            f"/usr/sbin/{binary}" if os.access(f"/usr/sbin/{binary}", os.X_OK) else None
        )
    if found is None:
        message = f"{why} needs {binary}: install it with `apt-get install {package}`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (a missing tool is a failure under CI=true)")
        pytest.skip(message)
    return found


def need_root(why: str) -> None:
    """Skip unless root (fail under CI only if CI runs as root, where this cannot happen)."""
    if os.geteuid() != 0:
        pytest.skip(f"{why} needs root (it switches users and sets ACLs)")


def unit_settings(path: Path) -> dict[str, list[str]]:
    """``Key=value`` lines of a unit file, every value of a repeated key kept in order."""
    settings: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings
