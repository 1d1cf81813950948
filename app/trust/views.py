"""Users' side of trust: vouching for someone, and linking a public profile for staff."""

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from movements.app.core.errors import NotFound
from movements.app.core.members import find_member
from movements.app.trust import profiles, vouches
from movements.app.trust.forms import ActionForm, PublicProfileForm
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, through_rule
from movements.app.web.sessions import login_required


def _person(name: str):
    try:
        return find_member(name)
    except NotFound:
        abort(404)


def make_blueprint() -> Blueprint:
    bp = Blueprint("trust", __name__)

    @bp.route("/users/<name>/vouch", methods=["GET", "POST"])
    @login_required
    def vouch(name):
        person, form = _person(name), ActionForm()
        if form.validate_on_submit():
            vouches.vouch(g.user, person)
            flash(_("You vouch for %(name)s.", name=person.username))
            return redirect(url_for("profiles.show", name=person.username))
        return render_template(
            "trust/vouch.html",
            person=person,
            form=form,
            allowance=vouches.VOUCHES_PER_MONTH,
            used=vouches.vouches_this_month(g.user),
            may=vouches.may_vouch(g.user, person),
        )

    @bp.route("/users/<name>/vouch/withdraw", methods=["GET", "POST"])
    @login_required
    def withdraw(name):
        person, form = _person(name), ActionForm()
        if vouches.active_vouch(g.user, person) is None:
            abort(404)
        if form.validate_on_submit():
            vouches.withdraw(g.user, person)
            flash(_("You no longer vouch for %(name)s.", name=person.username))
            return redirect(url_for("profiles.show", name=person.username))
        return render_template("trust/withdraw.html", person=person, form=form)

    @bp.route("/account/public-profile", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def public_profile():
        if g.user.is_staff:
            abort(404)
        form = PublicProfileForm(data={"link": profiles.link_of(g.user) or ""})
        if form.validate_on_submit():
            saved = through_rule(form.link, profiles.set_link, g.user, form.link.data or "")
            if saved is not REFUSED:
                flash(_("Your public profile link is saved."))
                return redirect(url_for("trust.public_profile"))
        status = 400 if form.errors else 200
        return render_template("trust/public_profile.html", form=form), status

    return bp
