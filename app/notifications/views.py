from flask import Blueprint, g, redirect, render_template, url_for

from movements.app.notifications import rules
from movements.app.web.sessions import login_required


def make_blueprint() -> Blueprint:
    bp = Blueprint("notifications", __name__)

    @bp.get("/notifications")
    @login_required
    def index():
        items = [(n, rules.text_of(n)) for n in rules.recent_for(g.user)]
        return render_template("notifications.html", items=items)

    @bp.post("/notifications/read")
    @login_required
    def mark_read():
        rules.mark_all_read(g.user)
        return redirect(url_for("notifications.index"))

    return bp
