"""Choosing a language without JavaScript and without Accept-Language (Tor Browser sends English).

The planned languages have no translations yet, so these tests serve them with a tiny catalog
compiled here: one translated word per language is enough to see which language a page is in.
"""

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from movements.app.core.models import User
from movements.app.factory import create_app
from movements.app.web.i18n import COOKIE, PLANNED
from tests.support.accounts import make_user, sign_in
from tests.support.apps import WorkerApp
from tests.support.markup import parse

# "Requests", the header's second link, in each planned language
REQUESTS = {
    "ar": "الطلبات",
    "fa": "درخواست‌ها",
    "ru": "Запросы",
    "zh_Hans": "求助",
    "fr": "Demandes",
    "es": "Solicitudes",
    "tr": "Talepler",
    "vi": "Yêu cầu",
    "my": "တောင်းဆိုချက်များ",
    "am": "ጥያቄዎች",
    "th": "คำขอ",
    "sw": "Maombi",
    "pt": "Pedidos",
}
TAGS = {code: code.replace("_", "-") for code in PLANNED}
RTL = {"ar", "fa"}
HOSTILE_CODES = [
    "xx",
    "",
    "de",
    "FA",
    "fa_IR",
    "f" * 5000,
    "<script>",
    '"><a',
    "fa\r\nSet-Cookie: x=1",
    "../../etc/passwd",
    "fa;en",
]


def compile_catalogs(directory):
    for code, word in REQUESTS.items():
        catalog = Catalog(locale=code)
        catalog.add("Requests", word)
        target = directory / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with open(target / "messages.mo", "wb") as handle:
            write_mo(handle, catalog)


@pytest.fixture(scope="module")
def planned_app(tmp_path_factory):
    """Built once for the module: the catalogs and languages are read as the app is built."""
    folder = tmp_path_factory.mktemp("planned-languages")
    compile_catalogs(folder / "translations")
    config = {
        "BABEL_TRANSLATION_DIRECTORIES": str(folder / "translations"),
        "LANGUAGES": ("en", *PLANNED),
    }
    return WorkerApp(folder, config)


@pytest.fixture
def app(planned_app, tmp_path):
    return planned_app.fresh(tmp_path / "instance")


def html_element(response):
    return next(parse(response.get_data(as_text=True)).iter("html")).attrs


def cookie_headers(response) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(COOKIE + "=")]


def test_the_language_page_lists_every_language_in_its_own_name(client):
    page = parse(client.get("/language").get_data(as_text=True))
    links = {a.attrs["hreflang"]: a for a in page.iter("a") if "hreflang" in a.attrs}
    assert sorted(links) == sorted(["en", *TAGS.values()])
    for tag, link in links.items():
        assert link.attrs["lang"] == tag
    assert links["fa"].text() == "فارسی" and links["fa"].attrs["dir"] == "rtl"
    assert links["ru"].text() == "Русский" and links["zh-Hans"].text().startswith("中文")
    assert links["en"].text() == "English" and links["en"].attrs["dir"] == "ltr"


def test_every_page_links_to_the_language_page_named_in_the_current_language(client):
    client.get("/language?set=ru")
    page = parse(client.get("/requests?skill=legal").get_data(as_text=True))
    (link,) = [a for a in page.iter("a") if a.attrs.get("href", "").startswith("/language")]
    assert link.attrs["href"] == "/language?next=/requests?skill%3Dlegal"
    assert "Русский" in link.text()


@pytest.mark.parametrize("code", PLANNED)
def test_choosing_a_language_keeps_it_for_the_visit_and_returns_to_the_page(client, code):
    chosen = client.get(f"/language?set={code}&next=/requests%3Fskill%3Dlegal")
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/requests?skill=legal"
    (cookie,) = cookie_headers(chosen)
    assert cookie == f"{COOKIE}={code}; HttpOnly; Path=/; SameSite=Strict"
    later = client.get("/trust")
    direction = "rtl" if code in RTL else "ltr"
    assert html_element(later) == {"lang": TAGS[code], "dir": direction}
    assert REQUESTS[code] in later.get_data(as_text=True)


@pytest.mark.parametrize("code", PLANNED)
def test_lang_in_any_url_chooses_the_language_and_keeps_it(client, code):
    shared = client.get(f"/requests?lang={code}")
    assert html_element(shared)["lang"] == TAGS[code]
    (cookie,) = cookie_headers(shared)
    assert cookie.startswith(f"{COOKIE}={code};")
    assert html_element(client.get("/"))["lang"] == TAGS[code]


def test_accept_language_decides_until_a_choice_is_made(client):
    persian_browser = {"Accept-Language": "fa-IR, fa;q=0.9"}
    assert html_element(client.get("/", headers=persian_browser))["lang"] == "fa"
    client.get("/language?set=ru")
    assert html_element(client.get("/", headers=persian_browser))["lang"] == "ru"


@pytest.mark.parametrize("code", HOSTILE_CODES)
def test_an_unknown_or_hostile_choice_changes_nothing_and_writes_no_cookie(client, code):
    client.get("/language?set=fa")
    for url in ("/language", "/requests"):
        response = client.get(url, query_string={"set" if url == "/language" else "lang": code})
        assert response.status_code == 200
        assert cookie_headers(response) == []
        assert html_element(response)["lang"] == "fa"


@pytest.mark.parametrize("value", ["xx", "fa; Path=/x", "f" * 3000, "", "ar\x00"])
def test_a_tampered_language_cookie_is_ignored(client, value):
    client.set_cookie(COOKIE, value)
    response = client.get("/requests", headers={"Accept-Language": "ar"})
    assert response.status_code == 200
    assert html_element(response) == {"lang": "ar", "dir": "rtl"}


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/requests\r\nX: y",
        "/requests\tx",
        "/a b",
        "/\x1b[31m",
        "/\u202erequests",
        "javascript:alert(1)",
        "requests",
        "/" + "a" * 600,
    ],
)
def test_the_language_page_sends_back_only_to_a_path_on_this_site(client, target):
    response = client.get("/language", query_string={"set": "fr", "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_a_signed_in_users_choice_follows_them_to_another_browser(app, client):
    person = make_user("nasrin", "activist")
    sign_in(client, person)
    client.get("/language?set=fa&next=/account")
    assert User.get_by_id(person.id).language == "fa"
    elsewhere = sign_in(app.test_client(), person)
    assert html_element(elsewhere.get("/account"))["lang"] == "fa"


def test_on_the_https_mirror_the_language_cookie_is_secure(tmp_path):
    mirror = create_app(
        {"TESTING": True, "MIRROR_HOST": "mirror.example", "LANGUAGES": ("en", "fr")},
        instance_path=tmp_path / "mirror",
    )
    response = mirror.test_client().get("/?lang=fr", base_url="https://mirror.example")
    (cookie,) = cookie_headers(response)
    assert "; Secure" in cookie and "SameSite=Strict" in cookie


def test_kept_pages_for_anonymous_visitors_are_kept_per_language(tmp_path):
    compile_catalogs(tmp_path / "translations")
    cached = create_app(
        {
            "TESTING": True,
            "PAGE_CACHE_SECONDS": 60,
            "BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations"),
            "LANGUAGES": ("en", "fa"),
        },
        instance_path=tmp_path / "instance",
    )
    english = cached.test_client()
    assert html_element(english.get("/requests"))["lang"] == "en"
    persian = cached.test_client()
    persian.set_cookie(COOKIE, "fa")
    assert html_element(persian.get("/requests"))["lang"] == "fa"
    assert html_element(english.get("/requests"))["lang"] == "en"
