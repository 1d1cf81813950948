"""What a person reads in their language: the site's own compiled catalogs and CLDR's names.

A test that clicks "Sign up" in Arabic asks for `Words("ar")("Sign up")` and gets the words
the page shows, so the same journey runs in every language without a table kept by hand.
"""

from functools import cached_property

from babel import Locale
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from tests.support.serving import ROOT

CATALOGS = ROOT / "app" / "translations"


class Words:
    def __init__(self, locale: str):
        self.locale = locale

    @cached_property
    def _catalog(self) -> NullTranslations:
        if self.locale == "en":  # the source language: the messages are their own text
            return NullTranslations()
        found = Translations.load(CATALOGS, [self.locale])
        assert isinstance(found, Translations), f"no compiled catalog for {self.locale}"
        return found

    def __call__(self, message: str, **values) -> str:
        """One message as the page shows it, its placeholders filled as the app fills them."""
        text = self._catalog.gettext(message)
        return text % values if values else text

    def plural(self, singular: str, plural: str, number: int, **values) -> str:
        text = self._catalog.ngettext(singular, plural, number)
        return text % {"num": number, **values}

    def decimal(self, number: float, pattern: str) -> str:
        return format_decimal(number, pattern, locale=self.locale)

    def country(self, code: str) -> str:
        return Locale.parse(self.locale).territories[code]

    def language(self, code: str) -> str:
        return Locale.parse(self.locale).languages[code]
