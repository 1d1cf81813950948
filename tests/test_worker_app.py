"""Each test gets what a fresh create_app gave it, though the worker builds its app only once.

tests/support/apps.py hands every test the worker's app on a fresh instance: these check that
the instance's database is the one create_app makes, and that nothing a test changed reaches
the next one.
"""

import sqlite3
from pathlib import Path

from movements.app.core.config import DATABASE_FILE
from movements.app.core.models import User
from movements.app.factory import create_app
from movements.app.keys import vault
from movements.crypto import Keyring
from tests.support.accounts import make_user
from tests.support.apps import TEST_CONFIG, WorkerApp


def out_of_order(_environ, start_response):
    """A wsgi_app a test might put in place of the app's own."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"out of order"]


def schema_and_rows(instance: Path) -> tuple[list, dict]:
    with sqlite3.connect(instance / DATABASE_FILE) as database:
        schema = database.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        ).fetchall()
        tables = [name for kind, name, _table, _sql in schema if kind == "table"]
        rows = {}
        for table in tables:  # names read from sqlite_master itself
            count = f'SELECT count(*) FROM "{table}"'  # noqa: S608
            rows[table] = database.execute(count).fetchone()[0]
    database.close()
    return schema, rows


def test_a_fresh_instance_holds_the_database_create_app_makes_with_no_one_in_it(tmp_path):
    WorkerApp(tmp_path / "worker").fresh(tmp_path / "copied")
    create_app(TEST_CONFIG, instance_path=tmp_path / "created")
    copied_schema, copied_rows = schema_and_rows(tmp_path / "copied")
    created_schema, created_rows = schema_and_rows(tmp_path / "created")
    assert copied_schema == created_schema
    assert copied_rows == created_rows
    assert copied_rows["user"] == 0 and copied_rows["schema_version"] == 1


def test_nothing_a_test_changed_reaches_the_next(tmp_path):
    worker = WorkerApp(tmp_path / "worker")
    first = worker.fresh(tmp_path / "first")
    first_key = first.config["SECRET_KEY"]
    make_user("leila", "activist")
    first.config["SIGNUPS_PER_MINUTE"] = 1
    first.wsgi_app = out_of_order
    first.extensions["page_cache"].put(("kept",), b"a page")
    assert first.test_client().get("/requests").status_code == 503

    second = worker.fresh(tmp_path / "second")
    assert second is first  # built once
    assert second.test_client().get("/requests").status_code == 200
    assert User.select().count() == 0
    assert second.config["SIGNUPS_PER_MINUTE"] == worker.config["SIGNUPS_PER_MINUTE"] != 1
    assert len(second.extensions["page_cache"]) == 0
    assert second.config["SECRET_KEY"] != first_key
    assert second.instance_path == str(tmp_path / "second")
    sealed = vault.encrypt(b"a note", b"test")  # under the second instance's keyring
    keyring = Keyring.open(tmp_path / "second" / vault.KEYRING_DIR, create=False)
    assert keyring.decrypt(sealed, b"test") == b"a note"
