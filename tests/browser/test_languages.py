"""Every core page in every served language, in Chromium with JavaScript off.

On a 360-px phone no page scrolls sideways in any of the fourteen languages, with text that
strains it (a long compound word, a long URL, Burmese without spaces, the longest username).
Arabic and Persian pages are mirrored, while the names and codes people copy still read left
to right. Screenshots of the core pages in Arabic, Persian and Burmese, at both widths, go to
artifacts/browser/.
"""

from itertools import pairwise

import pytest
from selenium.webdriver.common.by import By

from movements.app.web.i18n import LANGUAGES

from .marketplace import ACTIVIST, PASSWORD, PROVIDER, build
from .person import Person
from .words import Words

pytestmark = pytest.mark.browser

SHOWN_IN_SCREENSHOTS = ("ar", "fa", "my")
RIGHT_TO_LEFT = ("ar", "fa")

# Read through DevTools, as in person.py: the pages themselves run no script.
WIDTHS = "const page = document.documentElement; return [page.scrollWidth, page.clientWidth];"
GLYPH_LEFTS = """
const lefts = [];
const range = document.createRange();
const walker = document.createTreeWalker(arguments[0], NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  for (let i = 0; i < node.length; i++) {
    range.setStart(node, i);
    range.setEnd(node, i + 1);
    const box = range.getBoundingClientRect();
    if (box.width > 0) lefts.push(box.left);
  }
}
return lefts;
"""
TEXT_EDGES = """
const range = document.createRange();
range.selectNodeContents(arguments[0]);
const box = range.getBoundingClientRect();
return [box.left, box.right];
"""


@pytest.fixture(scope="module")
def marketplace(live_server):
    return build(live_server)


def in_language(path: str, locale: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={locale}"


def sign_in(person: Person, username: str) -> None:
    person.visit("/login?lang=en")
    person.fill("Username", username)
    person.fill("Password", PASSWORD)
    person.press("Log in")
    assert person.driver.find_elements(By.XPATH, "//button[normalize-space()='Log out']")


def tour(person: Person, marketplace, locales, shown: tuple[str, ...]) -> list[str]:
    """Every core page in each language, signed out then signed in; the pages wider than
    the screen. Pages in the `shown` languages are kept as screenshots."""
    wide = []

    def look(name: str, path: str, locale: str) -> None:
        person.visit(in_language(path, locale))
        html = person.driver.find_element(By.TAG_NAME, "html")
        assert html.get_attribute("lang") == locale.replace("_", "-"), f"{path} not in {locale}"
        scroll_width, client_width = person.driver.execute_script(WIDTHS)
        if scroll_width > client_width:
            wide.append(f"{locale} {name}: {scroll_width}px wide on a {client_width}px screen")
        if locale in shown:
            person.shot(f"{locale}-{name}")

    for locale in locales:
        for name, path in marketplace.public_pages().items():
            look(name, path, locale)
    sign_in(person, ACTIVIST)
    for locale in locales:
        for name, path in marketplace.activist_pages().items():
            look(name, path, locale)
    return wide


def test_no_core_page_scrolls_sideways_on_a_phone_in_any_language(marketplace, chromium, artifacts):
    phone = Person(chromium("phone"), marketplace.base, "phone", artifacts, "phone")
    wide = tour(phone, marketplace, LANGUAGES, SHOWN_IN_SCREENSHOTS)
    assert wide == [], "\n".join(wide)
    assert phone.problems == [], "\n".join(phone.problems)


def test_core_pages_in_arabic_persian_and_burmese_fit_a_desktop_screen(
    marketplace, chromium, artifacts
):
    desktop = Person(chromium("desktop"), marketplace.base, "desktop", artifacts, "desktop")
    wide = tour(desktop, marketplace, SHOWN_IN_SCREENSHOTS, SHOWN_IN_SCREENSHOTS)
    assert wide == [], "\n".join(wide)
    assert desktop.problems == [], "\n".join(desktop.problems)


def left_edges(person: Person, element) -> list[float]:
    """Where each character of the element is drawn, in the order it is written."""
    return person.driver.execute_script(GLYPH_LEFTS, element)


def reads_left_to_right(person: Person, element) -> bool:
    edges = left_edges(person, element)
    return len(edges) > 1 and all(before < after for before, after in pairwise(edges))


def right(element) -> float:
    return element.rect["x"] + element.rect["width"]


def text_edges(person: Person, element) -> tuple[float, float]:
    """Where the element's text starts and ends on the screen, left and right."""
    return tuple(person.driver.execute_script(TEXT_EDGES, element))


@pytest.mark.parametrize("locale", ["en", *RIGHT_TO_LEFT])
def test_the_layout_is_mirrored_in_right_to_left_languages(
    marketplace, chromium, artifacts, locale
):
    person = Person(chromium("desktop"), marketplace.base, "desktop", artifacts, locale)
    person.visit(in_language("/login", locale))
    nav = person.driver.find_element(By.CSS_SELECTOR, "header nav ul")
    first, second = person.driver.find_elements(By.CSS_SELECTOR, "header nav li")[:2]
    heading = person.driver.find_element(By.TAG_NAME, "h1")
    text_left, text_right = text_edges(person, heading)
    if locale in RIGHT_TO_LEFT:
        assert first.rect["x"] > second.rect["x"]
        assert abs(right(first) - right(nav)) < 1
        assert abs(text_right - right(heading)) < 1
    else:
        assert first.rect["x"] < second.rect["x"]
        assert abs(first.rect["x"] - nav.rect["x"]) < 1
        assert abs(text_left - heading.rect["x"]) < 1
    person.shot("login")
    assert person.problems == []


@pytest.mark.parametrize("locale", RIGHT_TO_LEFT)
def test_names_and_recovery_codes_read_left_to_right_on_right_to_left_pages(
    marketplace, chromium, artifacts, locale
):
    words = Words(locale)
    person = Person(chromium("desktop"), marketplace.base, "desktop", artifacts, locale)
    person.visit(in_language("/signup", locale))
    person.fill(words("Username"), f"omid_{locale}")
    person.fill(words("Password"), PASSWORD)
    person.fill(words("Password again"), PASSWORD)
    person.choose(words("I can help"))
    person.choose(words("I have read the notice above and understand it."))
    person.press(words("Create my account"))
    assert person.heading() == words("Your recovery codes"), person.errors()
    assert person.driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
    codes = person.driver.find_elements(By.CSS_SELECTOR, "ol li code")
    assert len(codes) == 6
    assert {c.value_of_css_property("direction") for c in codes} == {"ltr"}
    assert [c.text for c in codes if not reads_left_to_right(person, c)] == []
    person.shot("recovery-codes")

    person.visit(f"/users/{PROVIDER}")
    name = person.driver.find_element(By.TAG_NAME, "h1")
    assert name.text == PROVIDER and reads_left_to_right(person, name)
    person.shot("profile")
    assert person.problems == []
