"""What every template can use: names of the fixed choices and the versioned stylesheet."""

import datetime
import hashlib
from functools import cache, lru_cache, partial
from pathlib import Path

from babel.dates import format_date as babel_format_date
from flask import Flask, url_for
from flask_babel import format_date, get_locale
from markupsafe import Markup
from werkzeug.local import LocalProxy

from movements.app.core import taxonomy
from movements.app.web import submissions

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


def isolate(text) -> Markup:
    """User text inside a translated sentence, in <bdi>: a Persian title in an English
    sentence (or the reverse) keeps its own direction and leaves the sentence's alone."""
    return Markup("<bdi>%s</bdi>") % text


def in_visitors_language() -> dict:
    """Every label and name a page may show, as plain text in the visitor's language."""
    names = {name: taxonomy.in_visitors_language(labels) for name, labels in LABELS.items()}
    return {**names, "country_names": taxonomy.countries(), "language_names": taxonomy.languages()}


@lru_cache(maxsize=4096)
def _formatted_date(day: datetime.date, locale: str) -> str:
    return babel_format_date(day, DATE_FORMAT, locale=locale)


def dateformat(value) -> str:
    """A date as the visitor's language writes it; each date formatted once per language.

    A list of twenty requests shows twenty dates, mostly the same few days.
    """
    if type(value) is datetime.date:
        return _formatted_date(value, str(get_locale()))
    return format_date(value, DATE_FORMAT)


def init_app(app: Flask) -> None:
    def asset_url(filename: str) -> str:
        """A URL that changes with the file, so browsers may cache it for a year."""
        return url_for("static", filename=filename, v=_fingerprint(app.static_folder, filename))

    app.jinja_env.add_extension("jinja2.ext.do")
    # pages travel over slow Tor circuits: no blank lines left behind by template tags
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["language_list"] = language_list
    app.jinja_env.filters["isolate"] = isolate
    app.jinja_env.filters["dateformat"] = dateformat
    app.jinja_env.globals.update(
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
