"""An instance from before the tables of skills and languages is upgraded in place.

Its requests' ",a,b," strings become rows, the strings go, and on SQLite the full-text index is
rebuilt with each searchable request's facets, so every filter finds what it found before.
"""

import pytest
from peewee import CharField, Table
from playhouse.migrate import SchemaMigrator, migrate

from movements.app.core import db, schema
from movements.app.core.models import (
    HelpRequest,
    HelpRequestLanguage,
    HelpRequestSkill,
    RequestText,
)
from movements.app.requests import rules
from tests.support.accounts import make_user, request_fields

OLD_INDEX = (
    "CREATE VIRTUAL TABLE help_request_text USING fts5(title, description, "
    "tokenize='unicode61 remove_diacritics 2')"
)


def _as_before(requests) -> None:
    """The database as the version before this one left it: packed codes, no tables."""
    packed = {
        help_request.id: (
            "," + ",".join(rules.skills_of(help_request)) + ",",
            "," + ",".join(rules.languages_of(help_request)) + ",",
        )
        for help_request in requests
    }
    migrator = SchemaMigrator.from_database(db.database.obj)
    migrate(
        migrator.add_column("help_request", "skills", CharField(null=True)),
        migrator.add_column("help_request", "languages", CharField(null=True)),
    )
    old = Table("help_request", ("id", "skills", "languages")).bind(db.database)
    for row_id, (skills, languages) in packed.items():
        old.update({old.skills: skills, old.languages: languages}).where(old.id == row_id).execute()
    db.database.drop_tables([HelpRequestSkill, HelpRequestLanguage])
    if db.is_sqlite():
        RequestText.drop_table()
        db.database.execute_sql(OLD_INDEX)
        for help_request in requests:
            if help_request.status == "open":
                db.database.execute_sql(
                    "INSERT INTO help_request_text (rowid, title, description) VALUES (?, ?, ?)",
                    (help_request.id, help_request.title, help_request.description),
                )
    schema.SchemaVersion.update(version=schema.current_version() - 1).execute()


def found(**filters) -> list[str]:
    results, _more = rules.browse(None, rules.Filters(**filters), 20)
    return [row.title for row in results]


def test_an_older_database_moves_its_codes_to_tables_and_finds_the_same(app):
    activist = make_user("leila", "activist")
    asylum_fields = {"skills": ["asylum", "legal"], "languages": ["fa"]}
    asylum = rules.create_request(
        activist, request_fields(title="Asylum papers in Berlin", **asylum_fields)
    )
    press_fields = {"skills": ["press"], "languages": ["ar", "en"]}
    press = rules.create_request(
        activist, request_fields(title="Press for a detained union", **press_fields)
    )
    gone = rules.create_request(activist, request_fields(title="Withdrawn before the upgrade"))
    rules.withdraw_request(activist, gone)
    with db.database.connection_context():
        _as_before([asylum, press, gone])
        assert "skills" in {column.name for column in db.database.get_columns("help_request")}
        assert schema.upgrade() == schema.current_version()
        columns = {column.name for column in db.database.get_columns("help_request")}
        assert "skills" not in columns and "languages" not in columns
    assert rules.skills_of(asylum) == ["asylum", "legal"]
    assert rules.languages_of(press) == ["ar", "en"]
    assert rules.skills_of(gone) == ["legal", "press"]  # kept, though no longer listed
    assert found(skill="legal") == ["Asylum papers in Berlin"]
    assert found(language="en") == ["Press for a detained union"]
    assert found(skill="press", q="union") == ["Press for a detained union"]
    assert found(q="withdrawn") == []


def test_an_sqlite_too_old_to_drop_columns_in_place_is_refused_and_nothing_changes(
    app, monkeypatch
):
    if not db.is_sqlite():
        pytest.skip("PostgreSQL drops a column in place")
    activist = make_user("leila", "activist")
    kept = rules.create_request(activist, request_fields(title="Kept through a refused upgrade"))
    with db.database.connection_context():
        _as_before([kept])
        monkeypatch.setattr(db.database.obj, "server_version", (3, 34, 1))
        with pytest.raises(RuntimeError, match=r"SQLite 3\.35"):
            schema.upgrade()
        assert schema.stored_version() == schema.current_version() - 1
        assert "skills" in {column.name for column in db.database.get_columns("help_request")}
        assert HelpRequest.select().count() == 1
