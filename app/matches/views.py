from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.core.errors import NotFound
from movements.app.keys import contacts
from movements.app.matches import ended, rules
from movements.app.matches.forms import CancelForm, MessageForm, RatingForm, RevealForm
from movements.app.notifications.rules import mark_read_about as read_about
from movements.app.web import submissions, throttle
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, options, through_rule
from movements.app.web.sessions import login_required


def reveal_form(user, match, **kwargs) -> RevealForm:
    form = RevealForm(data={"contacts": sorted(contacts.revealed_ids(match, user))}, **kwargs)
    own = contacts.contacts_of(user, g.user_key)
    # each box names the value it shares, not only its kind: "Signal: leila.42"
    form.contacts.choices = options({c.id: shared_label(c) for c in own})
    return form


def shared_label(contact) -> str:
    value = _("This could not be decrypted.") if contact.value is None else contact.value
    return f"{contact.label}: {value}"


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
        return render_template(
            "matches/index.html",
            matches=rules.matches_of(g.user),
            ended=ended.ended_of(g.user, g.user_key),
        )

    @bp.get("/matches/<public_id>")
    @login_required
    def show(public_id):
        try:
            match = rules.get_match_for(g.user, public_id)
        except NotFound:
            kept = ended.ended_for(g.user, public_id, g.user_key)
            return render_template("matches/ended.html", ended=kept)
        page = match_page(match)
        # what is on this page is read: its notices no longer wait on the home page
        read_about(g.user, url_for("matches.show", public_id=public_id))
        return page

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
            shown = url_for("matches.show", public_id=public_id)
            # when both sides have marked it done, the page leads straight to the rating
            return shown + "#rate" if match.status == match.COMPLETED else shown

        shown = submissions.once(g.user, mark)
        if shown.endswith("#rate"):
            flash(_("Both sides marked this match as done.") + " " + _("Rate it now."))
        else:
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

            # a repeat of a cancellation that went through is led to its result, not refused
            shown = submissions.once(g.user, cancel_it)
            flash(_("The match is cancelled."))
            return redirect(shown)
        rules.ensure_may_cancel(g.user, match)  # a closed match says so, and shows no form
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
