"""Language and direction for each visitor, chosen from what their browser asks for."""

from flask import Flask, request
from flask_babel import Babel, get_locale

from .taxonomy import RTL_LANGUAGES

SUPPORTED_LOCALES = ["en"]


def select_locale() -> str:
    return request.accept_languages.best_match(SUPPORTED_LOCALES) or "en"


def text_direction() -> str:
    return "rtl" if get_locale().language in RTL_LANGUAGES else "ltr"


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(text_direction=text_direction, current_locale=get_locale)
