"""/language: every served language in its own name, chosen with a plain link (no script).

`/language?set=fa&next=/requests` keeps the choice and sends the visitor back to the page they
came from. Only a path on this site is followed; anything else leads to the front page.
"""

import unicodedata

from flask import Blueprint, g, redirect, render_template, request

from movements.app.language.rules import choose_language
from movements.app.web import i18n


def safe_next(value: str | None) -> str:
    """A path on this site ("/x", never "//host" or "/\\host"), or the front page."""
    if (
        not value
        or len(value) > i18n.MAX_NEXT_LENGTH
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(c.isspace() or unicodedata.category(c)[0] == "C" for c in value)
    ):
        return "/"
    return value


def make_blueprint() -> Blueprint:
    bp = Blueprint("language", __name__)

    @bp.get("/language")
    def choose():
        back = safe_next(request.args.get("next"))
        code = i18n.supported_code(request.args.get("set"))
        if code is None:
            # an unknown or hostile code changes nothing: the list again, in the current language
            languages = [i18n.language(code) for code in i18n.supported()]
            return render_template("language/choose.html", languages=languages, back=back)
        if g.user is not None:
            choose_language(g.user, code)
        response = redirect(back, code=303)
        i18n.remember(response, code)
        return response

    return bp
