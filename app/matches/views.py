from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.keys import contacts
from movements.app.matches import rules
from movements.app.matches.forms import CancelForm, MessageForm, RatingForm, RevealForm
from movements.app.web import submissions, throttle
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, options, through_rule
from movements.app.web.sessions import login_required


def reveal_form(user, match, **kwargs) -> RevealForm:
    form = RevealForm(data={"contacts": sorted(contacts.revealed_ids(match, user))}, **kwargs)
    own = contacts.contacts_of(user, g.user_key)
    form.contacts.choices = options({c.id: c.label for c in own})
    return form


def match_page(match, **forms):
    user = g.user
    counterpart = match.other_party(user)
    page = {
        "message_form": MessageForm(formdata=None),
        "reveal_form": reveal_form(user, match, formdata=None),
        "rating_form": RatingForm(formdata=None),
        **forms,
    }
    return render_template(
        "matches/show.html",
        match=match,
        counterpart=counterpart,
        messages=rules.messages_of(user, match, g.user_key),
        their_contacts=contacts.revealed_to_counterpart(match, counterpart, g.user_key),
        i_marked_done=match.activist_done if user.id == match.activist_id else match.provider_done,
        may_rate=rules.may_rate(user, match),
        **page,
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("matches", __name__)

    @bp.get("/matches")
    @login_required
    def index():
        return render_template("matches/index.html", matches=rules.matches_of(g.user))

    @bp.get("/matches/<public_id>")
    @login_required
    def show(public_id):
        return match_page(rules.get_match_for(g.user, public_id))

    @bp.post("/matches/<public_id>/messages")
    @shows_form_again
    @login_required
    def post_message(public_id):
        match = rules.get_match_for(g.user, public_id)
        form = MessageForm()
        if form.validate_on_submit():

            def send() -> str:
                throttle.check_message_rate(g.user)
                rules.post_message(g.user, match, form.text.data)
                return url_for("matches.show", public_id=public_id) + "#messages"

            shown = through_rule(form.text, submissions.once, g.user, send)
            if shown is not REFUSED:
                return redirect(shown)
        return match_page(match, message_form=form), 400

    @bp.post("/matches/<public_id>/contacts")
    @shows_form_again
    @login_required
    def reveal(public_id):
        match = rules.get_match_for(g.user, public_id)
        form = reveal_form(g.user, match)
        if form.validate_on_submit():
            contacts.set_revealed(match, g.user, g.user_key, set(form.contacts.data))
            flash(_("Your choice of contact details is saved."))
            return redirect(url_for("matches.show", public_id=public_id))
        return match_page(match, reveal_form=form), 400

    @bp.post("/matches/<public_id>/done")
    @login_required
    def done(public_id):
        match = rules.get_match_for(g.user, public_id)

        def mark() -> str:
            rules.mark_done(g.user, match)
            return url_for("matches.show", public_id=public_id)

        shown = submissions.once(g.user, mark)
        flash(_("You marked this match as done."))
        return redirect(shown)

    @bp.route("/matches/<public_id>/cancel", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def cancel(public_id):
        match = rules.get_match_for(g.user, public_id)
        form = CancelForm()
        if form.validate_on_submit():

            def cancel_it() -> str:
                rules.cancel_match(g.user, match, form.reason.data)
                return url_for("matches.show", public_id=public_id)

            shown = submissions.once(g.user, cancel_it)
            flash(_("The match is cancelled."))
            return redirect(shown)
        status = 400 if request.method == "POST" else 200
        return render_template("matches/cancel.html", match=match, form=form), status

    @bp.post("/matches/<public_id>/rate")
    @shows_form_again
    @login_required
    def rate(public_id):
        match = rules.get_match_for(g.user, public_id)
        form = RatingForm()
        if form.validate_on_submit():

            def rate_it() -> str:
                rules.rate(g.user, match, form.stars.data, form.comment.data or "")
                return url_for("matches.show", public_id=public_id)

            shown = submissions.once(g.user, rate_it)
            flash(_("Thank you. Your rating is published."))
            return redirect(shown)
        return match_page(match, rating_form=form), 400

    return bp
