"""An instance from before e-mail and stories gains their tables at its next start."""

from movements.app.core import db, schema
from movements.app.core.models import MAIL_TABLES, STORY_TABLES, User
from tests.support.accounts import make_user


def test_an_older_database_gains_the_mail_and_story_tables_and_keeps_its_users(app):
    person = make_user("older_user", "provider")
    new_tables = [*MAIL_TABLES, *STORY_TABLES]
    with db.database.connection_context():
        db.database.drop_tables(new_tables)
        assert not any(table.table_exists() for table in new_tables)
        assert schema.upgrade() == schema.current_version()
        assert all(table.table_exists() for table in new_tables)
        assert User.get_by_id(person.id).username == "older_user"
