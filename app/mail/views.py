"""/account/email, where a user gives or removes their address, and the links that mail carries.

The links work without signing in (mail is often read in another browser): the token in the
address is the permission. Opening one shows a page with a button, and only the button acts,
so a mail scanner that follows links changes nothing. That button, and the one-click POST of
RFC 8058 that mail programs send without any page, carry no CSRF token: the token in the link
is a secret no other site knows, which is what a CSRF token would prove.
"""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from movements.app.core.errors import RuleViolation
from movements.app.mail import addresses, settings
from movements.app.mail.forms import AddressForm
from movements.app.mail.links import CONFIRM_PATH, UNSUBSCRIBE_PATH
from movements.app.web.csrf import shows_form_again
from movements.app.web.sessions import login_required


def settings_page(form: AddressForm | None = None, status: int = 200):
    current = addresses.settings_of(g.user)
    if not settings.enabled() and current is None:
        abort(404)
    if form is None and current is None:
        form = AddressForm(formdata=None)
    elif form is None:
        data = {"address": current.address, "mode": current.mode, "kinds": current.kinds}
        form = AddressForm(formdata=None, data=data)
    page = render_template(
        "mail/settings.html", form=form, current=current, offered=settings.enabled()
    )
    return page, status


def make_blueprint() -> Blueprint:
    bp = Blueprint("mail", __name__)

    @bp.get("/account/email")
    @login_required
    def edit():
        return settings_page()

    @bp.post("/account/email")
    @shows_form_again
    @login_required
    def save():
        form = AddressForm()
        if form.validate_on_submit():
            language = str(get_locale())
            try:
                confirming = addresses.save(
                    g.user, form.address.data, form.mode.data, form.kinds.data, language
                )
            except RuleViolation as error:
                form.address.errors.append(error.message)
            else:
                if confirming:
                    flash(_("We sent a link to that address. Open it to confirm the address."))
                else:
                    flash(_("Your e-mail choices are saved."))
                return redirect(url_for("mail.edit"))
        return settings_page(form, 400)

    @bp.post("/account/email/remove")
    @login_required
    def remove():
        addresses.remove(g.user)
        flash(_("Your e-mail address is deleted. No more e-mail will come from this site."))
        return redirect(url_for("accounts.account"))

    @bp.route(CONFIRM_PATH + "<token>", methods=["GET", "POST"])
    def confirm_by_link(token):
        if request.method == "POST":
            addresses.confirm(token)
            return render_template(
                "mail/link.html",
                heading=_("Your address is confirmed"),
                text=_("Notices will come to it as you chose, until you stop them."),
            )
        addresses.check_confirm_link(token)
        return render_template(
            "mail/link.html",
            heading=_("Confirm your e-mail address"),
            text=_("Notices from this site will come to this address."),
            button=_("Confirm"),
        )

    @bp.route(UNSUBSCRIBE_PATH + "<token>", methods=["GET", "POST"])
    def unsubscribe_by_link(token):
        if request.method == "POST":
            addresses.unsubscribe(token)
            return render_template(
                "mail/link.html",
                heading=_("No more e-mail"),
                text=_("Your address is deleted from this site. Notices stay on the site."),
            )
        addresses.check_unsubscribe_link(token)
        return render_template(
            "mail/link.html",
            heading=_("Stop e-mail notices"),
            text=_("Your address will be deleted from this site. Notices stay on the site."),
            button=_("Stop e-mail and delete my address"),
        )

    def _exempt(state):
        for view in (confirm_by_link, unsubscribe_by_link):
            state.app.extensions["csrf"].exempt(view)

    bp.record_once(_exempt)
    return bp
