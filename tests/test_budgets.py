"""Page budgets: what each page costs someone on a slow Tor circuit, checked on every run.

Every page is rendered for every kind of visitor over realistic data (tests/support/realistic.py):
its HTML fits in 32 KB (in any language), the one stylesheet in 10 KB, the site's mark is a
small SVG, there is no script and no font, nothing comes from another origin, and once the
stylesheet and the mark are cached a page is a single request.
"""

import hashlib

import pytest

from tests.support.markup import parse
from tests.support.realistic import (
    CSS_BUDGET,
    HTML_BUDGET,
    VISITOR_KINDS,
    error_pages_of,
    pages_of,
    reached_endpoints,
    shared_site,
)

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

MARK_BUDGET = 1024
ONE_YEAR = 365 * 24 * 3600

# Every element and attribute through which a page makes the browser fetch something.
FETCHING_ATTRIBUTES = {
    "img": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "input": ("src",),
    "link": ("href",),
}
ELSEWHERE = ("http:", "https:", "//", "ftp:", "javascript:")

# Confirmation pages that exist only in states tests/support/realistic.py does not build yet: a
# limited, removed or vouched-for account, staff evidence, a judgement to withdraw.
NEEDS_MORE_STATE = {
    "staff.lift",
    "staff.reinstate",
    "staff.remove_evidence",
    "staff.withdraw",
    "trust.vouch",
    "trust.withdraw",
}


@pytest.fixture
def site(tmp_path_factory):
    return shared_site(tmp_path_factory)


def stylesheet_url(site) -> str:
    document = parse(site.visitors["anonymous"].get("/").get_data(as_text=True))
    (link,) = [e for e in document.iter("link") if e.attrs.get("rel") == "stylesheet"]
    return link.attrs["href"]


def mark_url(site) -> str:
    document = parse(site.visitors["anonymous"].get("/").get_data(as_text=True))
    (link,) = [e for e in document.iter("link") if e.attrs.get("rel") == "icon"]
    return link.attrs["href"]


def fetches(html: str) -> list[str]:
    """What a browser would download to show this page, besides the page itself."""
    found = []
    for element in parse(html).iter(*FETCHING_ATTRIBUTES):
        if element.tag == "link" and element.attrs.get("rel") == "alternate":
            continue  # names another version of the page (its feed); nothing fetches it
        for attribute in FETCHING_ATTRIBUTES[element.tag]:
            if element.attrs.get(attribute):
                found.append(f"{element.tag} {element.attrs[attribute]}")
    return found


def test_realistic_data_fills_a_whole_page_of_results(site):
    document = parse(site.visitors["anonymous"].get("/requests").get_data(as_text=True))
    results = [li for li in document.iter("li") if li.parent.classes() == {"list"}]
    assert len(results) == 20
    assert any(a.attrs.get("rel") == "next" for a in document.iter("a"))


def all_pages_of(site, visitor):
    return pages_of(site, visitor) + [p for p in error_pages_of(site) if p.visitor == visitor]


@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_every_page_is_at_most_32_kb_of_html(site, visitor):
    over = [
        f"{page}: {len(page.body)} bytes"
        for page in all_pages_of(site, visitor)
        if len(page.body) > HTML_BUDGET
    ]
    assert over == []


def test_the_request_form_is_measured_whole_with_its_long_lists(site):
    """One page asks everything, every language among its boxes: it is among those measured."""
    forms = [
        page
        for page in all_pages_of(site, "activist")
        if page.endpoint == "requests.new" and 'name="languages"' in page.html
    ]
    assert forms and all('name="country"' in page.html for page in forms)


def test_the_stylesheet_is_at_most_10_kb(site):
    with site.visitors["anonymous"].get(stylesheet_url(site)) as response:
        assert response.status_code == 200
        assert len(response.get_data()) <= CSS_BUDGET


def test_the_mark_is_a_small_svg_without_script_cached_for_a_year(site):
    url = mark_url(site)
    path, _, version = url.partition("?v=")
    with site.visitors["anonymous"].get(url) as response:
        body = response.get_data()
        assert response.mimetype == "image/svg+xml" and len(body) <= MARK_BUDGET
        assert "Set-Cookie" not in response.headers
        max_age = int(response.headers["Cache-Control"].split("max-age=")[1].split(",")[0])
    assert path == "/static/mark.svg" and hashlib.sha256(body).hexdigest().startswith(version)
    assert max_age >= ONE_YEAR
    assert b"<script" not in body and b"href" not in body and b" on" not in body


@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_pages_fetch_only_the_stylesheet_and_the_mark_and_nothing_from_elsewhere(site, visitor):
    mark = mark_url(site)
    expected = [f"link {stylesheet_url(site)}", f"link {mark}", f"img {mark}"]
    problems = []
    for page in pages_of(site, visitor) + error_pages_of(site):
        if fetches(page.html) != expected:
            problems.append(f"{page} fetches {fetches(page.html)}")
        for element in parse(page.html).iter():
            for name, value in element.attrs.items():
                if name in ("href", "src", "action", "formaction") and value.startswith(ELSEWHERE):
                    problems.append(f"{page} points elsewhere: {element.tag} {name}={value}")
        if page.headers.get("Cache-Control") != "no-store":
            problems.append(f"{page} may be cached: {page.headers.get('Cache-Control')}")
    assert problems == []


@pytest.mark.parametrize("visitor", VISITOR_KINDS)
def test_pages_carry_zero_bytes_of_script(site, visitor):
    scripted = []
    for page in pages_of(site, visitor):
        for element in parse(page.html).iter():
            handlers = [name for name in element.attrs if name.startswith("on")]
            if element.tag in ("script", "noscript") or handlers:
                scripted.append(f"{page}: {element.tag} {handlers}")
        if "javascript:" in page.html.lower():
            scripted.append(f"{page}: a javascript: URL")
    assert scripted == []


def test_stylesheet_url_changes_with_its_content_and_is_cached_for_a_year(site):
    url = stylesheet_url(site)
    path, _, version = url.partition("?v=")
    with site.visitors["activist"].get(url) as response:
        body = response.get_data()
        cache_control = response.headers["Cache-Control"]
        # a cached copy that depends on the cookie is refetched whenever the cookie changes
        assert "Set-Cookie" not in response.headers
        assert "cookie" not in response.headers.get("Vary", "").lower()
    assert path == "/static/style.css"
    assert len(version) >= 8 and hashlib.sha256(body).hexdigest().startswith(version)
    max_age = int(cache_control.split("max-age=")[1].split(",")[0])
    assert max_age >= ONE_YEAR and "no-cache" not in cache_control


def test_the_stylesheet_loads_no_fonts_images_or_other_files(site):
    with site.visitors["anonymous"].get(stylesheet_url(site)) as response:
        css = response.get_data(as_text=True).lower()
    assert "@font-face" not in css and "@import" not in css and "url(" not in css


def test_every_page_of_the_site_is_measured(site):
    """A page no visitor reaches by a link is a page these budgets would never look at."""
    pages = {
        rule.endpoint
        for rule in site.app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in ("static", "main.healthz")
    }
    assert sorted(pages - reached_endpoints(site) - NEEDS_MORE_STATE) == []
