"""Every language from the first page: gettext everywhere, right-to-left without new templates."""

import subprocess
import sys

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from movements.app.factory import create_app
from tests.support.serving import ROOT as ROOT_DIR


def arabic_catalog(directory):
    catalog = Catalog(locale="ar")
    catalog.add("Sign up", "إنشاء حساب")
    catalog.add("Requests for help", "طلبات المساعدة")
    target = directory / "ar" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)


def test_an_added_catalog_turns_pages_right_to_left(tmp_path):
    arabic_catalog(tmp_path / "translations")
    app = create_app(
        {
            "TESTING": True,
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations"),
            "LANGUAGES": ("en", "ar"),
        },
        instance_path=tmp_path / "instance",
    )
    page = app.test_client().get("/requests", headers={"Accept-Language": "ar, en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in html
    assert "طلبات المساعدة" in html and "إنشاء حساب" in html
    english = app.test_client().get("/requests", headers={"Accept-Language": "de, en;q=0.5"})
    assert '<html lang="en" dir="ltr">' in english.get_data(as_text=True)


def test_the_message_catalog_extracts_from_templates_and_code(tmp_path):
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    extracted = pot.read_text()
    for message in (
        "Sign up",
        "Only people who need help post requests.",
        "Your recovery codes",
        "Legal",
    ):
        assert f'msgid "{message}"' in extracted
