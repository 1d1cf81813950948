"""What every template can use: names of the fixed choices and the versioned stylesheet."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, url_for
from markupsafe import Markup
from werkzeug.local import LocalProxy

from movements.app.core import taxonomy
from movements.app.web import submissions


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
    app.jinja_env.globals.update(
        asset_url=asset_url,
        submission_key=submissions.new_key,
        unpack=taxonomy.unpack,
        statuses=taxonomy.REQUEST_STATUSES,
        offer_statuses=taxonomy.OFFER_STATUSES,
        match_statuses=taxonomy.MATCH_STATUSES,
        skill_names=taxonomy.SKILLS,
        urgency_names=taxonomy.URGENCIES,
        # names in the language of each request, not of the first one
        country_names=LocalProxy(taxonomy.countries),
        language_names=LocalProxy(taxonomy.languages),
    )
