"""Language and direction for each visitor, chosen from what their browser asks for.

The languages on offer are the catalogs under app/translations (plus English, the source
language); adding Arabic or Persian is adding a catalog, with no change to any template.
"""

from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale

from movements.app.core.taxonomy import RTL_LANGUAGES

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def available_locales() -> list[str]:
    return current_app.extensions["movements_locales"]


def select_locale() -> str:
    return request.accept_languages.best_match(available_locales()) or "en"


def text_direction() -> str:
    return "rtl" if get_locale().language in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    babel = Babel(app, locale_selector=select_locale)
    with app.app_context():
        app.extensions["movements_locales"] = sorted(
            {"en", *(str(locale) for locale in babel.list_translations())}
        )
    app.jinja_env.globals.update(text_direction=text_direction, current_locale=get_locale)
