"""Reporting abuse at /report, and blocking people, from a user's side."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from movements.app.blocks import rules as blocks
from movements.app.core.errors import NotFound
from movements.app.core.members import find_member
from movements.app.reports import rules, targets
from movements.app.reports.forms import ActionForm, ReportForm
from movements.app.web import submissions
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, through_rule
from movements.app.web.return_to import login_url
from movements.app.web.sessions import login_required


def _other(name: str):
    try:
        user = find_member(name)
    except NotFound:
        abort(404)
    if user.id == g.user.id:
        abort(404)
    return user


def make_blueprint() -> Blueprint:
    bp = Blueprint("reports", __name__)

    def safety_page():
        return render_template(
            "reports/index.html",
            reports=rules.reports_by(g.user),
            blocked=blocks.blocked_by(g.user),
            reasons=rules.REASONS,
            unblock_form=ActionForm(formdata=None),
        )

    @bp.route("/report", methods=["GET", "POST"])
    @shows_form_again
    def report():
        if g.user is None:
            return redirect(login_url())  # the target is kept through sign-in
        raw = request.args.get("target")
        if raw is None and request.method == "GET":
            return safety_page()
        target = targets.resolve(g.user, raw, g.get("user_key"))
        form = ReportForm()
        if form.validate_on_submit():

            def file_it() -> str:
                rules.file_report(
                    g.user, target, form.reason.data, form.details.data, form.include_text.data
                )
                return url_for("reports.report")

            shown = through_rule(form.reason, submissions.once, g.user, file_it)
            if shown is not REFUSED:
                flash(_("Thank you. Staff will look at your report and tell you what they did."))
                return redirect(shown)
        status = 400 if form.errors else 200
        return render_template("reports/new.html", form=form, target=target), status

    @bp.route("/users/<name>/block", methods=["GET", "POST"])
    @login_required
    def block(name):
        other, form = _other(name), ActionForm()
        if form.validate_on_submit():
            blocks.block(g.user, other)
            flash(_("You blocked %(name)s.", name=other.username))
            return redirect(url_for("profiles.show", name=other.username))
        return render_template("reports/block.html", person=other, form=form)

    @bp.post("/users/<name>/unblock")
    @login_required
    def unblock(name):
        other, form = _other(name), ActionForm()
        if not form.validate_on_submit():
            abort(400)
        blocks.unblock(g.user, other)
        flash(_("You unblocked %(name)s.", name=other.username))
        return redirect(url_for("reports.report"))

    return bp
