"""Which language each visitor reads, and which way it runs.

Tor Browser tells every site it wants English, so Accept-Language alone would serve an
Arabic-speaking activist in English. A visitor chooses instead: with a link on every page
(app/language), or with `?lang=fa` on any URL, so a link shared in a Persian channel opens in
Persian. The choice is kept in a cookie that holds only the language code, and on the account
of a signed-in user; Accept-Language still decides when nothing was chosen.

Only the languages in LANGUAGES are served. A catalog joins that list when its translation is
complete (tests/test_catalogs.py checks every catalog listed there), so a half-translated
language never reaches anyone.
"""

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, current_app, g, request
from flask_babel import Babel, get_locale

from movements.app.web.faces import CLEARNET, face_of_request

# Every catalog under app/translations: with English, the main language of almost everyone in
# the countries Freedom House rates Not Free. A new language is added here first, with an empty
# catalog.
PLANNED = ("ar", "fa", "ru", "zh_Hans", "fr", "es", "tr", "vi", "my", "am", "th", "sw", "pt")

# English (the source language) plus every catalog declared complete: all of them today. While a
# new language is being translated, list the others here by name instead (see TRANSLATING.md).
LANGUAGES = ("en", *PLANNED)

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
COOKIE = "movements_lang"
# no supported code is longer; anything longer is not worth parsing
MAX_CODE_LENGTH = 10
# the page to go back to after choosing; longer ones are not kept
MAX_NEXT_LENGTH = 512


def supported() -> tuple[str, ...]:
    return current_app.config["LANGUAGES"]


def supported_code(value: str | None) -> str | None:
    """The code itself if it is one of the served languages, otherwise None."""
    if not value or len(value) > MAX_CODE_LENGTH:
        return None
    return value if value in supported() else None


def chosen_in_url() -> str | None:
    return supported_code(request.args.get("lang"))


def select_locale() -> str:
    user = g.get("user")
    return (
        chosen_in_url()
        or supported_code(request.cookies.get(COOKIE))
        or (supported_code(user.language) if user is not None else None)
        or request.accept_languages.best_match(
            supported(), default=current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    )


def remember(response, code: str) -> None:
    """Keep the choice for the rest of the visit: the code and nothing else."""
    response.set_cookie(
        COOKIE,
        code,
        httponly=True,
        samesite="Strict",
        secure=face_of_request() == CLEARNET,
    )


def tag(locale: Locale) -> str:
    """The BCP 47 tag for lang and hreflang attributes: zh_Hans is written zh-Hans there."""
    return str(locale).replace("_", "-")


def text_direction(locale: Locale | None = None) -> str:
    locale = locale or get_locale()
    return "rtl" if locale.character_order == "right-to-left" else "ltr"


@dataclass(frozen=True)
class Language:
    """What a link to a language needs: its name in itself, its tag and its direction."""

    code: str
    name: str
    tag: str
    direction: str


@cache  # every page names its language; CLDR's data need not be read for it each time
def language(code: str) -> Language:
    locale = Locale.parse(code)
    # CLDR writes some names in lower case ("русский"); on its own in a list it starts a line
    name = locale.display_name[:1].upper() + locale.display_name[1:]
    return Language(code, name, tag(locale), text_direction(locale))


def this_page() -> str:
    """Where the language page sends the visitor back to: this page, without `lang`."""
    if request.method != "GET":
        return "/"
    query = [(key, value) for key, value in request.args.items(multi=True) if key != "lang"]
    return request.path + ("?" + urlencode(query) if query else "")


def init_app(app: Flask) -> None:
    app.config.setdefault("LANGUAGES", LANGUAGES)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        text_direction=text_direction,
        current_locale=get_locale,
        language_tag=tag,
        language_of=language,
        this_page=this_page,
    )

    @app.after_request
    def _remember_choice_from_url(response):
        code = chosen_in_url() if request.endpoint != "static" else None
        if code is not None and request.cookies.get(COOKIE) != code:
            remember(response, code)
        return response
