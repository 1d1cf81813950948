from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.core.visibility import get_visible
from movements.app.offers import rules
from movements.app.offers.forms import OfferForm
from movements.app.web import throttle
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
            throttle.check_offers_today(g.user)
            offered = through_rule(
                form.message, rules.make_offer, g.user, help_request, form.message.data
            )
            if offered is not REFUSED:
                flash(_("Your offer is sent. You will be told when it is answered."))
                return redirect(url_for("requests.show", public_id=public_id))
        status = 400 if form.errors else 200
        return render_template("offers/new.html", form=form, req=help_request), status

    # Each decision is confirmed on a page of its own (GET), whose one button sends it (POST).

    @bp.route("/offers/<public_id>/accept", methods=["GET", "POST"])
    @login_required
    def accept(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":
            match = rules.accept_offer(g.user, offer)
            flash(_("You accepted the offer. Talk here in private."))
            return redirect(url_for("matches.show", public_id=match.public_id))
        rules.ensure_may_decide(g.user, offer)
        return render_template("offers/accept.html", offer=offer)

    @bp.route("/offers/<public_id>/decline", methods=["GET", "POST"])
    @login_required
    def decline(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":
            rules.decline_offer(g.user, offer)
            flash(_("You declined the offer."))
            return redirect(url_for("requests.show", public_id=offer.request.public_id))
        rules.ensure_may_decide(g.user, offer)
        return render_template("offers/decline.html", offer=offer)

    @bp.route("/offers/<public_id>/withdraw", methods=["GET", "POST"])
    @login_required
    def withdraw(public_id):
        offer = rules.get_offer(public_id)
        if request.method == "POST":
            rules.withdraw_offer(g.user, offer)
            flash(_("Your offer is withdrawn."))
            return redirect(url_for("requests.show", public_id=offer.request.public_id))
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
            edited = through_rule(form.message, rules.edit_offer, g.user, offer, form.message.data)
            if edited is not REFUSED:
                flash(_("Your offer is saved."))
                return redirect(url_for("requests.show", public_id=offer.request.public_id))
        status = 400 if form.errors else 200
        return render_template("offers/edit.html", form=form, offer=offer), status

    return bp
