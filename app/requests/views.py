from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from movements.app.core.taxonomy import unpack
from movements.app.core.visibility import get_visible, is_open
from movements.app.directory import invitations
from movements.app.offers import cards
from movements.app.offers import rules as offer_rules
from movements.app.offers.forms import OfferForm
from movements.app.requests import rules
from movements.app.requests.forms import VISIBILITY_HELP, BrowseForm, RequestForm
from movements.app.requests.links import requests_feed_url
from movements.app.web import submissions, throttle
from movements.app.web.csrf import shows_form_again
from movements.app.web.sessions import login_required


def make_blueprint() -> Blueprint:
    bp = Blueprint("requests", __name__)

    @bp.get("/requests")
    def browse():
        form = BrowseForm(request.args)
        if not form.validate():
            return render_template(
                "requests/browse.html",
                form=form,
                results=[],
                more=False,
                feed_url=requests_feed_url(),
            ), 400
        filters = form.filters()
        results, more = rules.browse(g.user, filters, current_app.config["PAGE_SIZE"])
        return render_template(
            "requests/browse.html",
            form=form,
            results=results,
            more=more,
            page=filters.page,
            feed_url=requests_feed_url(),
        )

    @bp.get("/requests/filters")
    def filters():
        """Every filter on a page of its own, so the list of results stays small."""
        form = BrowseForm(request.args)
        status = 200 if form.validate() else 400
        return render_template("requests/filters.html", form=form), status

    @bp.route("/requests/new", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def new():
        rules.ensure_may_post(g.user)
        profile = {"country": g.user.country, "languages": unpack(g.user.languages)}
        form = _request_form(profile)
        if form.validate_on_submit():

            def create() -> str:
                throttle.check_requests_today(g.user)
                created = rules.create_request(g.user, form.fields())
                return url_for("requests.show", public_id=created.public_id)

            return redirect(submissions.once(g.user, create))
        status = 400 if form.errors else 200
        return _form_page(form, editing=None), status

    @bp.get("/requests/<public_id>")
    def show(public_id):
        help_request = get_visible(g.user, public_id)
        return render_template(
            "requests/show.html",
            help_request=help_request,
            skills=rules.skills_of(help_request),
            languages=rules.languages_of(help_request),
            is_open=is_open(help_request),
            offers=cards.cards_for_author(g.user, help_request),
            own_offer=offer_rules.own_offer(g.user, help_request),
            may_offer=offer_rules.may_offer(g.user, help_request),
            offer_form=OfferForm(formdata=None),
            invitations=invitations.shown_on_request(g.user, g.get("user_key"), help_request),
        )

    @bp.route("/requests/<public_id>/edit", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def edit(public_id):
        help_request = get_visible(g.user, public_id)
        if help_request.author_id != g.user.id:
            abort(404)
        form = _request_form(_form_data(help_request))
        if form.validate_on_submit():
            rules.edit_request(g.user, help_request, form.fields())
            flash(_("Your request is saved."))
            return redirect(url_for("requests.show", public_id=public_id))
        status = 400 if form.errors else 200
        return _form_page(form, editing=help_request), status

    @bp.route("/requests/<public_id>/withdraw", methods=["GET", "POST"])
    @login_required
    def withdraw(public_id):
        help_request = get_visible(g.user, public_id)
        if help_request.author_id != g.user.id:
            abort(404)
        if request.method == "POST":

            def withdraw_it() -> str:
                rules.withdraw_request(g.user, help_request)
                return url_for("requests.show", public_id=public_id)

            shown = submissions.once(g.user, withdraw_it)
            flash(_("Your request is withdrawn."))
            return redirect(shown)
        return render_template("requests/withdraw.html", help_request=help_request)

    return bp


def _request_form(data: dict) -> RequestForm:
    """The request form, filled from `data` until something is sent; the languages of the
    author's profile come first in its list."""
    return RequestForm(data=data, first_languages=unpack(g.user.languages))


def _form_page(form: RequestForm, editing) -> str:
    return render_template(
        "requests/edit.html", form=form, editing=editing, visibility_help=VISIBILITY_HELP
    )


def _form_data(help_request) -> dict:
    return {
        "title": help_request.title,
        "description": help_request.description,
        "skills": rules.skills_of(help_request),
        "country": help_request.country,
        "languages": rules.languages_of(help_request),
        "urgency": help_request.urgency,
        "visibility": help_request.visibility,
        "min_stars": help_request.min_stars,
        "expires_in_days": 90,
    }
