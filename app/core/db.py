"""The one database handle, bound at start-up, with a connection lent to each request."""

import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import Flask, abort, g, request
from peewee import DatabaseProxy, SqliteDatabase
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # deleted rows are overwritten, so a deleted account is gone from the file's bytes
    "secure_delete": 1,
    "synchronous": 1,
    # a writer that finds the database busy waits this long (ms) for the lock, then gives up
    "busy_timeout": 5000,
    "cache_size": -16 * 1024,
}

# Per process: waitress's threads each borrow one connection for a request, and give it back.
POSTGRESQL_POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}
# SQLite's too, but kept only while requests come (`Serving`): a new connection reads the
# whole schema before its first query, more than half of a signed-in page's processor time,
# and one kept open keeps its page cache (the indexes' upper pages) from one request to the next.
SQLITE_POOL = {"max_connections": 32, "stale_timeout": 300, "timeout": 10}
# how long after the last request SQLite's connections stay open for the next one
SQLITE_LINGER_SECONDS = 1.0


class Serving:
    """How many requests this process is serving, and since when it has served none.

    A request's SQLite connection goes back to the pool for the next request, and the pool is
    emptied once the process has served nothing for `SQLITE_LINGER_SECONDS`: under load every
    request finds a connection open, even when one client's requests follow one another, and
    soon after the server falls idle none is left open, so nothing holds the file while nobody
    is served (a backup, a remount or an outage finds it as when every request opened its own).
    One watcher thread per process does the emptying; it starts with the first request.
    """

    def __init__(self, linger: float = SQLITE_LINGER_SECONDS):
        self._count = 0
        self._idle_since: float | None = None
        self._linger = linger
        self._lock = threading.Lock()
        self._watcher: threading.Thread | None = None

    def enter(self) -> None:
        with self._lock:
            self._count += 1
            self._idle_since = None
            if self._watcher is None:
                self._watcher = threading.Thread(
                    target=self._empty_when_idle, name="sqlite-idle", daemon=True
                )
                self._watcher.start()

    def leave(self) -> None:
        with self._lock:
            self._count -= 1
            if self._count == 0:
                self._idle_since = time.monotonic()

    def _idle_long_enough(self) -> bool:
        with self._lock:
            return (
                self._idle_since is not None and time.monotonic() - self._idle_since >= self._linger
            )

    def _empty_when_idle(self) -> None:
        while True:
            time.sleep(self._linger / 4)
            if self._idle_long_enough():
                release_idle()


SERVED = "movements.db.served"
SERVING = Serving()  # one per process: the process has one database handle


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)  # pooled or not


def release_idle() -> None:
    """Close the SQLite connections the pool keeps: none is left open while nothing is served."""
    if isinstance(database.obj, PooledSqliteDatabase):
        database.close_idle()


def sqlite_folder() -> Path | None:
    """The folder of the SQLite file, whose disk app/outages.py asks when SQLite is vague."""
    return Path(database.obj.database).parent if is_sqlite() else None


def open_database(url: str):
    """A peewee database for `sqlite:///path` or `postgresql://user:pw@host:port/name`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # Every transaction takes the write lock at BEGIN, waiting for it up to busy_timeout.
        # A deferred BEGIN reads first and asks for the lock at its first write; in WAL mode
        # SQLite refuses that at once, without waiting, when another connection wrote since
        # the read began ("database is locked"), so two people writing together lost a write.
        return PooledSqliteDatabase(
            parsed.path,
            pragmas=SQLITE_PRAGMAS,
            check_same_thread=False,
            lock_type="IMMEDIATE",
            **SQLITE_POOL,
        )
    if parsed.scheme in ("postgres", "postgresql"):
        # URL parts are percent-encoded, so a password may hold "@", ":" or "/". peewee keeps
        # psycopg2 in autocommit mode: a failed statement outside atomic() leaves no aborted
        # transaction behind, and atomic() rolls its own transaction back on any error.
        # Pooled, because a new connection costs a server process and a password exchange:
        # the pool checks a connection is alive when lending it, and rolls back one returned
        # inside a transaction.
        return PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port or 5432,
            **POSTGRESQL_POOL,
        )
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r}")


def holds_nul() -> bool:
    """Whether the request's path, query or form holds a NUL character.

    PostgreSQL text cannot hold NUL and psycopg2 raises on it before sending the query, which
    would be a 500; no person types one, so it is refused on either database alike.
    """
    values = [request.path]
    for fields in (request.args, request.form):
        for listed in fields.listvalues():
            values.extend(listed)
    return any("\x00" in value for value in values)


def bind(url: str) -> None:
    database.initialize(open_database(url))


def init_app(app: Flask) -> None:
    """Lend each request a connection to the bound database (`bind`, at start-up)."""

    @app.before_request
    def _count_in():  # the first hook of every request, so each request counted leaves
        SERVING.enter()
        g.setdefault(SERVED, True)

    @app.before_request
    def _refuse_nul():
        if holds_nul():
            abort(400)

    # no connection is opened up front: peewee opens one at the first query, so a page served
    # from app/web/pagecache.py never pays for a connection and its pragmas

    @app.teardown_request
    def _close(_exc):
        if not database.is_closed():
            # atomic() ends its own transaction; one still open here was abandoned by an error,
            # and is rolled back, never committed nor carried into the next request
            while database.session_rollback():
                pass
            database.close()
        if g.pop(SERVED, False):
            SERVING.leave()
