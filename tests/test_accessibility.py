"""Accessibility of every page, for every kind of visitor, over realistic data.

What a screen-reader or keyboard user needs: a label for every control, one h1 and no
skipped heading level, the page's language, errors tied to the field they are about, text
that stands out from its background (4.5:1, computed from the stylesheet) and a visible
focus outline. The checks of pages run in English, Arabic and Chinese.
"""

import re
from itertools import pairwise

import pytest

from movements.app.factory import create_app
from tests.support.markup import Element, by_id, heading_level, parse
from tests.support.realistic import (
    CHECKED_LANGUAGES,
    VISITOR_KINDS,
    error_pages_in,
    pages_in,
    shared_site,
)

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

STYLESHEET = create_app.__globals__["PACKAGE_ROOT"] / "static" / "style.css"
TEXT_CONTRAST = 4.5
NON_TEXT_CONTRAST = 3.0  # WCAG 1.4.11: focus outlines and other states
LABELLABLE = ("input", "select", "textarea")
UNLABELLED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}
INTERACTIVE = ("a", "button", "input", "select", "textarea")
NAMED_COLOURS = {"white": "#ffffff", "black": "#000000"}
RIGHT_TO_LEFT = {"ar", "fa"}


@pytest.fixture
def site(tmp_path_factory):
    return shared_site(tmp_path_factory)


def pages_with_errors(site, visitor, language):
    errors = error_pages_in(site, language)
    return pages_in(site, visitor, language) + [p for p in errors if p.visitor == visitor]


# --- the markup ----------------------------------------------------------------


def unlabelled_controls(document: Element) -> list[str]:
    ids = by_id(document)
    labelled = {label.attrs.get("for") for label in document.iter("label")}
    missing = []
    for control in document.iter(*LABELLABLE):
        if control.attrs.get("type") in UNLABELLED_INPUT_TYPES:
            continue
        named_by = control.attrs.get("aria-labelledby", "").split()
        if (
            control.attrs.get("id") in labelled
            or any(a.tag == "label" for a in control.ancestors())
            or (named_by and all(i in ids and ids[i].text() for i in named_by))
            or control.attrs.get("aria-label", "").strip()
        ):
            continue
        missing.append(repr(control))
    for label in document.iter("label"):
        if not label.text():
            missing.append(f"an empty label for {label.attrs.get('for')}")
        target = ids.get(label.attrs.get("for", ""))
        if "for" in label.attrs and (target is None or target.tag not in LABELLABLE):
            missing.append(f"a label for {label.attrs['for']}, which is not a control here")
    for button in document.iter("button"):
        if not (button.text() or button.attrs.get("aria-label")):
            missing.append("a button without a name")
    return missing


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_every_form_control_has_a_label(site, visitor, language):
    problems = []
    for page in pages_with_errors(site, visitor, language):
        problems += [f"{page}: {p}" for p in unlabelled_controls(parse(page.html))]
    assert problems == []


def heading_problems(document: Element) -> list[str]:
    levels = [heading_level(e) for e in document.iter() if heading_level(e)]
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1 elements")
    if levels and levels[0] != 1:
        problems.append(f"the first heading is h{levels[0]}")
    for before, after in pairwise(levels):
        if after > before + 1:
            problems.append(f"h{before} is followed by h{after}")
    return problems


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_one_h1_per_page_and_no_skipped_heading_level(site, visitor, language):
    problems = []
    for page in pages_with_errors(site, visitor, language):
        problems += [f"{page}: {p}" for p in heading_problems(parse(page.html))]
    assert problems == []


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_every_page_says_its_language_and_direction(site, visitor, language):
    tag, direction = language.replace("_", "-"), "rtl" if language in RIGHT_TO_LEFT else "ltr"
    problems = []
    for page in pages_with_errors(site, visitor, language):
        (html,) = parse(page.html).iter("html")
        if html.attrs.get("lang") != tag:
            problems.append(f"{page}: lang={html.attrs.get('lang')!r}")
        if html.attrs.get("dir") != direction:
            problems.append(f"{page}: dir={html.attrs.get('dir')!r}")
    assert problems == []


def referenced_ids(document: Element) -> set[str]:
    """Ids that labels, descriptions and in-page links point at."""
    found = set()
    for element in document.iter():
        found.add(element.attrs.get("for", ""))
        found.update(element.attrs.get("aria-describedby", "").split())
        found.update(element.attrs.get("aria-labelledby", "").split())
        if element.attrs.get("href", "").startswith("#"):
            found.add(element.attrs["href"][1:])
    return found - {""}


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_what_labels_and_descriptions_point_at_exists_once(site, visitor, language):
    problems = []
    for page in pages_with_errors(site, visitor, language):
        document = parse(page.html)
        ids = [e.attrs["id"] for e in document.iter() if "id" in e.attrs]
        for wanted in sorted(referenced_ids(document)):
            if ids.count(wanted) != 1:
                problems.append(f"{page}: id {wanted} is there {ids.count(wanted)} times")
    assert problems == []


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_a_list_of_checkboxes_never_demands_every_box(site, visitor, language):
    """`required` on each box of a group makes the browser refuse the form until all are ticked."""
    problems = []
    for page in pages_with_errors(site, visitor, language):
        boxes = [i for i in parse(page.html).iter("input") if i.attrs.get("type") == "checkbox"]
        names = [box.attrs.get("name") for box in boxes]
        for box in boxes:
            if names.count(box.attrs.get("name")) > 1 and "required" in box.attrs:
                problems.append(f"{page}: every {box.attrs['name']} box is required")
                break
    assert problems == []


def untied_errors(document: Element) -> list[str]:
    problems = []
    for form in document.iter("form"):
        described = {}
        for element in form.iter():
            for ref in element.attrs.get("aria-describedby", "").split():
                described[ref] = element
        for error in form.iter():
            if "error" not in error.classes():
                continue
            field = described.get(error.attrs.get("id", ""))
            if field is None:
                problems.append(f"error {error.text()!r} is tied to no field")
            elif field.attrs.get("aria-invalid") != "true":
                problems.append(f"{field!r} has an error but no aria-invalid")
    return problems


@pytest.mark.parametrize("language", CHECKED_LANGUAGES)
def test_form_errors_are_tied_to_their_fields(site, language):
    problems = []
    for page in error_pages_in(site, language):
        document = parse(page.html)
        if not any("error" in e.classes() for form in document.iter("form") for e in form.iter()):
            problems.append(f"{page}: shows no error message in its form")
        problems += [f"{page}: {p}" for p in untied_errors(document)]
    assert problems == []


# --- the stylesheet --------------------------------------------------------------


def css_rules(css: str) -> list[tuple[str, dict[str, str]]]:
    """(selector, declarations) of every rule, those inside @media blocks included."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", css)
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = {}
        for declaration in body.split(";"):
            name, _, value = declaration.partition(":")
            if value.strip():
                declarations[name.strip().lower()] = value.strip()
        rules.append((" ".join(selector.split()), declarations))
    return rules


def resolve(value: str, properties: dict[str, str]) -> str:
    for _ in range(10):
        value = re.sub(r"var\((--[\w-]+)\)", lambda m: properties[m.group(1)], value)
    return value.strip().lower()


def colour_in(value: str) -> str | None:
    """The colour a `color`/`background` value paints, or None when it paints none."""
    if value in ("none", "transparent", "inherit", "currentcolor"):
        return None
    value = NAMED_COLOURS.get(value, value)
    found = re.search(r"#[0-9a-f]{3}\b|#[0-9a-f]{6}\b", value)
    if found is None:
        raise AssertionError(f"cannot read the colour in {value!r}; teach this test")
    hex_digits = found.group(0)[1:]
    if len(hex_digits) == 3:
        hex_digits = "".join(d * 2 for d in hex_digits)
    return f"#{hex_digits}"


def luminance(colour: str) -> float:
    channels = []
    for i in (1, 3, 5):
        c = int(colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def stylesheet():
    rules = css_rules(STYLESHEET.read_text())
    properties = {}
    for _selector, declarations in rules:
        properties.update({k: v for k, v in declarations.items() if k.startswith("--")})
    return rules, properties


def painted() -> tuple[dict[str, str], dict[str, str], set[tuple[str, str, str]]]:
    """Backgrounds that text sits on, text colours that sit on them, and rules that set both.

    A rule that sets both paints its own pair; a text colour without its own background can
    sit on any background the stylesheet paints without setting a text colour (and the page's).
    """
    rules, properties = stylesheet()
    surfaces, floating, own = {}, {}, set()
    for selector, declarations in rules:
        fg = declarations.get("color")
        bg = declarations.get("background-color", declarations.get("background"))
        fg = colour_in(resolve(fg, properties)) if fg else None
        bg = colour_in(resolve(bg, properties)) if bg else None
        if fg and bg:
            own.add((fg, bg, selector))
            if selector in ("body", "html", ":root"):
                floating[fg], surfaces[bg] = selector, selector
        elif fg:
            floating[fg] = selector
        elif bg:
            surfaces[bg] = selector
    assert surfaces and floating, "the stylesheet paints no text or no background"
    return surfaces, floating, own


def colour_pairs() -> set[tuple[str, str, str]]:
    surfaces, floating, own = painted()
    crossed = {
        (fg, bg, f"{where} on {place}")
        for fg, where in floating.items()
        for bg, place in surfaces.items()
    }
    return crossed | own


def test_every_text_colour_contrasts_4_5_to_1_with_its_background():
    weak = [
        f"{where}: {fg} on {bg} is {contrast(fg, bg):.2f}:1"
        for fg, bg, where in sorted(colour_pairs())
        if contrast(fg, bg) < TEXT_CONTRAST
    ]
    assert weak == []


def focus_outlines() -> dict[str, str]:
    """Which interactive elements get an outline on keyboard focus, and its declaration."""
    rules, properties = stylesheet()
    outlined = {}
    for selector, declarations in rules:
        outline = resolve(declarations.get("outline", ""), properties)
        for part in selector.split(","):
            part = part.strip()
            if part.endswith(":focus-visible") and outline:
                outlined[part.removesuffix(":focus-visible").split()[-1]] = outline
    return outlined


def test_keyboard_focus_is_visible_on_every_interactive_element():
    outlined = focus_outlines()
    rules, properties = stylesheet()
    surfaces, _text, _own = painted()  # the outline is drawn around an element, on these
    problems = []
    for tag in INTERACTIVE:
        outline = outlined.get(tag)
        if outline is None:
            problems.append(f"{tag}:focus-visible has no outline")
            continue
        width = re.search(r"(\d+(?:\.\d+)?)px", outline)
        if "none" in outline or width is None or float(width.group(1)) < 2:
            problems.append(f"{tag}:focus-visible outline {outline!r} is thinner than 2px")
        colour = colour_in(outline)
        problems += [
            f"{tag} focus outline {colour} on {bg} is {contrast(colour, bg):.2f}:1"
            for bg in sorted(surfaces)
            if contrast(colour, bg) < NON_TEXT_CONTRAST
        ]
    for selector, declarations in rules:
        if resolve(declarations.get("outline", "x"), properties) in ("none", "0"):
            problems.append(f"{selector} removes the focus outline")
    assert problems == []
