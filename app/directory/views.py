from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext

from movements.app.core.taxonomy import unpack
from movements.app.core.visibility import get_visible
from movements.app.directory import invitations, rules, search
from movements.app.directory.forms import (
    ANY_COUNTRY,
    DirectoryForm,
    InvitationForm,
    StandingOfferForm,
)
from movements.app.web import submissions
from movements.app.web.csrf import shows_form_again
from movements.app.web.forms import REFUSED, through_rule
from movements.app.web.sessions import login_required


def make_blueprint() -> Blueprint:
    bp = Blueprint("directory", __name__)

    @bp.get("/providers")
    def index():
        form = DirectoryForm(request.args)
        valid = form.validate()
        form.narrow(search.languages_in_use(), search.countries_in_use())
        if not valid:
            return render_template("directory/index.html", form=form, entries=[], more=False), 400
        filters = search.DirectoryFilters(
            skill=form.skill.data or "",
            language=form.language.data or "",
            country=form.country.data or "",
            min_stars=int(form.stars.data or 0),
            q=form.q.data or "",
            page=form.page.data or 1,
        )
        entries, more = search.find_providers(filters, current_app.config["PAGE_SIZE"])
        return render_template(
            "directory/index.html", form=form, entries=entries, more=more, page=filters.page
        )

    @bp.get("/providers/me")
    @login_required
    def mine():
        rules.ensure_provider(g.user)
        offers = rules.standing_offers_of(g.user)
        return render_template(
            "directory/mine.html",
            listing=rules.listing_of(g.user),
            full=rules.is_full(g.user),
            offers=[(offer, rules.status_of(offer)) for offer in offers],
            pending=[
                (invitation, invitations.note_for(g.user, g.get("user_key"), invitation))
                for invitation in invitations.pending_for(g.user)
            ],
            standing_offer_statuses=rules.STANDING_OFFER_STATUSES,
            days=rules.STANDING_OFFER_DAYS,
        )

    def _listing_action(action, message):
        action(g.user)
        flash(message)
        return redirect(url_for("directory.mine"))

    @bp.post("/providers/me/list")
    @login_required
    def list_me():
        return _listing_action(rules.list_me, _("You are listed in the directory."))

    @bp.post("/providers/me/pause")
    @login_required
    def pause():
        return _listing_action(rules.pause, _("Your listing is paused. Nobody can invite you."))

    @bp.post("/providers/me/resume")
    @login_required
    def resume():
        return _listing_action(rules.resume, _("Your listing is shown again."))

    @bp.post("/providers/me/unlist")
    @login_required
    def unlist():
        return _listing_action(rules.unlist, _("You are no longer in the directory."))

    @bp.route("/providers/me/offers/new", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def new_offer():
        rules.ensure_provider(g.user)
        form = StandingOfferForm(first_languages=unpack(g.user.languages))
        if form.validate_on_submit():

            def publish() -> str:
                rules.publish(g.user, form.fields())
                return url_for("directory.mine")

            shown = through_rule(form.title, submissions.once, g.user, publish)
            if shown is not REFUSED:
                flash(_("Your standing offer is published."))
                return redirect(shown)
        status = 400 if form.errors else 200
        return render_template("directory/offer_form.html", form=form, editing=None), status

    @bp.route("/providers/me/offers/<public_id>/edit", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def edit_offer(public_id):
        offer = rules.get_own(g.user, public_id)
        form = StandingOfferForm(data=_form_data(offer), first_languages=unpack(g.user.languages))
        if (
            form.validate_on_submit()
            and through_rule(form.title, rules.edit, g.user, offer, form.fields()) is not REFUSED
        ):
            flash(_("Your standing offer is saved."))
            return redirect(url_for("directory.mine"))
        status = 400 if form.errors else 200
        return render_template("directory/offer_form.html", form=form, editing=offer), status

    @bp.post("/providers/me/offers/<public_id>/close")
    @login_required
    def close_offer(public_id):
        rules.close(g.user, rules.get_own(g.user, public_id))
        flash(_("Your standing offer is closed. Renew it to open it again."))
        return redirect(url_for("directory.mine"))

    @bp.post("/providers/me/offers/<public_id>/renew")
    @login_required
    def renew_offer(public_id):
        rules.renew(g.user, rules.get_own(g.user, public_id))
        days = rules.STANDING_OFFER_DAYS
        flash(
            ngettext(
                "Your standing offer is open for another %(num)d day.",
                "Your standing offer is open for another %(num)d days.",
                days,
            )
        )
        return redirect(url_for("directory.mine"))

    @bp.route("/providers/<name>/invite", methods=["GET", "POST"])
    @shows_form_again
    @login_required
    def invite(name):
        provider = invitations.find_listed_provider(name)
        invitations.ensure_invitable(g.user, provider)
        offers = rules.live_standing_offers_of(provider)
        form = InvitationForm(
            invitations.open_requests_of(g.user),
            offers,
            data={"standing_offer": request.args.get("offer", "")[:24]},
        )
        if form.validate_on_submit():
            chosen = {o.public_id: o for o in offers}.get(form.standing_offer.data or "")
            help_request = get_visible(g.user, form.help_request_id.data)
            invited = through_rule(
                form.help_request_id,
                invitations.invite,
                g.user,
                provider,
                help_request,
                form.note.data or "",
                chosen,
            )
            if invited is not REFUSED:
                flash(
                    _(
                        "%(name)s is invited. You will be told when they answer.",
                        name=provider.username,
                    )
                )
                return redirect(url_for("requests.show", public_id=help_request.public_id))
        return render_template(
            "directory/invite.html",
            form=form,
            provider=provider,
            left=invitations.left_today(g.user),
        ), (400 if form.errors else 200)

    @bp.post("/invitations/<public_id>/decline")
    @login_required
    def decline(public_id):
        invitation = invitations.get_for_provider(g.user, public_id)
        invitations.decline(g.user, invitation)
        flash(_("You declined the invitation."))
        return redirect(url_for("requests.show", public_id=invitation.help_request.public_id))

    return bp


def _form_data(offer) -> dict:
    return {
        "title": offer.title,
        "description": offer.description,
        "skills": unpack(offer.skills),
        "languages": unpack(offer.languages),
        "countries": [ANY_COUNTRY] if offer.everywhere else unpack(offer.countries),
        "capacity": offer.capacity,
    }
