"""Atom feeds: the public one of /requests, and each user's private ones behind a token."""

from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _

from movements.app.alerts import rules as alert_rules
from movements.app.core.models import User
from movements.app.feeds import atom
from movements.app.keys import feed_tokens
from movements.app.notifications import rules as notification_rules
from movements.app.requests import rules as request_rules
from movements.app.requests.forms import BrowseForm
from movements.app.requests.links import filter_arguments, requests_feed_url
from movements.app.web.faces import own_origin
from movements.app.web.i18n import supported_code
from movements.app.web.sessions import login_required

FEED_SIZE = 50


def make_blueprint() -> Blueprint:
    bp = Blueprint("feeds", __name__)

    @bp.get("/requests.atom")
    def requests():
        """Requests everyone may see, filtered as /requests is: no account, no token."""
        form = BrowseForm(request.args)
        if not form.validate():
            abort(400)
        filters = form.filters()
        filters.page = 1
        results, _more = request_rules.browse(None, filters, FEED_SIZE)
        origin = _origin()
        page = url_for("requests.browse", **filter_arguments())
        feed = atom.Feed(
            id=origin + page,
            title=f"{_('Requests for help')} · {_('Movements')}",
            self_url=origin + requests_feed_url(),
            page_url=origin + page,
            author=_("Movements"),
            language=_tag(str(get_locale())),
            entries=[_request_entry(origin, r, r.created_on) for r in results],
        )
        return _atom(feed)

    @bp.get("/feeds/<token>")
    def notifications(token):
        owner = feed_tokens.owner_of(token)
        origin = _origin()
        with force_locale(_language_of(owner)):
            entries = [
                atom.Entry(
                    id=f"{origin}/notifications#{note.id}",
                    title=notification_rules.plain_text_of(note),
                    link=origin + note.link,
                    updated=note.created_on,
                )
                for note in notification_rules.recent_for(owner)
            ]
            feed = atom.Feed(
                id=f"{origin}/users/{quote(owner.username)}#notifications",
                title=f"{_('Notifications')} · {_('Movements')}",
                self_url=origin + url_for("feeds.notifications", token=token),
                page_url=origin + url_for("notifications.index"),
                author=_("Movements"),
                language=_tag(_language_of(owner)),
                entries=entries,
            )
            return _atom(feed)

    @bp.get("/feeds/<token>/<alert_id>")
    def alert(token, alert_id):
        owner = feed_tokens.owner_of(token)
        alert = alert_rules.get_own(owner, alert_id)
        origin = _origin()
        with force_locale(_language_of(owner)):
            page = url_for("alerts.show", public_id=alert.public_id)
            feed = atom.Feed(
                id=origin + page,
                title=f"{alert_rules.title_of(alert)} · {_('Movements')}",
                self_url=origin + url_for("feeds.alert", token=token, alert_id=alert_id),
                page_url=origin + page,
                author=_("Movements"),
                language=_tag(_language_of(owner)),
                entries=[
                    _request_entry(origin, help_request, matched_on)
                    for help_request, matched_on in alert_rules.recent_matches(alert, FEED_SIZE)
                ],
            )
            return _atom(feed)

    @bp.post("/account/feeds")
    @login_required
    def turn_on():
        """Make the addresses (again) and show them, this once."""
        token = feed_tokens.turn_on(g.user)
        origin = _origin()
        alerts = [
            (
                alert_rules.title_of(alert),
                origin + url_for("feeds.alert", token=token, alert_id=alert.public_id),
            )
            for alert, _recent in alert_rules.alerts_of(g.user)
        ]
        return render_template(
            "feeds/addresses.html",
            notifications_url=origin + url_for("feeds.notifications", token=token),
            alerts=alerts,
        )

    @bp.post("/account/feeds/off")
    @login_required
    def turn_off():
        feed_tokens.turn_off(g.user)
        flash(_("Your private feeds are off. Their addresses no longer work."))
        return redirect(url_for("accounts.account"))

    return bp


def _origin() -> str:
    """The face's own address; on loopback, which has none configured, the one asked for."""
    return own_origin() or request.host_url.rstrip("/")


def _language_of(owner: User) -> str:
    """A private feed is fetched without a cookie: it speaks the owner's chosen language."""
    return supported_code(owner.language) or current_app.config["BABEL_DEFAULT_LOCALE"]


def _tag(code: str) -> str:
    return code.replace("_", "-")  # xml:lang is BCP 47: zh-Hans


def _request_entry(origin: str, help_request, day) -> atom.Entry:
    link = origin + url_for("requests.show", public_id=help_request.public_id)
    return atom.Entry(id=link, title=help_request.title, link=link, updated=day)


def _atom(feed: atom.Feed) -> Response:
    return Response(atom.document(feed), content_type=atom.MEDIA_TYPE)
