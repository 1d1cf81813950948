from flask import Blueprint, g, render_template

from movements.app.notifications import rules
from movements.app.web.sessions import login_required


def make_blueprint() -> Blueprint:
    bp = Blueprint("notifications", __name__)

    @bp.get("/notifications")
    @login_required
    def index():
        """Opening the list is reading it: what it shows is marked read as it is shown, and
        the page still sets apart what was new until now."""
        shown = rules.recent_for(g.user)
        items = [(n, rules.text_of(n)) for n in shown]
        rules.mark_read(g.user, shown)
        return render_template("notifications.html", items=items)

    return bp
