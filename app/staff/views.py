"""The staff area, /staff: the report queue, users' trust records, and the staff log.

To anyone who is not staff, signed in or not, every address under /staff answers 404, as if
the area did not exist; that check runs before CSRF and before routing, so not even a
wrong method or a missing token tells a prober that a route is there.
"""

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from movements.app.audit.chain import page_of_entries
from movements.app.core.members import find_account
from movements.app.moderation import outcomes
from movements.app.moderation.context import in_context
from movements.app.reports.rules import REASONS
from movements.app.staff.forms import (
    ActionForm,
    ConfirmedForm,
    EvidenceForm,
    FindUserForm,
    JudgementForm,
    LimitForm,
    PageForm,
    ReasonForm,
)
from movements.app.staff.log_sentences import sentence
from movements.app.trust import evidence as trust
from movements.app.trust.stars import STAFF_EVIDENCE, STAR_TABLE, evidence_counts
from movements.app.web.csrf import check_csrf, shows_form_again

AREA = "/staff"
LOG_PAGE = 50
# where an account whose password must change may go: the form that changes it, and out
PASSWORD_CHANGE_ENDPOINTS = {
    "accounts.account",
    "accounts.change_password",
    "accounts.login",
    "accounts.logout",
    "static",
}


def in_staff_area(path: str) -> bool:
    return path == AREA or path.startswith(AREA + "/")


def _guard():
    """Before every request: a staff account still on its one-time password goes to change
    it first; the staff area answers 404 to outsiders, and checks CSRF only for staff."""
    user = g.get("user")
    changing = request.endpoint in PASSWORD_CHANGE_ENDPOINTS
    if user is not None and user.must_change_password and not changing:
        flash(_("Choose your own password before you go on."))
        return redirect(url_for("accounts.account"))
    if not in_staff_area(request.path):
        return None
    if user is None or not user.is_staff:
        abort(404)
    if request.method == "POST":
        check_csrf()
    return None


def _member(name: str):
    user = find_account(name)
    if user is None:
        abort(404)
    return user


def shown_fields(form) -> list[tuple[str, str]]:
    """Each field's label and the value chosen, as the confirmation page repeats them."""
    shown = []
    for field in form:
        if field.name in ("csrf_token", "confirmed") or field.data in (None, ""):
            continue
        value = field.data
        for choice in getattr(field, "choices", None) or []:
            if choice.value == value:
                value = choice.label
        shown.append((field.label.text, str(value)))
    return shown


def confirm_page(form, heading: str, back: str):
    form.confirmed.data = "yes"
    return render_template(
        "staff/confirm.html",
        form=form,
        heading=heading,
        shown=shown_fields(form),
        action=request.path,
        back=back,
    )


def make_blueprint() -> Blueprint:
    bp = Blueprint("staff", __name__, url_prefix=AREA)
    bp.before_app_request(_guard)
    # CSRF is checked in _guard, after the 404 for outsiders, rather than before it
    bp.record_once(lambda state: state.app.extensions["csrf"].exempt(bp))

    def index_page(find_form, status=200):
        return render_template(
            "staff/index.html",
            open_reports=outcomes.open_count(g.user),
            proposals=trust.pending_judgements(g.user),
            find_form=find_form,
        ), status

    @bp.get("")
    def index():
        return index_page(FindUserForm(formdata=None))

    @bp.get("/users")
    def find():
        form = FindUserForm(request.args)
        if not form.validate():
            return index_page(form, 400)
        user = find_account(form.name.data)
        if user is None:
            form.name.errors.append(_("Nobody has that username."))
            return index_page(form, 404)
        return redirect(url_for("staff.user", name=user.username))

    def user_page(user, status=200, **forms):
        page = {
            "evidence_form": EvidenceForm(formdata=None),
            "judgement_form": JudgementForm(formdata=None),
            "limit_form": LimitForm(formdata=None),
            **forms,
        }
        return render_template(
            "staff/user.html",
            person=user,
            record=trust.trust_record(g.user, user),
            counts=evidence_counts(user),
            star_table=STAR_TABLE,
            evidence_names=STAFF_EVIDENCE,
            **page,
        ), status

    @bp.get("/users/<name>")
    def user(name):
        return user_page(_member(name))

    def act(user, form, form_name, heading, action):
        """Validate, show the confirmation page, then (confirmed) act and go back."""
        back = url_for("staff.user", name=user.username)
        if not form.validate_on_submit():
            return user_page(user, 400, **{form_name: form})
        if not form.is_confirmed:
            return confirm_page(form, heading, back)
        action()
        flash(_("Done, and recorded in the staff log."))
        return redirect(back)

    @bp.post("/users/<name>/evidence")
    @shows_form_again
    def add_evidence(name):
        user, form = _member(name), EvidenceForm()
        return act(
            user,
            form,
            "evidence_form",
            _("Add evidence for %(name)s", name=user.username),
            lambda: trust.add_evidence(g.user, user, form.kind.data, form.note.data),
        )

    def with_reason(user, heading, action):
        """A page of its own that asks why, and is the confirmation: submitting it acts."""
        form = ReasonForm()
        if form.validate_on_submit():
            action(form.reason.data)
            flash(_("Done, and recorded in the staff log."))
            return redirect(url_for("staff.user", name=user.username))
        status = 400 if form.errors else 200
        back = url_for("staff.user", name=user.username)
        return render_template("staff/reason.html", form=form, heading=heading, back=back), status

    @bp.route("/users/<name>/evidence/<int:evidence_id>/remove", methods=["GET", "POST"])
    @shows_form_again
    def remove_evidence(name, evidence_id):
        user = _member(name)
        return with_reason(
            user,
            _("Remove evidence from %(name)s", name=user.username),
            lambda reason: trust.remove_evidence(g.user, user, evidence_id, reason),
        )

    @bp.post("/users/<name>/judgement")
    @shows_form_again
    def propose(name):
        user, form = _member(name), JudgementForm()
        return act(
            user,
            form,
            "judgement_form",
            _("Propose 5 stars for %(name)s", name=user.username),
            lambda: trust.propose_known_and_trusted(g.user, user, form.why.data),
        )

    @bp.post("/users/<name>/judgement/confirm")
    def confirm(name):
        user, form = _member(name), ConfirmedForm()  # nothing to write: the proposal says why
        return act(
            user,
            form,
            "confirm_form",
            _("Confirm 5 stars for %(name)s", name=user.username),
            lambda: trust.confirm_known_and_trusted(g.user, user),
        )

    @bp.route("/users/<name>/judgement/withdraw", methods=["GET", "POST"])
    @shows_form_again
    def withdraw(name):
        user = _member(name)
        return with_reason(
            user,
            _("Withdraw the 5-star judgement for %(name)s", name=user.username),
            lambda reason: trust.withdraw_judgement(g.user, user, reason),
        )

    @bp.post("/users/<name>/limit")
    @shows_form_again
    def limit(name):
        user, form = _member(name), LimitForm()
        return act(
            user,
            form,
            "limit_form",
            _("Lower the stars of %(name)s", name=user.username),
            lambda: trust.limit_stars(g.user, user, form.max_stars.data, form.reason.data),
        )

    @bp.route("/users/<name>/limit/lift", methods=["GET", "POST"])
    @shows_form_again
    def lift(name):
        user = _member(name)
        return with_reason(
            user,
            _("Lift the star limit of %(name)s", name=user.username),
            lambda reason: trust.lift_limit(g.user, user, reason),
        )

    @bp.route("/users/<name>/reinstate", methods=["GET", "POST"])
    @shows_form_again
    def reinstate(name):
        if not g.user.is_admin:
            abort(404)
        user = _member(name)
        return with_reason(
            user,
            _("Reinstate %(name)s", name=user.username),
            lambda reason: outcomes.reinstate(g.user, user, reason),
        )

    @bp.get("/reports")
    def reports():
        queue = outcomes.queue(g.user)
        return render_template(
            "staff/reports.html",
            queue=[(report, in_context(report)) for report in queue],
            total=outcomes.open_count(g.user),
            reasons=REASONS,
        )

    def report_page(report, form, status=200):
        return render_template(
            "staff/report.html",
            report=report,
            found=in_context(report),
            reasons=REASONS,
            outcome_names=outcomes.OUTCOMES,
            form=form,
        ), status

    @bp.get("/reports/<int:report_id>")
    def report(report_id):
        return report_page(outcomes.get_report(g.user, report_id), ActionForm(formdata=None))

    @bp.post("/reports/<int:report_id>")
    @shows_form_again
    def handle(report_id):
        report = outcomes.get_report(g.user, report_id)
        form = ActionForm()
        back = url_for("staff.report", report_id=report_id)
        if not form.validate_on_submit():
            return report_page(report, form, 400)
        if not form.is_confirmed:
            return confirm_page(form, _("Handle report %(id)d", id=report.id), back)
        outcomes.handle_report(
            g.user, report, form.outcome.data, form.reason.data, form.message.data, form.days.data
        )
        flash(_("The report is handled, recorded in the staff log, and both sides are told."))
        return redirect(url_for("staff.reports"))

    @bp.get("/log")
    def log():
        form = PageForm(request.args)
        if not form.validate():
            abort(400)
        page = form.page.data or 1
        entries, more = page_of_entries(page, LOG_PAGE)
        return render_template(
            "staff/log.html", entries=entries, more=more, page=page, sentence=sentence
        )

    return bp
