from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _

from movements.app.alerts import rules
from movements.app.alerts.forms import AlertForm, RenameForm
from movements.app.keys import feed_tokens
from movements.app.web.csrf import shows_form_again
from movements.app.web.sessions import login_required

RECENT_SHOWN = 10


def make_blueprint() -> Blueprint:
    bp = Blueprint("alerts", __name__)

    @bp.get("/alerts")
    @login_required
    def index():
        return _index_page()

    @bp.post("/alerts")
    @login_required
    def create():
        form = AlertForm()
        if not form.validate():
            errors = [
                f"{form[name].label.text}: {' '.join(map(str, messages))}"
                for name, messages in form.errors.items()
            ]
            return _index_page(errors=errors), 400
        rules.save_alert(g.user, form.filters())
        flash(_("Alert saved. New requests like these will appear in your notifications."))
        return redirect(url_for("alerts.index"))

    @bp.get("/alerts/<public_id>")
    @login_required
    def show(public_id):
        alert = rules.get_own(g.user, public_id)
        return _alert_page(alert, RenameForm(formdata=None, data={"name": alert.name}))

    @bp.post("/alerts/<public_id>/name")
    @shows_form_again
    @login_required
    def rename(public_id):
        alert = rules.get_own(g.user, public_id)
        form = RenameForm()
        if not form.validate():
            return _alert_page(alert, form), 400
        rules.rename(g.user, alert, form.name.data or "")
        return redirect(url_for("alerts.show", public_id=public_id))

    @bp.post("/alerts/<public_id>/pause")
    @login_required
    def pause(public_id):
        rules.set_paused(g.user, rules.get_own(g.user, public_id), True)
        return redirect(url_for("alerts.show", public_id=public_id))

    @bp.post("/alerts/<public_id>/resume")
    @login_required
    def resume(public_id):
        rules.set_paused(g.user, rules.get_own(g.user, public_id), False)
        return redirect(url_for("alerts.show", public_id=public_id))

    @bp.post("/alerts/<public_id>/delete")
    @login_required
    def delete(public_id):
        rules.delete(g.user, rules.get_own(g.user, public_id))
        flash(_("Your alert is deleted."))
        return redirect(url_for("alerts.index"))

    return bp


def _index_page(errors=()):
    alerts = [
        (alert, rules.title_of(alert), rules.describe(alert), recent)
        for alert, recent in rules.alerts_of(g.user)
    ]
    return render_template("alerts/index.html", alerts=alerts, errors=errors)


def _alert_page(alert, form):
    return render_template(
        "alerts/show.html",
        alert=alert,
        title=rules.title_of(alert),
        description=rules.describe(alert),
        feeds_on=feed_tokens.feeds_on(g.user) is not None,
        form=form,
        browse_arguments=rules.browse_arguments(alert),
        recent=rules.recent_matches(alert, RECENT_SHOWN),
    )
