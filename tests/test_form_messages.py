"""WTForms' own error messages come from this site's catalogs, in the visitor's language."""

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from wtforms.i18n import messages_path

from movements.app.factory import create_app
from movements.app.web.forms import WTFORMS_MESSAGES
from tests.support.accounts import post


def msgid(message):
    """The msgid a lazy gettext or ngettext string was made from."""
    return message._args[0] if len(message._args) == 1 else tuple(message._args[:2])


def test_the_listed_messages_are_word_for_word_those_of_wtforms():
    with open(Path(messages_path()) / "wtforms.pot", "rb") as handle:
        theirs = {message.id for message in read_po(handle) if message.id}
    assert [msgid(m) for m in WTFORMS_MESSAGES if msgid(m) not in theirs] == []


@pytest.fixture
def french(tmp_path):
    catalog = Catalog(locale="fr")
    catalog.add("This field is required.", "Ce champ est obligatoire.")
    catalog.add(
        (
            "Field cannot be longer than %(max)d character.",
            "Field cannot be longer than %(max)d characters.",
        ),
        (  # CLDR gives French three forms: one, many (a million…), other
            "Le champ ne peut pas dépasser %(max)d caractère.",
            "Le champ ne peut pas dépasser %(max)d de caractères.",
            "Le champ ne peut pas dépasser %(max)d caractères.",
        ),
    )
    target = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with open(target / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    return create_app(
        {
            "TESTING": True,
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations"),
            "LANGUAGES": ("en", "fr"),
        },
        instance_path=tmp_path / "instance",
    )


def test_a_missing_field_is_explained_in_the_visitors_language(french):
    client = french.test_client()
    client.get("/language?set=fr")
    refused = post(client, "/login", {"username": "", "password": ""})
    assert refused.status_code == 400
    assert "Ce champ est obligatoire." in refused.get_data(as_text=True)


def test_a_too_long_field_is_explained_with_the_languages_plural(french):
    client = french.test_client()
    client.get("/language?set=fr")
    refused = post(client, "/login", {"username": "u" * 65, "password": "x"})
    assert "Le champ ne peut pas dépasser 64 caractères." in refused.get_data(as_text=True)
