"""Parts of pages that many visitors see alike, rendered once and kept: `{% kept a, b %}`.

The header, the footer and each row of a list of requests are the same for everyone who reads
the page in one language, but a signed-in visitor's page is rendered for them alone, and these
parts cost most of its rendering. A kept part is keyed by everything it shows: its place in its
template, the page's language, the script root its links start with, and the values its tag
names. So it is a pure function of its key: no copy is ever stale, and none shows one visitor
what was rendered for another.

That holds only if the part shows nothing beyond its key. The tag checks it when the template
is compiled: a part that reads a name that is neither one of its key's values, nor set inside
it, nor one of the few names that are the same for a whole language (below) is a template
error, so a CSRF token or a visitor's name cannot slip into a kept part unnoticed.

A kept row holds a request's title in memory. So that no title outlives its request there for
long (one withdrawn, removed or deleted with its account), every change made through the site
empties the store, as it empties the kept pages (app/web/pagecache.py), and a part is kept at
most KEPT_SECONDS, which bounds it for changes made through another process.
"""

from typing import ClassVar

from flask import Flask, current_app, get_template_attribute, has_request_context, request
from flask_babel import get_locale
from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.ext import Extension
from markupsafe import Markup

from movements.app.web.kept import KeptCopies

# names whose values are the same for every page in one language and script root
SAME_FOR_A_LANGUAGE = frozenset(
    {
        "_",
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "url_for",
        "asset_url",
        "page_locale",
        "page_catalog",
        "country_names",
        "language_names",
        "skill_names",
        "urgency_names",
        "statuses",
        "offer_statuses",
        "match_statuses",
        "loop",
    }
)
KEPT_PARTS = 20_000  # a row is about 400 bytes: at most some 8 MiB in all
KEPT_SECONDS = 300.0
CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class KeptFragments(Extension):
    tags: ClassVar[set[str]] = {"kept"}

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(kept_parts=KeptCopies(KEPT_PARTS))

    def parse(self, parser):
        tag = next(parser.stream)
        values = []
        while parser.stream.current.type != "block_end":
            if values:
                parser.stream.expect("comma")
            values.append(parser.parse_expression())
        body = parser.parse_statements(("name:endkept",), drop_needle=True)
        _check_shows_only_its_key(values, body, parser.name, tag.lineno)
        place = nodes.Const((parser.name, tag.lineno))
        key = nodes.Tuple([place, nodes.Name("page_locale", "load"), *values], "load")
        call = self.call_method("_kept", [key])
        return nodes.CallBlock(call, [], [], body).set_lineno(tag.lineno)

    def _kept(self, key, caller) -> Markup:
        place, locale, *values = key
        if not isinstance(locale, str):  # a macro imported without the page's context
            locale = str(get_locale())
        key = (place, locale, _script_root(), *values)
        parts = self.environment.kept_parts
        part = parts.get(key, KEPT_SECONDS)
        if part is None:
            # the part as its template rendered it, escaped already: kept as the same Markup
            part = Markup(caller())  # noqa: S704
            parts.put(key, part)
        return part


def _script_root() -> str:
    """Where the part's links start: a page rendered outside a request (a mail) has none."""
    return request.script_root if has_request_context() else ""


def _check_shows_only_its_key(values, body, template: str | None, lineno: int) -> None:
    keyed = {value.name for value in values if isinstance(value, nodes.Name)}
    set_inside = {
        name.name
        for node in body
        for name in node.find_all(nodes.Name)
        if name.ctx in ("store", "param")
    }
    allowed = keyed | set_inside | SAME_FOR_A_LANGUAGE
    for node in body:
        for name in node.find_all(nodes.Name):
            if name.ctx == "load" and name.name not in allowed:
                raise TemplateSyntaxError(
                    f"a kept part shows `{name.name}`, which is not in its key",
                    lineno,
                    template,
                )


def kept_field(field) -> Markup:
    """`forms.field(field)` as first rendered, for a field that says in `shown()` everything
    its HTML depends on (app/web/filter_fields.py): the filters over a list are on every
    visit's page, and rendering one field cost a tenth of the page."""
    key = ("forms.field", str(get_locale()), _script_root(), field.shown())
    parts = current_app.jinja_env.kept_parts
    part = parts.get(key, KEPT_SECONDS)
    if part is None:
        part = get_template_attribute("forms.html", "field")(field)
        parts.put(key, part)
    return part


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension(KeptFragments)
    app.jinja_env.globals["kept_field"] = kept_field

    @app.after_request
    def _forget_kept_parts_after_a_change(response):
        if request.method in CHANGING_METHODS and response.status_code < 400:
            app.jinja_env.kept_parts.clear()
        return response
