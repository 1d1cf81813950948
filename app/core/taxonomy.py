"""The fixed choices users pick from: skills, urgency, visibility, countries, languages.

Labels go through gettext lazily so each visitor sees them in their own language.
"""

import json
from functools import cache
from importlib import resources

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

RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "ku", "yi", "dv", "sd", "ug"}


def _load(name: str) -> dict:
    return json.loads(resources.files("movements.app").joinpath("data", name).read_text("utf-8"))


@cache
def countries() -> dict[str, str]:
    return {c["code"]: c["name"] for c in _load("countries.json")["countries"]}


@cache
def country_records() -> dict[str, dict]:
    return {c["code"]: c for c in _load("countries.json")["countries"]}


@cache
def languages() -> dict[str, str]:
    return {lang["code"]: lang["name"] for lang in _load("languages.json")["languages"]}


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
