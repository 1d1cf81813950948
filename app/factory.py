"""Movements Onion: the Flask application factory."""

from pathlib import Path

from flask import Flask, g, request

from movements.app.accounts import views as accounts
from movements.app.alerts import views as alerts
from movements.app.core import db, eligibility
from movements.app.core.config import default_instance_path, load_config
from movements.app.core.schema import upgrade
from movements.app.directory import views as directory
from movements.app.feeds import views as feeds
from movements.app.keys import vault
from movements.app.language import views as language
from movements.app.mail import settings as mail_settings
from movements.app.mail import views as mail
from movements.app.main import views as main
from movements.app.matches import views as matches
from movements.app.notifications import rules as notification_rules
from movements.app.notifications import views as notifications
from movements.app.offers import views as offers
from movements.app.profiles import views as profiles
from movements.app.reports import views as reports
from movements.app.requests import views as help_requests
from movements.app.staff import views as staff
from movements.app.stories import views as stories
from movements.app.trust import views as trust
from movements.app.web import (
    csrf,
    errors,
    faces,
    i18n,
    ids,
    logs,
    pagecache,
    security,
    templating,
)
from movements.app.web.sessions import load_current_user

PACKAGE_ROOT = Path(__file__).resolve().parent
TEMPLATES = PACKAGE_ROOT.parent / "templates"


def use_instance(app: Flask, instance: Path, config: dict | None = None) -> None:
    """Point the app, and this process's handles, at one instance folder and its configuration.

    The database, the keyring, the mail settings and the eligible statuses are bound once per
    process, like peewee's database handle, so rules work with or without a request. Building
    the rest of the app (its routes, hooks and templates) reads nothing of the instance: the
    tests build one app per worker and call this again to give each test a fresh instance.
    """
    app.instance_path = str(instance)
    app.config.update(load_config(instance, config))
    db.bind(app.config["DATABASE_URL"])
    vault.init_app(app)
    mail_settings.init_app(app)
    eligibility.init_app(app)


def create_app(config: dict | None = None, instance_path: Path | None = None) -> Flask:
    instance = Path(instance_path) if instance_path else default_instance_path()
    app = Flask(__name__, template_folder=str(TEMPLATES), static_folder="static")
    use_instance(app, instance, config)
    logs.install_redaction()
    db.init_app(app)
    i18n.init_app(app)
    templating.init_app(app)
    security.init_app(app)
    faces.init_app(app)
    ids.init_app(app)
    errors.init_app(app)
    csrf.init_app(app)
    with db.database.connection_context():
        upgrade()
    db.release_idle()  # nothing is kept open before the first request

    @app.before_request
    def _who():
        # reading the session would add `Vary: Cookie` and defeat the stylesheet's cache
        if request.endpoint != "static":
            load_current_user()

    pagecache.init_app(app)

    @app.context_processor
    def _chrome():
        unread = notification_rules.unread_count(g.user) if g.get("user") else 0
        return {"current_user": g.get("user"), "unread_notifications": unread}

    areas = (main, accounts, help_requests, offers, matches, profiles, notifications, directory)
    areas += (staff, trust, reports, eligibility, language, alerts, feeds, mail, stories)
    for area in areas:
        app.register_blueprint(area.make_blueprint())
    return app
