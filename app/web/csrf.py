"""CSRF on every POST, and a second chance for a form whose token has expired.

A token expires with its session: after a restart (the signed-in key lived in memory), or when
the person signs in again in another tab. Such a form must not act, yet what was typed need
not be lost. A view marked `shows_form_again` acts only when its form validates, and a form
checks its own token whenever the request-wide check has not passed (flask-wtf does that
itself). So with an expired token such a view runs, its form fails on the token, and the page
shows the form again as it was sent, under a notice to send it again. Passwords are never
shown again: WTForms does not render a password field's value. Any other POST with a bad token
is refused with 400 before its view runs (app/errors.py).
"""

from flask import Flask, current_app, g, request
from flask_wtf.csrf import CSRFError, CSRFProtect

MARK = "shows_form_again"


def shows_form_again(view):
    """Mark a view whose POST changes nothing unless its form validates, token included."""
    setattr(view, MARK, True)
    return view


def check_csrf(apply_exemptions: bool = False) -> None:
    """The CSRF check of this request; for a marked view, an expired token is the form's to
    report, so the view runs and only `g.form_expired` tells the page to say so."""
    try:
        current_app.extensions["csrf"].protect(apply_exemptions=apply_exemptions)
    except CSRFError:
        if not getattr(current_app.view_functions.get(request.endpoint), MARK, False):
            raise
        g.form_expired = True


def init_app(app: Flask) -> None:
    CSRFProtect(app)
    # flask-wtf's own check raises for every view; this one gives marked views their chance
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False

    @app.before_request
    def _check_posts():
        check_csrf(apply_exemptions=True)
