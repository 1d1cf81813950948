"""Outages as a server meets them: a full disk, a folder gone read-only, a database stopped.

The disk is a small tmpfs the test mounts itself, so a full or read-only instance folder is real
for root too (root ignores file modes, so chmod cannot make a folder read-only for it). Mounting
needs root: elsewhere these tests are skipped with that reason, except under ``CI=true``, where
they must run.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .serving import ROOT, free_port

DISK_SIZE = "2m"  # room for a fresh instance (about 0.5 MB) and its write-ahead log
UNAVAILABLE_TEXT = "briefly unavailable"
MARKERS = {"User-Agent": "Mozilla/5.0 outage-ua-marker-5c1e"}
QUERY_MARKER = "outage-query-marker-93ad"
PASSWORD = "correct horse battery"


def _cannot_mount(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the outage tests must run under CI=true: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    """A 2 MB tmpfs mounted at `where` for the test, unmounted afterwards."""
    if os.geteuid() != 0:
        _cannot_mount("mounting a small tmpfs as a full or read-only disk needs root")
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE},mode=0700", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        _cannot_mount(f"mount -t tmpfs failed: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        if subprocess.run(["umount", str(where)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def remount(disk: Path, mode: str) -> None:
    """`ro` or `rw`: the instance folder becomes read-only, or writable again."""
    subprocess.run(["mount", "-o", f"remount,{mode}", str(disk)], check=True)


def fill(disk: Path) -> Path:
    """Write until the disk is full; return the file to delete to free it again."""
    filler = disk / "filler"
    block = b"\0" * 4096
    with filler.open("wb", buffering=0) as handle:
        try:
            while handle.write(block):
                pass
        except OSError as error:
            assert error.errno == errno.ENOSPC, error
    return filler


@dataclass
class Answer:
    status: int
    path: str  # after redirects
    headers: dict
    text: str


class Browser:
    """A visitor with cookies and a marked user agent, talking to the real server."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def open(self, path: str, form: dict | None = None) -> Answer:
        data = None
        if form is not None:
            token = self.open("/login").text.split('name="csrf_token" type="hidden" value="')[1]
            form = {"csrf_token": token.split('"')[0], **form}
            data = urllib.parse.urlencode(form, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=MARKERS)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        with response:
            path = urllib.parse.urlparse(response.geturl()).path
            return Answer(response.status, path, dict(response.headers), response.read().decode())

    def sign_up(self, username: str) -> Answer:
        return self.open(
            "/signup",
            {
                "username": username,
                "password": PASSWORD,
                "confirm": PASSWORD,
                "role": "provider",
                "risk_read": "y",
            },
        )


def assert_briefly_unavailable(answer: Answer) -> None:
    """503, a Retry-After in seconds, and a page that says so plainly."""
    assert answer.status == 503, answer.text[:500]
    assert re.fullmatch(r"\d+", answer.headers.get("Retry-After", "")), answer.headers
    assert UNAVAILABLE_TEXT in answer.text


def outage_lines(output: str, cause: str) -> list[str]:
    return [line for line in output.splitlines() if cause in line and " ERROR " in line]


def assert_quiet_about_visitors(output: str) -> None:
    """No traceback, no bare `unhandled`, nothing the visitors sent."""
    for forbidden in ("Traceback", "unhandled", QUERY_MARKER, *MARKERS.values()):
        assert forbidden not in output, output


def movements(
    *args: str, env: dict | None = None, timeout: float = 30
) -> subprocess.CompletedProcess:
    """The `movements` command; a server that starts when it should refuse fails the test."""
    try:
        return subprocess.run(
            [sys.executable, "-m", "movements.app.cli", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
            check=False,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`movements {' '.join(args)}` was still running after {timeout} s")


def serve_once(instance: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return movements(
        "serve", "--no-onion", "--port", str(free_port()), "--instance", str(instance), env=env
    )
