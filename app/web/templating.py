"""What every template can use: names of the fixed choices and the versioned stylesheet."""

import datetime
import hashlib
from functools import cache, lru_cache, partial
from pathlib import Path

from babel.dates import format_date as babel_format_date
from babel.dates import format_skeleton
from flask import Flask, request, url_for
from flask_babel import format_date, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.local import LocalProxy

from movements.app.core import taxonomy
from movements.app.web import fragments, submissions

# the names templates give the fixed choices' labels
LABELS = {
    "statuses": taxonomy.REQUEST_STATUSES,
    "offer_statuses": taxonomy.OFFER_STATUSES,
    "match_statuses": taxonomy.MATCH_STATUSES,
    "skill_names": taxonomy.SKILLS,
    "urgency_names": taxonomy.URGENCIES,
}
DATE_FORMAT = "medium"  # Flask-Babel's own default, which the `dateformat` filter used


@cache
def _fingerprint(static_folder: str, filename: str) -> str:
    return hashlib.sha256((Path(static_folder) / filename).read_bytes()).hexdigest()[:12]


def language_list(codes) -> str:
    """Language codes as the names a reader knows, in one comma-separated line."""
    names = taxonomy.languages()
    return ", ".join(names.get(code, code) for code in codes)


@pass_context
def skill_list(context, codes) -> str:
    """Skill codes as the names a reader knows, in one comma-separated line."""
    names = context.get("skill_names") or taxonomy.in_visitors_language(taxonomy.SKILLS)
    return ", ".join(names.get(code, code) for code in codes)


def isolate(text) -> Markup:
    """User text inside a translated sentence, in <bdi>: a Persian title in an English
    sentence (or the reverse) keeps its own direction and leaves the sentence's alone."""
    return Markup("<bdi>%s</bdi>") % text


def month(day) -> str:
    """A month and year the way the visitor's language writes them ("May 2024", "2024年5月")."""
    return format_skeleton("yMMMM", day, locale=get_locale() or "en")


def in_visitors_language() -> dict:
    """Every label and name a page may show, as plain text in the visitor's language."""
    names = {name: taxonomy.in_visitors_language(labels) for name, labels in LABELS.items()}
    return {**names, "country_names": taxonomy.countries(), "language_names": taxonomy.languages()}


@lru_cache(maxsize=4096)
def _formatted_date(day: datetime.date, locale: str) -> str:
    return babel_format_date(day, DATE_FORMAT, locale=locale)


@pass_context
def dateformat(context, value) -> str:
    """A date as the visitor's language writes it; each date formatted once per language.

    A list of twenty requests shows twenty dates, mostly the same few days.
    """
    if type(value) is datetime.date:
        return _formatted_date(value, context.get("page_locale") or str(get_locale()))
    return format_date(value, DATE_FORMAT)


def page_catalog() -> dict:
    """The language a page is rendered in and its catalog, found once for the page."""
    return {"page_locale": str(get_locale()), "page_catalog": get_translations()}


def _catalog(context):
    # a macro imported without the page's context asks Flask-Babel, as every string used to
    return context.get("page_catalog") or get_translations()


@pass_context
def _gettext(context, string: str) -> str:
    return _catalog(context).ugettext(string)


@pass_context
def _ngettext(context, singular: str, plural: str, number: int) -> str:
    return _catalog(context).ungettext(singular, plural, number)


@pass_context
def _pgettext(context, message_context: str, string: str) -> str:
    return _catalog(context).upgettext(message_context, string)


@pass_context
def _npgettext(context, message_context: str, singular: str, plural: str, number: int) -> str:
    return _catalog(context).unpgettext(message_context, singular, plural, number)


def init_app(app: Flask) -> None:
    built: dict[tuple[str, str, str], str] = {}

    def fixed_url(endpoint: str, **values) -> str:
        """url_for as templates call it, with a link to a page that takes no values built once.

        Such a link is the same for every request that shares the script root: the header's
        dozen links to fixed pages cost as much to build each time as the rest of the header.
        """
        if values or endpoint.startswith("."):
            return url_for(endpoint, **values)
        key = ("", request.script_root, endpoint)
        if key not in built:
            built[key] = url_for(endpoint)
        return built[key]

    def asset_url(filename: str) -> str:
        """A URL that changes with the file, so browsers may cache it for a year."""
        key = ("static", request.script_root, filename)
        if key not in built:
            fingerprint = _fingerprint(app.static_folder, filename)
            built[key] = url_for("static", filename=filename, v=fingerprint)
        return built[key]

    app.jinja_env.add_extension("jinja2.ext.do")
    fragments.init_app(app)
    # pages travel over slow Tor circuits: no blank lines left behind by template tags
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["language_list"] = language_list
    app.jinja_env.filters["skill_list"] = skill_list
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["month"] = month
    app.jinja_env.filters["dateformat"] = dateformat
    # `_()` in a template: Flask-Babel finds the catalog again for every string, through the
    # request's context, the locale and a cache; a page shows dozens, so each page finds it once
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.context_processor(page_catalog)
    app.jinja_env.globals.update(
        url_for=fixed_url,
        asset_url=asset_url,
        submission_key=submissions.new_key,
        unpack=taxonomy.unpack,
        # names in the language of each request, not of the first one
        country_names=LocalProxy(taxonomy.countries),
        language_names=LocalProxy(taxonomy.languages),
        **{
            name: LocalProxy(partial(taxonomy.in_visitors_language, labels))
            for name, labels in LABELS.items()
        },
    )
    # A page gets the same names as plain dicts, found once per page rather than at each use;
    # macros imported without the page's context find them through the proxies above.
    app.context_processor(in_visitors_language)
