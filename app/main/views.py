from flask import Blueprint, g, render_template

from movements.app.main.waiting import waiting_for
from movements.app.requests.rules import Filters, browse, requests_of
from movements.app.stories.rules import latest as latest_stories
from movements.app.trust.stars import STAR_TABLE

LATEST = 5  # open requests everyone may see, on the front page


def make_blueprint() -> Blueprint:
    bp = Blueprint("main", __name__)

    @bp.get("/")
    def index():
        mine = requests_of(g.user) if g.user is not None and g.user.is_activist else []
        # what anyone may see, whoever asks: the same rule as /requests for a signed-out visitor
        latest = browse(None, Filters(), LATEST)[0] if g.user is None else []
        # a signed-in user sees first what waits for an answer from them
        waiting = waiting_for(g.user) if g.user is not None else None
        return render_template(
            "index.html",
            my_requests=mine,
            latest=latest,
            stories=latest_stories(),
            waiting=waiting,
        )

    @bp.get("/healthz")
    def healthz():
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @bp.get("/safety")
    def safety():
        return render_template("safety.html")

    @bp.get("/trust")
    def trust():
        return render_template("trust.html", star_table=STAR_TABLE)

    return bp
