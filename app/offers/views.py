from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.core.visibility import get_visible
from movements.app.offers import rules
from movements.app.offers.forms import OfferForm
from movements.app.web import submissions, throttle
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, through_rule
from movements.app.web.sessions import login_required


def make_blueprint() -> Blueprint:
    bp = Blueprint("offers", __name__)

    @bp.route("/requests/<public_id>/offer", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def make(public_id):
        help_request = get_visible(g.user, public_id)
        form = OfferForm()
        if form.validate_on_submit():

            def offer() -> str:
                throttle.check_offers_today(g.user)
                rules.make_offer(g.user, help_request, form.message.data)
                return url_for("requests.show", public_id=public_id)

            shown = through_rule(form.message, submissions.once, g.user, offer)
            if shown is not REFUSED:
                flash(_("Your offer is sent. You will be told when it is answered."))
                return redirect(shown)
        status = 400 if form.errors else 200
        return render_template("offers/new.html", form=form, help_request=help_request), status

    # Each decision is confirmed on a page of its own (GET), whose one button sends it (POST).

    @bp.route("/offers/<public_id>/accept", methods=["GET", "POST"])
    @login_required
    def accept(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":

            def accept_it() -> str:
                match = rules.accept_offer(g.user, offer)
                return url_for("matches.show", public_id=match.public_id)

            shown = submissions.once(g.user, accept_it)
            flash(_("You accepted the offer. Talk here in private."))
            return redirect(shown)
        rules.ensure_may_decide(g.user, offer)
        return render_template("offers/accept.html", offer=offer)

    @bp.route("/offers/<public_id>/decline", methods=["GET", "POST"])
    @login_required
    def decline(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":

            def decline_it() -> str:
                rules.decline_offer(g.user, offer)
                return url_for("requests.show", public_id=offer.help_request.public_id)

            shown = submissions.once(g.user, decline_it)
            flash(_("You declined the offer."))
            return redirect(shown)
        rules.ensure_may_decide(g.user, offer)
        return render_template("offers/decline.html", offer=offer)

    @bp.route("/offers/<public_id>/withdraw", methods=["GET", "POST"])
    @login_required
    def withdraw(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":

            def withdraw_it() -> str:
                rules.withdraw_offer(g.user, offer)
                return url_for("requests.show", public_id=offer.help_request.public_id)

            shown = submissions.once(g.user, withdraw_it)
            flash(_("Your offer is withdrawn."))
            return redirect(shown)
        rules.ensure_may_change(g.user, offer)
        return render_template("offers/withdraw.html", offer=offer)

    @bp.route("/offers/<public_id>/edit", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def edit(public_id):
        offer = rules.get_offer(public_id)
        rules.ensure_may_change(g.user, offer)
        form = OfferForm(data={"message": offer.message})
        if form.validate_on_submit():

            def edit_it() -> str:
                rules.edit_offer(g.user, offer, form.message.data)
                return url_for("requests.show", public_id=offer.help_request.public_id)

            shown = through_rule(form.message, submissions.once, g.user, edit_it)
            if shown is not REFUSED:
                flash(_("Your offer is saved."))
                return redirect(shown)
        status = 400 if form.errors else 200
        return render_template("offers/edit.html", form=form, offer=offer), status

    return bp
