from flask import Blueprint, g, render_template

from movements.app.requests.rules import requests_of
from movements.app.stories.rules import latest
from movements.app.trust.stars import STAR_TABLE


def make_blueprint() -> Blueprint:
    bp = Blueprint("main", __name__)

    @bp.get("/")
    def index():
        mine = requests_of(g.user) if g.user is not None and g.user.is_activist else []
        return render_template("index.html", my_requests=mine, stories=latest())

    @bp.get("/healthz")
    def healthz():
        return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}

    @bp.get("/trust")
    def trust():
        return render_template("trust.html", star_table=STAR_TABLE)

    return bp
