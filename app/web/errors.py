"""Every error is a small page in the visitor's language, never a stack trace."""

from flask import Flask, g, render_template
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf.csrf import CSRFError
from peewee import OperationalError
from werkzeug.exceptions import HTTPException

from movements.app.core import db
from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.outages import RETRY_AFTER_SECONDS, describe, outage_cause
from movements.app.keys.argon2_pool import Busy
from movements.app.web.throttle import Throttled

TITLES = {
    400: _l("That did not work"),
    403: _l("Not allowed"),
    404: _l("Not found"),
    405: _l("Not allowed here"),
    409: _l("That cannot be done now"),
    413: _l("Too much text"),
    429: _l("Too many tries"),
    500: _l("Something went wrong on our side"),
    503: _l("Busy"),
}

EXPLANATIONS = {
    400: _l("The form was incomplete or out of date. Go back, reload the page and try again."),
    404: _l("There is nothing here, or it is not for you."),
    405: _l("This address does not take that kind of request."),
    413: _l("What you sent is larger than this site accepts. Please shorten it."),
    500: _l("Nothing you did caused this. Please try again later."),
}


def error_page(status: int, message=None, title=None):
    title = title or TITLES.get(status, TITLES[400])
    text = message or EXPLANATIONS.get(status, "")
    return render_template("error.html", title=title, text=text, status=status), status


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return error_page(400, _l("This form has expired. Go back, reload the page and try again."))

    @app.errorhandler(NotFound)
    def _not_found(_error):
        return error_page(404)

    @app.errorhandler(RuleViolation)
    def _refused(error):
        return error_page(409, error.message)

    @app.errorhandler(Throttled)
    def _throttled(error):
        minutes = max(1, -(-error.retry_after // 60))
        text = ngettext(
            "%(reason)s Please try again in %(num)d minute.",
            "%(reason)s Please try again in %(num)d minutes.",
            minutes,
            reason=error.message,
        )
        body, status = error_page(429, text)
        return body, status, {"Retry-After": str(error.retry_after)}

    @app.errorhandler(Busy)
    def _busy(_error):
        body, status = error_page(503, _l("The site is very busy. Please try again in a moment."))
        return body, status, {"Retry-After": "5"}

    @app.errorhandler(OperationalError)
    def _database_busy(error):
        # SQLite waited busy_timeout (app/db.py) for its write lock and gave up: nothing was
        # written, so the visitor is asked to try again, as when the argon2 pool is full
        if "database is locked" in str(error):
            return _busy(error)
        return _unexpected(error)

    @app.errorhandler(HTTPException)
    def _http(error):
        return error_page(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error):
        cause = outage_cause(error, db.sqlite_folder())
        if cause is not None:
            return _unavailable(cause, error)
        if app.testing:
            raise error
        app.logger.error("unhandled %s", type(error).__name__)
        return error_page(500)

    def _unavailable(cause: str, error: Exception):
        """A full disk, a read-only folder or a database away: 503, and the cause in one line."""
        app.logger.error("site unavailable, %s: %s", cause, describe(error))
        g.user = None  # the page is drawn without the database: no account menu to fill
        body, status = error_page(
            503,
            _l("The site is briefly unavailable. Please try again in a few minutes."),
            title=_l("Briefly unavailable"),
        )
        return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
