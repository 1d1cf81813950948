"""The data files in app/data: countries with their Freedom House status, and languages."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest

from tests.deploy.tools import DATA

STATUSES = {"Free", "Partly Free", "Not Free", None}


@pytest.fixture(scope="module")
def countries() -> dict:
    return json.loads((DATA / "countries.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def by_code(countries) -> dict[str, dict]:
    return {c["code"]: c for c in countries["countries"]}


@pytest.fixture(scope="module")
def languages() -> dict:
    return json.loads((DATA / "languages.json").read_text("utf-8"))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def test_countries_cite_their_sources(countries):
    source = countries["source"]
    assert "Freedom House" in source["freedom_status"]
    assert "Freedom in the World 2025" in source["freedom_status"]
    assert "review" in source["freedom_status"]
    assert "World Population Prospects" in source["population"]


def test_every_iso_country_once(countries, by_code):
    rows = countries["countries"]
    assert len(rows) >= 249  # ISO 3166-1 has 249 entries; Kosovo (XK) is added
    assert len(by_code) == len(rows), "duplicate codes"
    for row in rows:
        assert set(row) == {"code", "name", "freedom_status", "population"}, row
        assert re.fullmatch(r"[A-Z]{2}", row["code"]), row
        assert row["name"].strip() == row["name"] and row["name"], row
        assert row["freedom_status"] in STATUSES, row
        assert isinstance(row["population"], int) and row["population"] >= 0, row
    names = [row["name"] for row in rows]
    assert names == sorted(names, key=_sort_key), "countries are not sorted by name"
    assert len(set(names)) == len(names)


def test_freedom_house_rates_about_two_hundred(countries):
    rated = [c for c in countries["countries"] if c["freedom_status"] is not None]
    # 195 countries; of the rated territories, Hong Kong, Western Sahara and Palestine have a code.
    assert 190 <= len(rated) <= 200, len(rated)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("IR", "Not Free"),
        ("RU", "Not Free"),
        ("CN", "Not Free"),
        ("SY", "Not Free"),
        ("BY", "Not Free"),
        ("MM", "Not Free"),
        ("KP", "Not Free"),
        ("AF", "Not Free"),
        ("CU", "Not Free"),
        ("VE", "Not Free"),
        ("NI", "Not Free"),
        ("ER", "Not Free"),
        ("SA", "Not Free"),
        ("EG", "Not Free"),
        ("TR", "Not Free"),
        ("NE", "Not Free"),
        ("IN", "Partly Free"),
        ("UA", "Partly Free"),
        ("HU", "Partly Free"),
        ("HK", "Partly Free"),
        ("DE", "Free"),
        ("NO", "Free"),
        ("TW", "Free"),
        ("US", "Free"),
        ("VA", None),
        ("AQ", None),
        ("PR", None),
    ],
)
def test_freedom_house_2025_spot_checks(by_code, code, status):
    assert by_code[code]["freedom_status"] == status


@pytest.mark.parametrize(
    ("code", "low", "high"),
    [
        ("IN", 1_400_000_000, 1_450_000_000),
        ("CN", 1_400_000_000, 1_450_000_000),
        ("US", 330_000_000, 345_000_000),
        ("IR", 85_000_000, 92_000_000),
        ("DE", 82_000_000, 85_000_000),
        ("AF", 40_000_000, 44_000_000),
        ("VA", 1, 1_000),
        ("AQ", 0, 0),
    ],
)
def test_population_scale(by_code, code, low, high):
    assert low <= by_code[code]["population"] <= high


def test_languages_parse_with_unique_codes(languages):
    rows = languages["languages"]
    assert 55 <= len(rows) <= 80
    codes = [row["code"] for row in rows]
    assert len(set(codes)) == len(codes)
    for row in rows:
        assert set(row) == {"code", "name", "native", "rtl"}, row
        assert re.fullmatch(r"[a-z]{2}", row["code"]), row
        assert row["name"] and row["native"] and isinstance(row["rtl"], bool), row
    needed = {"ar", "fa", "ru", "zh", "uk", "be", "tr", "my", "vi", "ta", "ku", "ps", "ur"}
    needed |= {"am", "ti", "es", "fr", "en", "de", "pt", "he", "ug", "bo"}
    assert needed <= set(codes), needed - set(codes)


def test_right_to_left_languages(languages):
    rtl = {row["code"] for row in languages["languages"] if row["rtl"]}
    assert {"ar", "fa", "ur", "ps", "he"} <= rtl
    assert not {"en", "ru", "zh", "tr", "am"} & rtl
    # A right-to-left native name is written in a right-to-left script.
    for row in languages["languages"]:
        directions = {unicodedata.bidirectional(ch) for ch in row["native"] if ch.isalpha()}
        if row["rtl"]:
            assert directions & {"R", "AL"}, row
        else:
            assert not directions & {"R", "AL"}, row
