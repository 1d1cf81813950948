"""Creating the schema on an empty PostgreSQL database, and upgrading it again in place."""

import os

import peewee
import pytest
from playhouse.migrate import migrate

from movements.app.core import schema
from movements.app.core.db import bind, database
from movements.app.core.models import TABLES, HelpRequest, User
from movements.app.factory import create_app
from tests.support.accounts import post
from tests.support.realistic import location_id, signup
from tests.test_cli import movements

pytestmark = pytest.mark.postgres

REQUEST_FORM = {
    "title": "Press contacts for our report on prison conditions",
    "description": "We have a report on prison conditions and need journalists to cover it.",
    "skills": ["press"],
    "country": "IR",
    "languages": ["en"],
    "urgency": "normal",
    "visibility": "everyone",
    "min_stars": "0",
    "expires_in_days": "30",
}


@pytest.fixture
def empty_url(postgres_cluster, pg_empty_database) -> str:
    return postgres_cluster.url(pg_empty_database)


def open_site(url, instance):
    return create_app({"TESTING": True, "DATABASE_URL": url}, instance_path=instance)


def add_column(table: str, name: str):
    def step(migrator):
        migrate(migrator.add_column(table, name, peewee.TextField(null=True)))

    return step


def columns(table: str) -> set[str]:
    with database.connection_context():
        return {column.name for column in database.get_columns(table)}


def test_an_empty_database_gets_every_table_and_the_current_version(empty_url, instance):
    open_site(empty_url, instance)
    with database.connection_context():
        tables = set(database.get_tables())
        assert schema.stored_version() == schema.current_version()
    assert {model._meta.table_name for model in TABLES} | {"schema_version"} <= tables
    assert "help_request_text" not in tables  # SQLite's full-text index has no place here


def test_upgrading_again_in_place_keeps_everything(empty_url, instance):
    activist = open_site(empty_url, instance).test_client()
    signup(activist, "leila_tehran", "activist")
    help_request_id = location_id(post(activist, "/requests/new", REQUEST_FORM))

    again = open_site(empty_url, instance)
    with database.connection_context():
        assert schema.stored_version() == schema.current_version()
        assert User.select().count() == 1 and HelpRequest.select().count() == 1
    page = again.test_client().get(f"/requests/{help_request_id}")
    assert REQUEST_FORM["title"] in page.get_data(as_text=True)


def test_a_migration_step_changes_the_tables_in_place(pg_app, pg_url, instance, monkeypatch):
    version = schema.current_version()
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, add_column("notification", "x")])
    open_site(pg_url, instance)
    assert "x" in columns("notification")
    with database.connection_context():
        assert schema.stored_version() == version + 1


def test_a_failing_upgrade_changes_nothing(pg_app, pg_url, instance, monkeypatch):
    """PostgreSQL changes tables inside a transaction, so half an upgrade is never kept."""
    version = schema.current_version()
    broken = [add_column("notification", "x"), add_column("no_such_table", "y")]
    monkeypatch.setattr(schema, "MIGRATIONS", [*schema.MIGRATIONS, *broken])
    with pytest.raises(peewee.ProgrammingError):
        open_site(pg_url, instance)
    assert "x" not in columns("notification")
    with database.connection_context():
        assert schema.stored_version() == version


def test_a_table_missing_from_an_older_release_is_created(pg_app, pg_url, instance):
    with database.connection_context():
        database.execute_sql("DROP TABLE notification CASCADE")
    open_site(pg_url, instance)
    with database.connection_context():
        assert "notification" in database.get_tables()


def test_the_operator_command_creates_then_upgrades(empty_url, tmp_path):
    environment = {**os.environ, "MOVEMENTS_DATABASE_URL": empty_url}
    for _attempt in ("create", "upgrade"):
        done = movements("init-db", "--instance", str(tmp_path / "inst"), env=environment)
        assert done.returncode == 0, done.stderr
    bind(empty_url)
    with database.connection_context():
        assert set(database.get_tables()) >= {"schema_version", "help_request"}
