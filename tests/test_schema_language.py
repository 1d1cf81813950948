"""An instance from before language choice gains the column in place, keeping its users."""

from playhouse.migrate import SchemaMigrator, migrate

from movements.app.core import db, schema
from movements.app.core.models import User
from tests.support.accounts import make_user


def test_an_older_database_gains_the_language_column_and_keeps_its_users(app):
    person = make_user("older_user", "provider")
    with db.database.connection_context():
        migrate(SchemaMigrator.from_database(db.database.obj).drop_column("user", "language"))
        schema.SchemaVersion.update(version=1).execute()
        assert "language" not in {c.name for c in db.database.get_columns("user")}
        assert schema.upgrade() == schema.current_version()
        assert User.get_by_id(person.id).language == ""
        User.update(language="fa").where(User.id == person.id).execute()
        assert User.get_by_id(person.id).language == "fa"
