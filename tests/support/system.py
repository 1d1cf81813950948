"""Programs from Debian that some tests drive for real (chromium, lynx, tor…).

A missing program is installed when the suite runs as root, as `make test` does on a fresh
machine; otherwise the test is skipped with the command that installs it. In CI (CI=true) a
missing program fails the test instead, so a broken image cannot pass by skipping.
"""

import os
import shutil
import subprocess

import pytest

APT_ENVIRONMENT = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}

_apt_updated: list[bool] = []
_not_installable: set[str] = set()


def _apt_get(*arguments: str) -> bool:
    completed = subprocess.run(
        ["apt-get", *arguments],
        env=APT_ENVIRONMENT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return completed.returncode == 0


def _install(package: str) -> None:
    """apt-get install, with one `apt-get update` per test run if the first try fails."""
    if package in _not_installable or shutil.which("apt-get") is None:
        return
    if _apt_get("install", "-y", package):
        return
    if not _apt_updated:
        _apt_updated.append(True)
        _apt_get("update")
        if _apt_get("install", "-y", package):
            return
    _not_installable.add(package)


def require_command(command: str, package: str) -> str:
    """The path of `command`, installing Debian's `package` as root; skip (or fail in CI)."""
    found = shutil.which(command)
    if found is None and os.geteuid() == 0:
        _install(package)
        found = shutil.which(command)
    if found is not None:
        return found
    _missing(f"{command} is missing: install it with `apt-get install {package}` (as root)")


def _has_font(language: str) -> bool:
    listed = subprocess.run(
        ["fc-list", f":lang={language}", "family"], capture_output=True, check=False
    )
    return listed.returncode == 0 and bool(listed.stdout.strip())


def require_font(language: str, package: str) -> None:
    """A font that draws `language` (fontconfig's code for it), installing `package` as root.

    Without one a browser draws the script as empty boxes: screenshots show nothing to check,
    and lines break and measure differently from a reader's screen.
    """
    if not _has_font(language) and os.geteuid() == 0:
        _install(package)
    if not _has_font(language):
        _missing(f"no font for {language}: install one with `apt-get install {package}` (as root)")


def _missing(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)
