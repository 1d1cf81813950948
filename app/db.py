"""The one database handle, bound at start-up, with a connection per request."""

from urllib.parse import unquote, urlparse

from flask import Flask
from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    # deleted rows are overwritten, so a deleted account is gone from the file's bytes
    "secure_delete": 1,
    "synchronous": 1,
    "busy_timeout": 5000,
    "cache_size": -16 * 1024,
}


def is_sqlite() -> bool:
    return isinstance(database.obj, SqliteDatabase)


def open_database(url: str):
    """A peewee database for `sqlite:///path` or `postgresql://user:pw@host:port/name`."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return SqliteDatabase(parsed.path, pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    if parsed.scheme in ("postgres", "postgresql"):
        # URL parts are percent-encoded, so a password may hold "@", ":" or "/". peewee keeps
        # psycopg2 in autocommit mode: a failed statement outside atomic() leaves no aborted
        # transaction behind, and atomic() rolls its own transaction back on any error.
        return PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname,
            port=parsed.port or 5432,
        )
    raise ValueError(f"unsupported database URL scheme {parsed.scheme!r}")


def bind(url: str) -> None:
    database.initialize(open_database(url))


def init_app(app: Flask) -> None:
    bind(app.config["DATABASE_URL"])

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(_exc):
        if database.is_closed():
            return
        # atomic() ends its own transaction; one still open here was abandoned by an error,
        # and is rolled back, never committed nor carried into the next request on this thread
        while database.session_rollback():
            pass
        database.close()
