from flask import Blueprint, abort, render_template

from movements.app.core.errors import NotFound
from movements.app.core.members import find_member
from movements.app.core.taxonomy import unpack
from movements.app.matches.rules import community_rating, completed_matches_count, recent_comments


def make_blueprint() -> Blueprint:
    bp = Blueprint("profiles", __name__)

    @bp.get("/users/<name>")
    def show(name):
        try:
            user = find_member(name)
        except NotFound:
            abort(404)
        return render_template(
            "profile.html",
            person=user,
            skills=unpack(user.skills),
            languages=unpack(user.languages),
            rating=community_rating(user),
            comments=recent_comments(user),
            completed=completed_matches_count(user),
        )

    return bp
