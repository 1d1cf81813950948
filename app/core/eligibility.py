"""Who may ask for help: people working on a country whose Freedom House status is eligible.

The data file (app/data/countries.json) gives each country's status in Freedom House's
*Freedom in the World*; the operator chooses which statuses are eligible, through the
MOVEMENTS_ELIGIBLE_STATUSES environment variable (comma-separated) or the app's config.
The seed began with large not-free states, so the default is "Not Free" alone. Someone who
lives elsewhere may still ask for help by declaring that they work to open a closed society,
but every request names an eligible country of focus.
"""

import json
import os
import re
from functools import cache
from importlib import resources

from flask import Blueprint, Flask, render_template
from flask_babel import lazy_gettext as _l

from movements.app.core.config import UnsafeConfiguration
from movements.app.core.errors import RuleViolation
from movements.app.core.taxonomy import countries, country_records

STATUSES = ("Free", "Partly Free", "Not Free")
DEFAULT_ELIGIBLE = ("Not Free",)
ENVIRONMENT_VARIABLE = "MOVEMENTS_ELIGIBLE_STATUSES"
CONFIG_KEY = "ELIGIBLE_STATUSES"

# bound at start-up, like the database handle: rules run with or without a request
_eligible: list[tuple[str, ...]] = [DEFAULT_ELIGIBLE]

STATUS_NAMES = {
    "Free": _l("Free"),
    "Partly Free": _l("Partly Free"),
    "Not Free": _l("Not Free"),
}


def init_app(app: Flask) -> None:
    """Settle the eligible statuses once, at start-up, and refuse a setting that names none."""
    chosen = app.config.get(CONFIG_KEY)
    if chosen is None:
        raw = os.environ.get(ENVIRONMENT_VARIABLE, "")
        chosen = [part.strip() for part in raw.split(",") if part.strip()] or DEFAULT_ELIGIBLE
    unknown = [status for status in chosen if status not in STATUSES]
    if unknown or not chosen:
        raise UnsafeConfiguration(
            f"{ENVIRONMENT_VARIABLE} must name one or more of {', '.join(STATUSES)}; "
            f"got {', '.join(unknown) or 'nothing'}"
        )
    app.config[CONFIG_KEY] = tuple(status for status in STATUSES if status in chosen)
    _eligible[:] = [app.config[CONFIG_KEY]]


def eligible_statuses() -> tuple[str, ...]:
    return _eligible[0]


def is_eligible(code: str) -> bool:
    record = country_records().get(code)
    return record is not None and record["freedom_status"] in eligible_statuses()


def eligible_countries() -> dict[str, str]:
    """Code → name of every eligible country, in the visitor's language and alphabet."""
    statuses = eligible_statuses()
    records = country_records()
    return {
        code: name
        for code, name in countries().items()
        if records[code]["freedom_status"] in statuses
    }


def ensure_eligible_focus(code: str) -> None:
    if not is_eligible(code):
        raise RuleViolation(
            _l("Requests must be about a country this site serves. See “Who may ask for help”.")
        )


@cache
def data_source() -> dict:
    """The data file's citation of its Freedom House edition, shown on the explanation page."""
    text = resources.files("movements.app").joinpath("data", "countries.json").read_text("utf-8")
    return json.loads(text).get("source", {})


def edition() -> str:
    """The Freedom House edition the statuses come from, as the data file names it."""
    named = re.search(r"Freedom in the World \d{4}", data_source().get("freedom_status", ""))
    return named.group(0) if named else ""


def make_blueprint() -> Blueprint:
    bp = Blueprint("eligibility", __name__)

    @bp.get("/eligibility")
    def explain():
        return render_template(
            "eligibility.html",
            statuses=[STATUS_NAMES[s] for s in eligible_statuses()],
            countries=eligible_countries(),
            edition=edition(),
        )

    return bp
