"""One app per test worker, and a fresh instance with an empty database for every test.

Building the app costs more than most tests: Werkzeug compiles each URL rule into Python, Jinja
compiles each template the first time a page uses it, and the schema is created table by
table. None of that depends on the instance. So each worker builds the app once, and each test
gets only what does: its own instance folder (secret key, keyring) and its own SQLite file, a
copy of one the schema was created in once by the same `create_app`, with no rows of anyone.

A test that needs settings read as the app is built (its languages, its catalogs) builds a
WorkerApp of its own with them, once for its module.
"""

import shutil
from pathlib import Path

from flask import Flask
from werkzeug.utils import cached_property

from movements.app.core import db
from movements.app.core.config import DATABASE_FILE, prepare_instance
from movements.app.factory import create_app, use_instance

TEST_CONFIG = {"TESTING": True}


class WorkerApp:
    """An app built once, pointed at each test's fresh instance in turn."""

    def __init__(self, folder: Path, config: dict | None = None):
        template = folder / "instance"
        self.built_with = {**TEST_CONFIG, **(config or {})}
        self.app = create_app(self.built_with, instance_path=template)
        # what create_app configured, restored for each test whatever the last one changed
        self.config = dict(self.app.config)
        # and what it set on the app itself
        self.attributes = dict(vars(self.app))
        self.database = template / DATABASE_FILE
        db.database.close_all()
        leftovers = [
            path.name for path in template.iterdir() if path.name.endswith(("-wal", "-shm"))
        ]
        # the schema must all be in the file itself, since only the file is copied
        assert not leftovers, f"the template database is still open: {leftovers}"

    def fresh(self, instance: Path, settings: dict | None = None) -> Flask:
        """The app on `instance`, as create_app would make it with `settings` added.

        `settings` may hold only what is read per request or bound by use_instance (mail,
        faces, limits, the page cache's age), never what building the app reads.
        """
        prepare_instance(instance)
        shutil.copyfile(self.database, instance / DATABASE_FILE)
        self._put_back_attributes()
        self.app.config.clear()
        self.app.config.update(self.config)
        self.app.extensions["page_cache"].clear()
        use_instance(self.app, instance, {**self.built_with, **(settings or {})})
        return self.app

    def _put_back_attributes(self) -> None:
        """Undo what a test set on the app itself (a wrapped wsgi_app, say).

        Only Flask's own cached properties (the template loader) may stay, as they would have.
        """
        app_class = type(self.app)
        for name in set(vars(self.app)) - set(self.attributes):
            if not isinstance(getattr(app_class, name, None), cached_property):
                delattr(self.app, name)
        for name, value in self.attributes.items():
            if vars(self.app).get(name) is not value:
                setattr(self.app, name, value)
