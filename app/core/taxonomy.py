"""The fixed choices users pick from: skills, urgency, visibility, countries, languages.

Labels go through gettext lazily so each visitor sees them in their own language. Country and
language names come from Unicode CLDR (through Babel) in the visitor's language, sorted the way
a reader of that language expects; the data files only say which codes exist.
"""

import json
import unicodedata
from functools import cache
from importlib import resources

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

SKILLS = {
    "legal": _l("Legal"),
    "asylum": _l("Asylum and immigration"),
    "press": _l("Press and journalism"),
    "pr": _l("PR and communications"),
    "digital-security": _l("Digital security and technology"),
    "training": _l("Training"),
    "arts": _l("Arts and music"),
    "policy": _l("Policy and advocacy"),
    "translation": _l("Translation"),
    "health": _l("Health and psychosocial support"),
    "fundraising": _l("Fundraising"),
    "other": _l("Other"),
}

URGENCIES = {"low": _l("Low"), "normal": _l("Normal"), "urgent": _l("Urgent")}

VISIBILITIES = {
    "everyone": _l("Everyone, including visitors who are not signed in"),
    "signed_in": _l("Signed-in users only"),
    "stars": _l("Providers with at least the trust stars below"),
}

REQUEST_STATUSES = {
    "open": _l("Open"),
    "matched": _l("Matched"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "expired": _l("Expired"),
    "removed": _l("Removed by moderators"),
}

CONTACT_KINDS = {
    "signal": _l("Signal"),
    "messenger": _l("WhatsApp or Telegram"),
    "email": _l("E-mail"),
    "matrix": _l("Matrix"),
    "other": _l("Other"),
}


def _load(name: str) -> dict:
    return json.loads(resources.files("movements.app").joinpath("data", name).read_text("utf-8"))


def collation_key(name: str) -> str:
    """Sort key for names in any script: accents and case set aside ("Égypte" by "E").

    Babel has no collator and PyICU is a heavy native dependency; this is close enough for
    picking a name from a list, in every language the site serves.
    """
    return unicodedata.normalize("NFKD", name).casefold()


def _visitor_locale() -> str:
    return str(get_locale() or "en")


def _named(codes: dict[str, str], cldr_names: dict[str, str]) -> dict[str, str]:
    """Code → CLDR name (the data file's English name where CLDR has none), sorted by name."""
    names = {code: cldr_names.get(code, english) for code, english in codes.items()}
    return dict(sorted(names.items(), key=lambda item: collation_key(item[1])))


@cache
def _country_names(locale: str) -> dict[str, str]:
    english = {c["code"]: c["name"] for c in _load("countries.json")["countries"]}
    return _named(english, Locale.parse(locale).territories)


@cache
def _language_names(locale: str) -> dict[str, str]:
    english = {lang["code"]: lang["name"] for lang in _load("languages.json")["languages"]}
    return _named(english, Locale.parse(locale).languages)


def countries() -> dict[str, str]:
    """Code → country name in the visitor's language, in that language's alphabetical order."""
    return _country_names(_visitor_locale())


@cache
def country_records() -> dict[str, dict]:
    return {c["code"]: c for c in _load("countries.json")["countries"]}


def languages() -> dict[str, str]:
    """Code → language name in the visitor's language, in that language's alphabetical order."""
    return _language_names(_visitor_locale())


_translated: dict[tuple[int, str], dict[str, str]] = {}


def in_visitors_language(labels: dict) -> dict[str, str]:
    """One of the dicts of lazy labels above as plain text in the visitor's language.

    A lazy label looks its text up in the catalog each time it is shown; the list of requests
    shows dozens. Each dict is translated once per language and kept (the catalogs do not
    change while the process runs).
    """
    key = (id(labels), _visitor_locale())
    translated = _translated.get(key)
    if translated is None:
        translated = _translated[key] = {code: str(label) for code, label in labels.items()}
    return translated


def pack(codes: list[str]) -> str:
    """Store a set of codes as ",a,b," so one LIKE finds a code on SQLite and PostgreSQL."""
    return "," + ",".join(sorted(set(codes))) + ","


def unpack(packed: str) -> list[str]:
    return [code for code in packed.split(",") if code]


OFFER_STATUSES = {
    "pending": _l("Waiting for an answer"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
    "removed": _l("Removed by moderators"),
}

MATCH_STATUSES = {"open": _l("Open"), "completed": _l("Completed"), "cancelled": _l("Cancelled")}
