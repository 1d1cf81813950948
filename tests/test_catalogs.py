"""The catalogs stay in step with the code, and only complete, undamaged ones are served.

Run alone with `python -m pytest tests/test_catalogs.py` (TRANSLATING.md tells translators).
"""

import pytest
from babel.messages.catalog import Catalog

from movements.app.web.i18n import LANGUAGES, PLANNED
from tests.support.catalogs import (
    TEMPLATE,
    catalog_path,
    damaged,
    extract,
    msgids,
    read,
    untranslated,
)


def test_the_template_holds_every_message_of_the_code(tmp_path):
    """Fails when a string was added or changed without `make catalogs`."""
    now = msgids(extract(tmp_path / "now.pot"))
    committed = msgids(read(TEMPLATE))
    assert {"new in the code": now - committed, "gone from it": committed - now} == {
        "new in the code": set(),
        "gone from it": set(),
    }


@pytest.mark.parametrize("code", PLANNED)
def test_each_catalog_has_every_message_of_the_template(code):
    assert msgids(read(catalog_path(code))) == msgids(read(TEMPLATE))


@pytest.mark.parametrize("code", PLANNED)
def test_each_catalog_says_who_translated_it_and_whether_a_native_speaker_reviewed_it(code):
    path = catalog_path(code)
    first_lines = path.read_text("utf-8").splitlines()[:5]
    assert any(line.startswith("# Review status: ") for line in first_lines)
    translator = read(path).last_translator
    assert translator and "FULL NAME" not in translator


def test_only_english_and_planned_languages_are_served():
    assert LANGUAGES[0] == "en" and set(LANGUAGES[1:]) <= set(PLANNED)


def test_every_served_language_is_translated_in_full():
    missing = {}
    for code in LANGUAGES[1:]:
        left = untranslated(read(catalog_path(code)))
        if left:
            missing[code] = f"{len(left)} untranslated, first: {left[:3]}"
    assert missing == {}


@pytest.mark.parametrize("code", PLANNED)
def test_no_translation_loses_or_adds_a_placeholder_or_changes_markup(code):
    assert damaged(read(catalog_path(code))) == []


# The checks themselves, on a small catalog with known faults


def persian(*entries) -> Catalog:
    catalog = Catalog(locale="fa")  # two plural forms
    for english, translated, *flags in entries:
        catalog.add(english, translated, flags=flags)
    return catalog


RATINGS = ("%(average)s of 5 from %(num)d rating", "%(average)s of 5 from %(num)d ratings")


def test_a_complete_careful_translation_passes():
    catalog = persian(
        ("Sign up", "ثبت‌نام"),
        ("Hello %(name)s", "سلام %(name)s"),
        ('Read <a href="/trust">this</a>', '<a href="/trust">این</a> را بخوانید'),
        (RATINGS, ("%(average)s از ۵، یک امتیاز", "%(average)s از ۵ از %(num)d امتیاز")),
    )
    assert untranslated(catalog) == [] and damaged(catalog) == []


def test_missing_empty_fuzzy_and_short_plural_translations_are_untranslated():
    catalog = persian(
        ("Sign up", ""),
        ("Log in", "ورود", "fuzzy"),
        (RATINGS, ("%(average)s از ۵ از %(num)d امتیاز",)),
        ("Requests", "درخواست‌ها"),
    )
    assert untranslated(catalog) == ["Sign up", "Log in", RATINGS[0]]


@pytest.mark.parametrize(
    ("english", "translated"),
    [
        ("Hello %(name)s", "سلام"),
        ("Hello %(name)s", "سلام %(nom)s"),
        ("Hello %(name)s", "سلام %(name)s %(id)d"),
        ("Hello {name}", "سلام {nom}"),
        ("Report %(id)d", "گزارش %(id)s"),
        ('Read <a href="/trust">this</a>', "این را بخوانید"),
        ('Read <a href="/trust">this</a>', '<a href="//evil.example">این</a>'),
        ("Read this", "<b>این</b> را بخوانید"),
        (RATINGS, ("%(average)s از ۵", "%(average)s از ۵")),
        (RATINGS, ("یک امتیاز", "%(num)d امتیاز %(x)s")),
    ],
)
def test_a_lost_added_or_changed_placeholder_or_tag_is_caught(english, translated):
    assert damaged(persian((english, translated))) != []
