"""Outages: the disk is full, the folder is read-only, or the database cannot be reached.

They are not bugs. A visitor gets 503 with Retry-After, the log gets one line naming the cause,
and the site recovers by itself when the cause goes, since every request opens its own
connection. :func:`outage_cause` is the one place that tells an outage from a bug.
"""

import errno
import os
from pathlib import Path

DISK_FULL = "disk full"
READ_ONLY = "read-only folder"
UNREACHABLE = "database unreachable"
DISK_ERROR = "disk I/O error"

RETRY_AFTER_SECONDS = 60
PROBE_BYTES = 64 * 1024  # a few database pages

_ERRNO_CAUSES = {
    errno.ENOSPC: DISK_FULL,
    errno.EDQUOT: DISK_FULL,
    errno.EROFS: READ_ONLY,
    errno.EIO: DISK_ERROR,
}
_SQLITE_CAUSES = {
    "database or disk is full": DISK_FULL,
    "attempt to write a readonly database": READ_ONLY,
    # SQLite says these for a full or read-only disk too: the folder tells which
    "disk I/O error": DISK_ERROR,
    "unable to open database file": UNREACHABLE,
}
# SQLSTATE: connection exceptions, server shutting down or starting, disk full
_POSTGRESQL_UNREACHABLE = ("08", "57P01", "57P02", "57P03")
_POSTGRESQL_DISK_FULL = "53100"


def outage_cause(error: BaseException, folder: Path | None = None) -> str | None:
    """The outage behind `error`, or None when it is a bug or bad input.

    `folder` is where the SQLite database lives: SQLite reports a full or read-only disk as a
    vague I/O error, so the folder itself is asked. Peewee wraps the driver's exception, so
    wrapped and explicit causes are followed (never an exception merely raised while handling
    another: that is a bug of its own).
    """
    for _ in range(5):
        if error is None:
            return None
        cause = _cause_of(error, folder)
        if cause is not None:
            return cause
        error = getattr(error, "orig", None) or error.__cause__
    return None


def describe(error: BaseException) -> str:
    """The driver's or system's own words, one line: they hold paths and codes, no visitor data."""
    text = str(getattr(error, "orig", None) or error).strip()
    return text.splitlines()[0][:200] if text else type(error).__name__


def probe_writes(folder: Path) -> None:
    """Write, sync and remove a small file, so a full or read-only folder is found at start-up."""
    probe = folder / ".write-probe"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    finally:
        if probe.exists():
            probe.unlink()


def _cause_of(error: BaseException, folder: Path | None) -> str | None:
    if isinstance(error, OSError):
        return _ERRNO_CAUSES.get(error.errno)
    module = type(error).__module__
    if module == "sqlite3":
        text = str(error)
        cause = next((cause for words, cause in _SQLITE_CAUSES.items() if words in text), None)
        if cause in (DISK_ERROR, UNREACHABLE) and folder is not None:
            return _folder_state(folder) or cause
        return cause
    if module.startswith("psycopg2"):
        code = getattr(error, "pgcode", None)
        if code == _POSTGRESQL_DISK_FULL:
            return DISK_FULL
        if code is None:  # libpq's own: refused, closed, timed out, no such host
            names = {kind.__name__ for kind in type(error).__mro__}
            return UNREACHABLE if names & {"OperationalError", "InterfaceError"} else None
        return UNREACHABLE if code.startswith(_POSTGRESQL_UNREACHABLE) else None
    return None


def _folder_state(folder: Path) -> str | None:
    try:
        facts = os.statvfs(folder)
    except OSError:
        return None
    if facts.f_flag & os.ST_RDONLY:
        return READ_ONLY
    if facts.f_bavail * facts.f_frsize < PROBE_BYTES:
        return DISK_FULL
    return None
