from flask import Blueprint, abort, render_template

from ..accounts.rules import find_user
from ..matches.rules import community_rating, completed_matches_count, recent_comments
from ..taxonomy import unpack


def make_blueprint() -> Blueprint:
    bp = Blueprint("profiles", __name__)

    @bp.get("/users/<name>")
    def show(name):
        if len(name) > 64:
            abort(404)
        user = find_user(name)
        if user is None or user.is_staff:  # who moderates is nobody's business outside staff
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
