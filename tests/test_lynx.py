"""Every page read in a text browser: Debian's lynx, as someone on a very slow link would.

`lynx -dump` must show each page's heading, the labels of its forms and its content, in the
order of the page: what a text browser or a screen reader reads out, top to bottom; in English,
Arabic and Chinese.
"""

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.support.markup import Element, parse
from tests.support.realistic import (
    CHECKED_LANGUAGES,
    VISITOR_KINDS,
    Page,
    error_pages_in,
    pages_in,
    shared_site,
)
from tests.support.system import require_command

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

# Elements whose text a reader meets as one piece, in document order.
BLOCKS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "dt",
    "dd",
    "blockquote",
    "label",
    "legend",
    "button",
    "th",
    "td",
    "caption",
    "figcaption",
    "pre",
    "div",
}
ALWAYS = {"h1", "h2", "h3", "h4", "h5", "h6", "label", "legend", "button"}
INVISIBLE_CHARACTERS = dict.fromkeys(map(ord, "\u200c\u200d\u00ad\u200e\u200f"))


@pytest.fixture
def site(tmp_path_factory):
    return shared_site(tmp_path_factory)


@pytest.fixture(scope="module")
def lynx():
    return require_command("lynx", "lynx")


def normal(text: str) -> str:
    return " ".join(text.translate(INVISIBLE_CHARACTERS).split())


def dump(lynx: str, page: Page) -> str:
    completed = subprocess.run(
        [
            lynx,
            "-dump",
            "-stdin",
            "-force_html",
            "-nolist",
            "-nonumbers",
            "-assume_charset=utf-8",
            "-display_charset=utf-8",
            "-width=100",
        ],
        input=page.body,
        capture_output=True,
        timeout=30,
        check=True,
    )
    # lynx cuts a drop-down list's shown option to the field's width byte by byte, which can
    # split a Chinese character: its own drawing of the control, not text of the page
    return normal(completed.stdout.decode("utf-8", "replace"))


def reading_order(document: Element) -> list[tuple[str, str]]:
    """(tag, text) of each heading, label and piece of content, top to bottom."""
    pieces = []
    (body,) = document.iter("body")
    for element in body.iter():
        if element.tag not in BLOCKS or any(
            a.tag in ("select", "option") for a in element.ancestors()
        ):
            continue
        leaf = not any(e is not element and e.tag in BLOCKS for e in element.iter())
        text = normal(element.text())
        if text and (element.tag in ALWAYS or leaf):
            pieces.append((element.tag, text))
    return pieces


def out_of_order(document: Element, shown: str) -> list[str]:
    problems = []
    position = 0
    for tag, text in reading_order(document):
        found = shown.find(text, position)
        if found < 0:
            where = "missing" if text not in shown else "out of order"
            problems.append(f"<{tag}> {text[:60]!r} is {where}")
            continue
        position = found
    return problems


def check(lynx: str, pages: list[Page]) -> list[str]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        dumps = list(pool.map(lambda page: dump(lynx, page), pages))
    problems = []
    for page, shown in zip(pages, dumps, strict=True):
        document = parse(page.html)
        (h1,) = document.iter("h1")
        if not normal(h1.text()) or normal(h1.text()) not in shown:
            problems.append(f"{page}: the heading is not shown")
        problems += [f"{page}: {p}" for p in out_of_order(document, shown)]
    return problems


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_lynx_shows_every_page_in_reading_order(site, lynx, visitor, language):
    assert check(lynx, pages_in(site, visitor, language)) == []


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
def test_lynx_shows_forms_with_their_error_messages(site, lynx, language):
    pages = error_pages_in(site, language)
    assert check(lynx, pages) == []
    shown = " ".join(dump(lynx, page) for page in pages)
    for page in pages:
        for error in parse(page.html).iter("p"):
            if "error" in error.classes():
                assert normal(error.text()) in shown, page


def test_lynx_shows_right_to_left_text_as_written(site, lynx):
    activist = site.visitors["activist"]
    response = activist.get(f"/requests/{site.rtl_request_id}")
    page = Page("activist", "rtl request", 200, response.get_data(), "requests.show", {})
    shown = dump(lynx, page)
    assert "نیاز فوری به وکیل برای دانشجویانی" in shown
    assert "ما گروهی کوچک از داوطلبان هستیم" in shown
