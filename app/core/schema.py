"""Creating the schema on first run and upgrading an existing instance in place.

Each entry of MIGRATIONS upgrades the schema by one version with `playhouse.migrate`;
a fresh database gets the current tables directly and is stamped with the last version.
"""

from collections.abc import Callable

from peewee import IntegerField, Model, Table
from playhouse.migrate import SchemaMigrator, migrate

from movements.app.core import facets, names
from movements.app.core.db import database, is_sqlite
from movements.app.core.models import (
    ALERT_TABLES,
    TABLES,
    HelpRequestLanguage,
    HelpRequestSkill,
    LoginSession,
    RequestText,
    User,
    create_search_index,
)


class SchemaVersion(Model):
    version = IntegerField()

    class Meta:
        database = database
        table_name = "schema_version"


Migration = Callable[[SchemaMigrator], None]


def recompute_username_skeletons(_migrator: SchemaMigrator) -> None:
    """Store every username's skeleton as app/core/names.py computes it now (marks folded).

    Two accounts from before may now share a skeleton ("paypal" and "ṕaypal"). The older keeps
    it; the newer keeps one of its own, marked with its id ("#" is in no skeleton), so the
    upgrade never fails and no new look-alike of either can sign up.
    """
    rows = User.select(User.id, User.username, User.username_skeleton).order_by(User.id)
    stored = {user_id: (name, old) for user_id, name, old in rows.tuples()}
    wanted, taken = {}, set()
    for user_id, (name, _old) in stored.items():
        skeleton = names.skeleton(name)
        wanted[user_id] = f"{skeleton}#{user_id}" if skeleton in taken else skeleton
        taken.add(skeleton)
    changed = {user_id: new for user_id, new in wanted.items() if new != stored[user_id][1]}
    # first out of the way, then into place: no row may take a skeleton another still holds
    for user_id in changed:
        User.update(username_skeleton=f"#{user_id}").where(User.id == user_id).execute()
    for user_id, new in changed.items():
        User.update(username_skeleton=new).where(User.id == user_id).execute()


def _add_column(migrator: SchemaMigrator, model, name: str) -> None:
    """Add a model's new column; a database stamped with an older version may have it already."""
    table = model._meta.table_name
    if name not in {column.name for column in migrator.database.get_columns(table)}:
        migrate(migrator.add_column(table, name, model._meta.fields[name]))


def add_user_language(migrator: SchemaMigrator) -> None:
    """Version 3: the language a signed-in user chose, so it follows them to a new browser."""
    _add_column(migrator, User, "language")


def add_session_sealed_key(migrator: SchemaMigrator) -> None:
    """Version 4: each session's copy of the user's key, sealed under its cookie's token.

    Sessions from before hold none: their users sign in again once, as after a restart used to.
    """
    _add_column(migrator, LoginSession, "sealed_key")


def add_alerts_and_feeds(_migrator: SchemaMigrator) -> None:
    """Version 5: saved alerts, what they matched, and private feed tokens (new tables only)."""
    database.create_tables(ALERT_TABLES, safe=True)


COPIED_PER_STATEMENT = 1000
DROPS_COLUMNS_IN_PLACE = (3, 35, 0)


def _codes(packed: str) -> list[str]:
    return sorted({code for code in packed.split(",") if code})


def file_requests_under_tables(migrator: SchemaMigrator) -> None:
    """Version 6: requests' skills and languages move from ",a,b," strings to indexed tables,
    and SQLite's full-text index of requests is rebuilt with their facets (app/core/facets.py).

    Every request keeps its codes; the index again holds exactly the searchable requests.
    """
    database.create_tables([HelpRequestSkill, HelpRequestLanguage], safe=True)
    packed = {"skills", "languages"}
    if not packed <= {column.name for column in database.get_columns("help_request")}:
        return  # a database stamped with an older version may have been made as it is now
    if is_sqlite() and database.obj.server_version < DROPS_COLUMNS_IN_PLACE:
        # an older SQLite rebuilds the table to drop a column, and dropping the old table
        # inside this transaction would delete every offer and match of every request with it
        raise RuntimeError(
            "this upgrade needs SQLite 3.35 or later (Debian 12 has 3.40); nothing was changed"
        )
    read = ("id", "title", "description", "skills", "languages", "country", "urgency", "status")
    old = Table("help_request", read).bind(database)
    if is_sqlite():
        RequestText.drop_table(safe=True)
        RequestText.create_table()
    unsearchable = ("withdrawn", "expired", "removed")
    last = 0
    while True:
        batch = list(
            old.select(*(getattr(old, name) for name in read))
            .where(old.id > last)
            .order_by(old.id)
            .limit(COPIED_PER_STATEMENT)
            .tuples()
        )
        if not batch:
            break
        last = batch[-1][0]
        skills = [(row[0], code) for row in batch for code in _codes(row[3])]
        languages = [(row[0], code) for row in batch for code in _codes(row[4])]
        for table, rows in ((HelpRequestSkill, skills), (HelpRequestLanguage, languages)):
            if rows:
                table.insert_many(rows, fields=[table.help_request, table.code]).execute()
        searchable = [
            (row_id, title, description, facets.words(_codes(sk), _codes(la), country, urgency))
            for row_id, title, description, sk, la, country, urgency, status in batch
            if status not in unsearchable
        ]
        if is_sqlite() and searchable:
            columns = [RequestText.rowid, RequestText.title, RequestText.description]
            RequestText.insert_many(searchable, fields=[*columns, RequestText.facets]).execute()
    migrate(
        migrator.drop_column("help_request", "skills"),
        migrator.drop_column("help_request", "languages"),
    )


# Append only: MIGRATIONS[n] takes a database from version n+1 to n+2.
MIGRATIONS: list[Migration] = [
    recompute_username_skeletons,
    add_user_language,
    add_session_sealed_key,
    add_alerts_and_feeds,
    file_requests_under_tables,
]


def current_version() -> int:
    return len(MIGRATIONS) + 1


def stored_version() -> int | None:
    if not SchemaVersion.table_exists():
        return None
    row = SchemaVersion.select().first()
    return row.version if row else None


def upgrade() -> int:
    """Bring the bound database to the current schema; returns the version it is at."""
    with database.atomic():
        version = stored_version()
        if version is None:
            database.create_tables([SchemaVersion, *TABLES])
            if is_sqlite():
                RequestText.create_table()
                create_search_index()
            SchemaVersion.create(version=current_version())
            return current_version()
        migrator = SchemaMigrator.from_database(database.obj)
        for step in MIGRATIONS[version - 1 :]:
            step(migrator)
            version += 1
        SchemaVersion.update(version=version).execute()
        # a table that is new in this release is simply created; columns go through MIGRATIONS
        database.create_tables(TABLES, safe=True)
        if is_sqlite():
            RequestText.create_table(safe=True)
            create_search_index()
        return version
