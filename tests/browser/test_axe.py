"""axe-core finds no violation of WCAG 2.1 A or AA on any page of the journey.

Each kind of visitor (signed out, an activist, a provider, a staff member) walks the site in
Chromium with JavaScript off, on a desktop and on a 360-px phone: the pages of the journey,
then every kind of page their links lead to, a few of each. On every page the driver injects
axe-core (tests/browser/axe.py) and asks for violations: contrast, landmarks, labels,
headings, names of links and buttons, language, and the rest of WCAG 2.1 A and AA.
"""

import re
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.by import By

from tests.support.raw_http import RawVisitor
from tests.support.serving import ROOT, running_server

from .axe import violations
from .marketplace import ACTIVIST, PASSWORD, PROVIDER, Marketplace, build
from .person import VIEWPORTS, Person

pytestmark = pytest.mark.browser

STAFF = "moderator_sam"
VISITORS = ["anonymous", "activist", "provider", "staff"]
PAGES_PER_VISITOR = 40
PAGES_OF_A_KIND = 2
# links that are not pages to audit: feeds, files, the way out, and choosing a language for good
NOT_PAGES = re.compile(r"^/(static/|logout)|feed|\.atom$|\.xml$|[?&]set=")
# what varies between pages of one kind: names after /users/, public ids (a digit or a capital
# among ten or more characters), numbers
VARYING = re.compile(
    r"(?<=/users/)[^/?]+|(?<=/)(?=[^/?]*[0-9A-Z])[A-Za-z0-9_-]{10,}(?=/|$)|(?<=/)\d+(?=/|$)"
)
LINKS = "return [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));"


@dataclass
class Site:
    market: Marketplace
    sessions: dict[str, dict[str, str]]  # each signed-in kind of visitor's cookies

    def journey(self, visitor: str) -> list[str]:
        """The pages a visitor of this kind meets first; their links lead to the rest."""
        request = self.market.offered_request
        public = ["/", "/requests", request, "/providers", "/signup", "/login", "/recover"]
        public += ["/trust", "/safety", "/eligibility", "/language", f"/users/{PROVIDER}"]
        public += ["/no-such-page"]
        # written right to left, and without spaces between words
        public += ["/?lang=ar", f"{request}?lang=fa", "/signup?lang=ar", "/requests?lang=my"]
        return {
            "anonymous": public,
            "activist": [
                *self.market.activist_pages().values(),
                "/account",
                "/matches",
                f"/report?target=request:{request.rsplit('/', 1)[-1]}",
            ],
            "provider": [
                *["/", request, f"{request}/offer", "/account"],
                *[self.market.match, f"{self.market.match}?lang=ar"],
            ],
            "staff": ["/staff", f"/staff/users?name={ACTIVIST}", "/staff/reports", "/staff/log"],
        }[visitor]


def signed_in(base: str, username: str, password: str = PASSWORD) -> RawVisitor:
    visitor = RawVisitor(base)
    answer = visitor.post("/login", {"username": username, "password": password})
    assert answer.status == 302, answer.text[:500]
    return visitor


def new_staff_member(base: str, instance) -> RawVisitor:
    """The operator adds a staff account; its holder signs in and chooses a password."""
    command = [sys.executable, "-m", "movements.app.cli", "staff", "add", STAFF]
    added = subprocess.run(
        [*command, "--instance", str(instance)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    one_time = re.search(r"^password: (\S+)$", added.stdout, re.M).group(1)
    staff = signed_in(base, STAFF, one_time)
    change = {"current": one_time, "password": PASSWORD, "confirm": PASSWORD}
    assert staff.post("/account/password", change, staff.token("/account")).status == 302
    return staff


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    instance = tmp_path_factory.mktemp("axe") / "instance"
    with running_server(instance, "--no-onion") as server:
        market = build(server.base)
        provider = signed_in(server.base, PROVIDER)
        reported = market.offered_request.rsplit("/", 1)[-1]
        report = {"reason": "impersonation", "details": "It asks for people's addresses."}
        answer = provider.post(f"/report?target=request:{reported}", report, provider.token())
        assert answer.status in (200, 302), answer.text[:500]
        sessions = {
            "activist": signed_in(server.base, ACTIVIST).cookies,
            "provider": provider.cookies,
            "staff": new_staff_member(server.base, instance).cookies,
        }
        yield Site(market, sessions)


def kind_of_page(path: str) -> str:
    """Pages that differ only in an id or a name are one kind of page."""
    parts = urlsplit(path)
    keys = sorted({pair.split("=")[0] for pair in parts.query.split("&") if pair})
    return VARYING.sub("*", parts.path) + "?" + "&".join(keys)


def walk(person: Person, start: list[str]) -> list[str]:
    """Every page reached from `start` by links on this site, a few of each kind, with what
    axe-core finds wrong on each."""
    queue, seen, kinds, found = list(start), set(), Counter(), []
    while queue and len(seen) < PAGES_PER_VISITOR:
        path = queue.pop(0)
        kind = kind_of_page(path)
        if path in seen or (kinds[kind] >= PAGES_OF_A_KIND and path not in start):
            continue
        seen.add(path)
        kinds[kind] += 1
        person.visit(path)
        found += [f"{person.path()}: {problem}" for problem in violations(person.driver)]
        for href in person.driver.execute_script(LINKS):
            target = urlsplit(href)
            if target.scheme or target.netloc or not target.path.startswith("/"):
                continue
            local = target.path + (f"?{target.query}" if target.query else "")
            if not NOT_PAGES.search(local) and local not in seen:
                queue.append(local)
    assert len(seen) >= len(start), "the walk stopped before the journey's own pages"
    return found


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("visitor", VISITORS)
def test_axe_finds_no_wcag_a_or_aa_violation(site, chromium, artifacts, visitor, viewport):
    person = Person(chromium(viewport), site.market.base, viewport, artifacts, visitor)
    person.driver.get(site.market.base + "/healthz")  # the cookies' origin, not a page to check
    for name, value in site.sessions.get(visitor, {}).items():
        person.driver.add_cookie({"name": name, "value": value, "path": "/"})
    found = walk(person, site.journey(visitor))
    assert found == [], "\n".join(found)
    assert person.problems == [], "\n".join(person.problems)


def test_axe_notices_faint_text_an_unlabelled_field_and_a_missing_language(chromium):
    driver = chromium()
    driver.get(
        "data:text/html,<title>probe</title><main><h1>Probe</h1>"
        "<p style='color:%23bbb'>faint</p><input type=text></main>"
    )
    found = " ".join(violations(driver))
    assert "color-contrast" in found and "label" in found and "html-has-lang" in found


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_finds_nothing_on_a_form_sent_back_or_on_the_recovery_codes(
    site, chromium, artifacts, viewport
):
    """Pages no link reaches: a form returned with its errors, and the page after sign-up,
    whose codes also come as a file."""
    person = Person(chromium(viewport), site.market.base, viewport, artifacts, "newcomer")
    person.visit("/login")
    person.fill("Username", ACTIVIST)
    person.fill("Password", "not the password")
    person.press("Log in")
    assert person.errors(), "the sign-in form did not come back with an error"
    found = violations(person.driver)
    person.visit("/signup")
    person.fill("Username", f"newcomer_{viewport}")
    person.fill("Password", PASSWORD)
    person.fill("Password again", PASSWORD)
    person.choose("I can help")
    person.choose("I have read the notice above and understand it.")
    person.press("Create my account")
    assert person.heading() == "Your recovery codes", person.errors()
    found += violations(person.driver)
    shown = [code.text for code in person.driver.find_elements(By.CSS_SELECTOR, "ol li code")]
    link = person.driver.find_element(By.LINK_TEXT, "Download the codes as a text file")
    cookies = {c["name"]: c["value"] for c in person.driver.get_cookies()}
    download = RawVisitor(site.market.base, cookies=cookies).get(
        urlsplit(link.get_attribute("href")).path
    )
    assert download.status == 200 and len(shown) == 6
    assert all(code in download.text for code in shown)
    person.choose("I have saved my recovery codes.")
    person.press("Continue")
    assert person.heading() == "Help for people who defend rights", person.errors()
    assert found == [], "\n".join(found)
    assert person.problems == [], "\n".join(person.problems)
