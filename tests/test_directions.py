"""Right to left done properly: user text finds its own direction, machine strings stay LTR,
and the stylesheet mirrors itself because it names no physical side."""

import re

import pytest

from tests.support.accounts import make_user, post, sign_in
from tests.support.markup import parse
from tests.support.realistic import accept_first_offer, ask_for_help, offer_help
from tests.support.serving import ROOT

PERSIAN_TITLE = "وکیل برای سه روزنامه‌نگار بازداشت‌شده"
PERSIAN_TEXT = "سه روزنامه‌نگار هفته گذشته بازداشت شدند و به مشاوره حقوقی نیاز دارند."
ENGLISH_OFFER = "I am a lawyer and have defended journalists before; I can help this week."
PERSIAN_MESSAGE = "سلام، ممنون از کمک شما. کی می‌توانیم صحبت کنیم؟"
PHYSICAL = re.compile(
    r"(?<![\w-])(?:margin|padding|border)-(?:left|right)\b"
    r"|(?<![\w-])(?:left|right)\s*:"
    r"|(?:text-align|float|clear)\s*:\s*(?:left|right)"
    r"|border-(?:top|bottom)-(?:left|right)-radius"
)


@pytest.fixture
def journey(app):
    activist, provider = app.test_client(), app.test_client()
    sign_in(activist, make_user("leila", "activist"))
    sign_in(provider, make_user("lawyer_anna", "provider"))
    help_request_id = ask_for_help(activist, PERSIAN_TITLE, PERSIAN_TEXT)
    offer_help(provider, help_request_id, ENGLISH_OFFER)
    match_id = accept_first_offer(activist, help_request_id)
    post(activist, f"/matches/{match_id}/messages", {"text": PERSIAN_MESSAGE})
    post(activist, "/account/profile", {"bio": PERSIAN_TEXT, "skills": ["press"]})
    return activist, provider, help_request_id, match_id


def holders(html: str, text: str):
    """The innermost elements of the page's main content showing `text`."""
    (main,) = parse(html).iter("main")
    found = [e for e in main.iter() if text in e.text()]
    return [
        e for e in found if not any(text in child.text() for child in e.iter() if child is not e)
    ]


def isolated(element, direction: str) -> bool:
    for each in [element, *element.ancestors()]:
        if each.attrs.get("dir") == direction or (direction == "auto" and each.tag == "bdi"):
            return True
        if each.tag in ("main", "body"):
            return False
    return False


def test_user_text_on_the_core_pages_takes_its_own_direction(journey):
    activist, provider, help_request_id, match_id = journey
    pages = {
        "/": (activist, [PERSIAN_TITLE]),
        "/requests?status=matched": (provider, [PERSIAN_TITLE]),
        f"/requests/{help_request_id}": (activist, [PERSIAN_TITLE, PERSIAN_TEXT, ENGLISH_OFFER]),
        f"/matches/{match_id}": (provider, [PERSIAN_TITLE, PERSIAN_MESSAGE]),
        "/matches": (provider, [PERSIAN_TITLE]),
        "/users/leila": (provider, [PERSIAN_TEXT]),
    }
    wrong = []
    for url, (client, texts) in pages.items():
        html = client.get(url).get_data(as_text=True)
        for text in texts:
            shown = holders(html, text)
            assert shown, f"{text!r} not on {url}"
            wrong += [f"{url}: {e.tag} {text[:20]!r}" for e in shown if not isolated(e, "auto")]
    assert wrong == []


def test_usernames_are_isolated_from_the_sentence_around_them(journey):
    activist, _provider, help_request_id, _match_id = journey
    html = activist.get(f"/requests/{help_request_id}").get_data(as_text=True)
    shown = [e for e in holders(html, "lawyer_anna") if e.tag != "a" or e.text() == "lawyer_anna"]
    assert shown and all(isolated(e, "auto") for e in shown)


def test_the_text_people_type_runs_in_its_own_direction(journey):
    activist, *_ = journey
    form = parse(activist.get("/account/profile").get_data(as_text=True))
    (bio,) = [e for e in form.iter("textarea") if e.attrs.get("name") == "bio"]
    assert bio.attrs.get("dir") == "auto"


def test_the_stylesheet_names_no_physical_side():
    css = (ROOT / "app" / "static" / "style.css").read_text()
    assert PHYSICAL.findall(css) == []


@pytest.mark.parametrize(
    "rule",
    [
        "a { margin-left: 1px }",
        "b { padding-right: 0 }",
        "c { text-align: left }",
        "d { right: 0 }",
    ],
)
def test_the_stylesheet_check_catches_physical_sides(rule):
    assert PHYSICAL.findall(rule) != []
