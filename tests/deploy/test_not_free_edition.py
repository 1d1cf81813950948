"""The Not Free countries are pinned to the Freedom House edition the data file names.

A status changed by hand, or a new edition named without its list, fails here: whoever
updates app/data/countries.json must also write the edition's Not Free list below.
"""

from __future__ import annotations

import json
import re

from tests.deploy.tools import DATA

# Freedom in the World 2025: the 59 countries rated Not Free, plus the Not Free territories
# the data file gives a code: Western Sahara (EH), and Palestine (PS) for the West Bank and Gaza.
NOT_FREE = {
    "Freedom in the World 2025": {
        "AF", "DZ", "AO", "AZ", "BH", "BY", "BN", "BF", "BI", "KH", "CM", "CF", "TD", "CN", "CG",
        "CD", "CU", "DJ", "EG", "GQ", "ER", "SZ", "ET", "GA", "GN", "HT", "IR", "IQ", "KZ", "KW",
        "KG", "LA", "LY", "ML", "MM", "NI", "NE", "KP", "OM", "QA", "RU", "RW", "SA", "SO", "SS",
        "SD", "SY", "TJ", "TZ", "TH", "TR", "TM", "UG", "AE", "UZ", "VE", "VN", "YE", "ZW",
    }
    | {"EH", "PS"},
}  # fmt: skip


def _countries() -> dict:
    return json.loads((DATA / "countries.json").read_text("utf-8"))


def test_the_data_names_one_edition_whose_not_free_list_is_pinned():
    found = re.findall(r"Freedom in the World \d{4}", _countries()["source"]["freedom_status"])
    assert len(set(found)) == 1, found
    assert found[0] in NOT_FREE, f"write the Not Free list of {found[0]} in this test"


def test_the_not_free_countries_are_exactly_those_of_the_named_edition():
    countries = _countries()
    edition = re.search(r"Freedom in the World \d{4}", countries["source"]["freedom_status"])
    rows = countries["countries"]
    not_free = {row["code"] for row in rows if row["freedom_status"] == "Not Free"}
    assert edition is not None
    assert not_free == NOT_FREE[edition.group()]
