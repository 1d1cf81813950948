from flask import Blueprint, abort, g, render_template

from movements.app.blocks.rules import has_blocked
from movements.app.core.errors import NotFound
from movements.app.core.members import find_member
from movements.app.core.taxonomy import unpack
from movements.app.directory.invitations import may_invite
from movements.app.directory.rules import profile_listing
from movements.app.matches.rules import community_rating, completed_matches_count, recent_comments
from movements.app.trust.stars import star_basis
from movements.app.trust.vouches import active_vouch, may_vouch


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
            basis=star_basis(user),
            blocked=has_blocked(g.user, user),
            vouching=active_vouch(g.user, user),
            may_vouch=may_vouch(g.user, user),
            listing=profile_listing(user),
            invitable=may_invite(g.user, user),
        )

    return bp
