"""Which failures are outages (503, recovers by itself) and which are bugs (500, fix the code)."""

import errno

import peewee
import psycopg2
import pytest

from movements.app.core.outages import DISK_FULL, READ_ONLY, UNREACHABLE, outage_cause
from tests.support.serving import free_port


def _raised(database: peewee.SqliteDatabase, *statements: str) -> Exception:
    with pytest.raises(peewee.DatabaseError) as caught:
        for statement in statements:
            database.execute_sql(statement)
    return caught.value


@pytest.fixture
def sqlite(tmp_path):
    database = peewee.SqliteDatabase(str(tmp_path / "db.sqlite3"))
    database.execute_sql("CREATE TABLE note (body TEXT)")
    yield database
    database.close()


def test_a_database_that_cannot_grow_is_a_full_disk(sqlite):
    page_count = sqlite.execute_sql("PRAGMA page_count").fetchone()[0]
    error = _raised(
        sqlite,
        f"PRAGMA max_page_count = {page_count}",
        "INSERT INTO note VALUES (zeroblob(100000))",
    )
    assert outage_cause(error) == DISK_FULL


def test_a_read_only_database_is_a_read_only_folder(sqlite):
    error = _raised(sqlite, "PRAGMA query_only = 1", "INSERT INTO note VALUES ('x')")
    assert outage_cause(error) == READ_ONLY


@pytest.mark.parametrize(
    "statement",
    ["SELECT * FROM no_such_table", "SELEC 1", "INSERT INTO note VALUES (1, 2)"],
)
def test_mistakes_in_queries_are_bugs_not_outages(sqlite, statement):
    assert outage_cause(_raised(sqlite, statement)) is None


def test_a_locked_database_is_contention_not_an_outage(tmp_path, sqlite):
    other = peewee.SqliteDatabase(str(tmp_path / "db.sqlite3"), timeout=0)
    sqlite.execute_sql("BEGIN IMMEDIATE")
    try:
        error = _raised(other, "BEGIN IMMEDIATE")
    finally:
        sqlite.execute_sql("ROLLBACK")
        other.close()
    assert "locked" in str(error)
    assert outage_cause(error, tmp_path) is None


def test_a_refused_postgresql_connection_is_an_unreachable_database():
    with pytest.raises(psycopg2.OperationalError) as caught:
        psycopg2.connect(host="127.0.0.1", port=free_port(), dbname="x", connect_timeout=5)
    assert outage_cause(caught.value) == UNREACHABLE


@pytest.mark.parametrize(
    ("number", "cause"),
    [(errno.ENOSPC, DISK_FULL), (errno.EROFS, READ_ONLY), (errno.ENOENT, None)],
)
def test_system_errors_name_their_cause(number, cause):
    assert outage_cause(OSError(number, "as the system says it")) == cause


def test_an_error_raised_while_handling_an_outage_is_still_a_bug():
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError:
            raise KeyError("a bug in the handler")  # noqa: B904 -- the point of the test
    except KeyError as error:
        assert outage_cause(error) is None
