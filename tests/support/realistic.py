"""A site full of realistic data, and every page of it as each kind of visitor sees it.

The data is what strains pages: titles at the 200-character limit, Persian, Arabic, Russian
and Chinese text, a full page of 20 results, long conversations. Everything is made through
the site's own forms, as people would, so pages show what the rules really store; then each
visitor follows every link (GET never changes anything here) to find every page they can reach.
"""

import html
import re
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import HTTPException

from movements.app.core import db
from movements.app.core.models import MailAddress
from movements.app.factory import create_app
from movements.app.mail.addresses import opened
from movements.app.mail.links import CONFIRM_PATH, UNSUBSCRIBE_PATH
from movements.app.staff.accounts import add_staff
from movements.app.web.i18n import COOKIE
from tests.support.accounts import PASSWORD, post

from .markup import parse

LONG_TITLE = (
    "Urgent legal representation for twelve student organisers detained after a peaceful "
    "campus protest, two of them held for three weeks without charge, a lawyer or any word "
    "to their families yet"
)[:200]

TITLES = [
    "A song for the anniversary of the uprising, written with the mothers of the disappeared",
    "Meeting with members of parliament before the vote on the new asylum bill",
    "Training on secure messaging for a network of women's rights defenders",
    "Press contacts for the release of our report on prison conditions",
    "Help to archive videos of the protests before the platforms delete them",
    "Нужна помощь с цифровой безопасностью для независимой редакции после обысков",
    "需要帮助翻译人权报告并联系国际媒体，报告涉及三年来的强迫失踪案件",
    "Fundraising advice for a legal defence fund for striking teachers",
    "Psychosocial support for released detainees and their families",
    "Translation of court documents from Persian into English and French",
    "Asylum advice for a journalist who had to leave the country last month",
    "Policy brief for the UN Special Rapporteur's visit next spring",
    "Someone to review our website's security after a defacement attempt",
    "A designer for posters about the rights of people arrested at protests",
    "Legal observers' training for the lawyers' association in three cities",
    "PR advice: how to answer a smear campaign on state television",
    "Help to write a grant application for a community radio station",
    "Interpreters for online testimony sessions with families of prisoners",
    "Guidance on documenting torture allegations to international standards",
    "Contacts at foreign newspapers willing to publish an op-ed by a detained writer",
    "Safe-house logistics advice for activists who must leave the capital for a while",
    "Volunteer doctors to document injuries from rubber bullets at last week's march",
    "Help to set up an encrypted tip line for workers reporting unpaid wages",
]

PERSIAN_TITLE = (
    "نیاز فوری به وکیل برای دانشجویانی که پس از تجمع مسالمت‌آمیز در دانشگاه بازداشت شده‌اند "
    "و هنوز به خانواده‌هایشان دسترسی ندارند"
)
ARABIC_TITLE = (
    "نبحث عن صحفيين مستقلين لنشر شهادات عائلات المعتقلين السياسيين قبل جلسة المحاكمة القادمة"
)

DESCRIPTION = (
    "We are a small group of volunteers supporting the families of people detained after the "
    "protests. Most families do not know where their relatives are held, and the lawyers who "
    "took the first cases were warned off by the authorities.\n\n"
    "We need someone who can explain, in plain words, what the families can ask for under the "
    "law, which documents to keep, and how to contact the prosecutor's office without putting "
    "anyone at further risk. A call of an hour or two, and answers to follow-up questions by "
    "message over the next weeks, would already help a great deal.\n\n"
    "We can talk in English or Persian. We cannot pay, but we can share everything we learn "
    "with other groups facing the same situation."
)
PERSIAN_DESCRIPTION = (
    "ما گروهی کوچک از داوطلبان هستیم که از خانواده‌های بازداشت‌شدگان حمایت می‌کنیم. "
    "بیشتر خانواده‌ها نمی‌دانند عزیزانشان کجا نگهداری می‌شوند و وکلایی که پرونده‌های اول را "
    "پذیرفتند تهدید شدند.\n\n"
    "به کسی نیاز داریم که به زبان ساده توضیح دهد خانواده‌ها طبق قانون چه حقی دارند، کدام "
    "مدارک را نگه دارند و چگونه بدون به خطر انداختن کسی با دادسرا تماس بگیرند."
)
OFFER_MESSAGE = (
    "I am a lawyer with ten years of experience in detention cases and I have advised families "
    "in a similar situation before. I can take a call this week in English, and I work with a "
    "colleague who speaks Persian. I would start with what the families can request in writing "
    "and how to keep a record of every visit to the prosecutor's office."
)
MESSAGES = [
    "Thank you for offering. Could we talk on Thursday evening? Three families will join.",
    "Thursday works. Please send me the list of questions you have collected so far.",
    "سلام، فهرست پرسش‌ها را آماده کرده‌ایم. خانواده‌ها بیشتر نگران ملاقات و وثیقه هستند.",
    "I have read them. Most can be answered together; bail needs a separate conversation.",
    "Here is a summary of the call for the families who could not attend. " * 4,
    "Thank you again. Two families have already filed the request you described.",
]


@dataclass
class Site:
    """The app with its data, a signed-in client per kind of visitor, and the ids people share."""

    app: Flask
    visitors: dict[str, FlaskClient]
    help_request_ids: list[str] = field(default_factory=list)
    rtl_request_id: str = ""
    long_request_id: str = ""
    feed_paths: list[str] = field(default_factory=list)
    completed_match_id: str = ""
    open_match_id: str = ""
    memo: dict = field(default_factory=dict)
    mail_links: list[str] = field(default_factory=list)


VISITOR_KINDS = ["anonymous", "activist", "provider", "stranger", "staff"]
# what a page and the stylesheet may weigh in any language (tests/test_budgets.py, bench/weight.py)
HTML_BUDGET = 32 * 1024
CSS_BUDGET = 10 * 1024
# The languages the checks of every page run in: English, one written right to left and one
# written without spaces. Beyond English they read one page of each kind (pages_in).
CHECKED_LANGUAGES = ["en", "ar", "zh_Hans"]

# One activist posts a full page of requests: more than the daily limit a real account has.
# E-mail is on, so its pages are measured too; nothing is sent (no sender runs here).
TEST_CONFIG = {
    "TESTING": True,
    "REQUESTS_PER_DAY": 100,
    "SIGNUPS_PER_MINUTE": 100,
    "SMTP_URL": "smtp://mail.example.org:587",
    "MAIL_FROM": "notices@example.org",
    "MIRROR_HOST": "movements.example.org",
}

SIGNED_IN_SEEDS = ["/account", "/matches", "/notifications"]
PUBLIC_SEEDS = ["/", "/signup", "/login", "/recover", "/requests", "/trust", "/no-such-page"]
PER_ENDPOINT = 3
# the country and languages of a request, as a browser sends them
CARRIED = {"country": "IR", "languages": ["fa", "en"]}
CRAWL_LIMIT = 150

HREF = re.compile(r'href="(/[^"]*)"')


STORY = (
    "Twelve students were released after three weeks, and their families now know which "
    "documents to keep and whom to ask. The lawyers' association took the remaining cases. "
)


def signup(client: FlaskClient, username: str, role: str, country: str = "IR"):
    """Create an account through the sign-up form, then say its recovery codes are saved;
    the response to the form leads to the page of codes."""
    response = post(
        client,
        "/signup",
        {
            "username": username,
            "password": PASSWORD,
            "confirm": PASSWORD,
            "role": role,
            "country": country,
            "declaration": "y",
            "risk_read": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"] == "/account/recovery-codes"
    ok(post(client, "/account/recovery-codes", {"saved": "y"}))
    return response


def location_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("#")[0].rstrip("/").rsplit("/", 1)[-1]


def ask_for_help(client: FlaskClient, title: str, description: str = DESCRIPTION, **changes) -> str:
    fields = {
        "title": title,
        "description": description,
        "skills": ["legal", "press"],
        "country": "IR",
        "languages": ["fa", "en"],
        "urgency": "urgent",
        "visibility": "everyone",
        "min_stars": "0",
        "expires_in_days": "90",
        **changes,
    }
    return location_id(post(client, "/requests/new", fields))


def offer_help(client: FlaskClient, help_request_id: str, message: str = OFFER_MESSAGE) -> None:
    response = post(client, f"/requests/{help_request_id}/offer", {"message": message})
    assert response.status_code == 302, response.get_data(as_text=True)


def accept_first_offer(client: FlaskClient, help_request_id: str) -> str:
    page = client.get(f"/requests/{help_request_id}").get_data(as_text=True)
    offer_id = re.search(r'href="/offers/([^/"]+)/accept"', page).group(1)
    return location_id(post(client, f"/offers/{offer_id}/accept"))


def share_all_contacts(client: FlaskClient, match_id: str) -> None:
    document = parse(client.get(f"/matches/{match_id}").get_data(as_text=True))
    ids = [i.attrs["value"] for i in document.iter("input") if i.attrs.get("name") == "contacts"]
    assert ids, "no contact to share on the match page"
    response = post(client, f"/matches/{match_id}/contacts", {"contacts": ids})
    assert response.status_code == 302, response.get_data(as_text=True)


def ok(response) -> None:
    assert response.status_code == 302, response.get_data(as_text=True)


def build(app: Flask) -> Site:
    """Two activists, two providers (one listed in the directory), 27 requests, two matches."""
    visitors = {kind: app.test_client() for kind in VISITOR_KINDS}
    activist, provider, stranger = (visitors[k] for k in ("activist", "provider", "stranger"))
    signup(activist, "leila_tehran", "activist")
    signup(provider, "lawyer_anna_marie_von_richthofen", "provider")
    signup(stranger, "journalist_omar", "provider")
    rtl_author = app.test_client()
    signup(rtl_author, "نسرین_کرمانی", "activist")
    site = Site(app, visitors)

    ok(
        post(
            provider,
            "/account/profile",
            {"bio": OFFER_MESSAGE, "skills": ["legal", "asylum", "policy"]},
        )
    )
    ok(post(provider, "/account/languages", {"languages": ["en", "fa", "ar"]}))
    # an alert that most of the requests below match, so notifications fill up as they would
    ok(post(provider, "/alerts", {"skill": "legal", "language": "fa", "q": "families"}))
    for client, value in ((activist, "leila.42 on Signal"), (provider, "+44 7700 900123")):
        ok(post(client, "/account/contacts", {"kind": "signal", "value": value}))

    site.help_request_ids.append(ask_for_help(rtl_author, ARABIC_TITLE, visibility="signed_in"))
    for number, title in enumerate(reversed(TITLES)):
        skills = [["training"], ["arts"], ["policy", "asylum"], ["digital-security"]][number % 4]
        site.help_request_ids.append(ask_for_help(activist, title, skills=skills))
    site.help_request_ids.append(
        ask_for_help(activist, "Only for trusted providers", visibility="stars", min_stars="3")
    )
    site.rtl_request_id = ask_for_help(
        rtl_author, PERSIAN_TITLE, PERSIAN_DESCRIPTION, languages=["fa"]
    )
    site.long_request_id = ask_for_help(activist, LONG_TITLE)
    site.help_request_ids += [site.rtl_request_id, site.long_request_id]

    offer_help(provider, site.long_request_id)
    offer_help(stranger, site.long_request_id, "I am a journalist and could cover the case.")
    offer_help(stranger, site.help_request_ids[3])
    site.completed_match_id = accept_first_offer(activist, site.long_request_id)
    for number, text in enumerate(MESSAGES):
        sender = activist if number % 2 == 0 else provider
        ok(post(sender, f"/matches/{site.completed_match_id}/messages", {"text": text}))
    share_all_contacts(activist, site.completed_match_id)
    share_all_contacts(provider, site.completed_match_id)
    for client in (activist, provider):
        ok(post(client, f"/matches/{site.completed_match_id}/done"))
    rating = {"stars": "5", "comment": MESSAGES[-1]}
    ok(post(activist, f"/matches/{site.completed_match_id}/rate", rating))
    publish_story(activist, provider, site.completed_match_id)

    ok(post(provider, "/providers/me/list"))
    standing_offer = {
        "title": "Pro-bono advice on detention and bail for families of detainees",
        "description": OFFER_MESSAGE,
        "skills": ["legal"],
        "languages": ["en", "fa"],
        "countries": ["IR", "AF"],
        "capacity": "3",
    }
    ok(post(provider, "/providers/me/offers/new", standing_offer))

    offer_help(provider, site.help_request_ids[5], "I can help with this one too.")
    site.open_match_id = accept_first_offer(activist, site.help_request_ids[5])
    ok(post(provider, f"/matches/{site.open_match_id}/messages", {"text": MESSAGES[1]}))

    address = {"address": "leila.tehran@example.org", "mode": "digest", "kinds": ["messages"]}
    ok(post(activist, "/account/email", address))
    site.mail_links = mail_links(app)

    report = {"reason": "impersonation", "details": "The author asks for people's addresses."}
    ok(post(provider, f"/report?target=request:{site.help_request_ids[2]}", report))
    sign_in_as_new_staff(app, visitors["staff"], "moderator_sam")
    site.feed_paths = feed_paths(feed_addresses(provider))
    return site


FEED_ADDRESS = re.compile(r'<code dir="ltr">([^<]+)</code>')


def feed_addresses(client: FlaskClient):
    """Turn the private feeds on (or make new addresses): the page that shows them once."""
    response = post(client, "/account/feeds")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def feed_paths(response) -> list[str]:
    return [urlsplit(url).path for url in FEED_ADDRESS.findall(response.get_data(as_text=True))]


def publish_story(activist: FlaskClient, provider: FlaskClient, match_id: str) -> None:
    """A success story at its longest, proposed by the provider and approved by the activist."""
    story = f"/matches/{match_id}/story"
    ok(post(provider, story, {"text": (STORY * 3)[:600]}))
    version = re.search(r'name="version" type="hidden" value="(\d+)"', activist.get(story).text)
    ok(post(activist, story + "/approve", {"version": version.group(1), "anonymous": "y"}))


def mail_links(app: Flask) -> list[str]:
    """The links of the confirmation mail, which no page links to: read as the sender would."""
    row = MailAddress.get()
    with app.app_context():
        tokens = [opened(row, "sealed_confirm"), opened(row, "sealed_unsubscribe")]
    return [CONFIRM_PATH + tokens[0], UNSUBSCRIBE_PATH + tokens[1]]


def sign_in_as_new_staff(app: Flask, client: FlaskClient, name: str) -> None:
    """The operator adds a staff account; its holder signs in and replaces the one-time password."""
    with app.app_context():
        _user, one_time_password, _codes = add_staff(name)
    ok(post(client, "/login", {"username": name, "password": one_time_password}))
    change = {"current": one_time_password, "password": PASSWORD, "confirm": PASSWORD}
    ok(post(client, "/account/password", change))


@dataclass
class Page:
    visitor: str
    url: str
    status: int
    body: bytes
    endpoint: str
    headers: dict
    language: str = "en"

    @property
    def html(self) -> str:
        return self.body.decode()

    def __str__(self) -> str:
        return f"{self.url} as {self.visitor}" + (
            f" in {self.language}" if self.language != "en" else ""
        )


def endpoint_of(app: Flask, path: str, method: str = "GET") -> str:
    try:
        endpoint, _arguments = app.url_map.bind("localhost").match(path, method=method)
    except HTTPException as error:
        return str(error.code)
    return endpoint


def links_in(body: str) -> list[str]:
    found = []
    for raw in HREF.findall(body):
        url = html.unescape(raw).split("#")[0]
        if url.startswith("/") and not url.startswith(("//", "/static/")):
            found.append(url)
    return found


def _page(
    app: Flask, visitor: str, url: str, response, method: str = "GET", language: str = "en"
) -> Page:
    return Page(
        visitor,
        url,
        response.status_code,
        response.get_data(),
        endpoint_of(app, url.split("?")[0], method),
        dict(response.headers),
        language,
    )


def crawl(site: Site, visitor: str) -> list[Page]:
    """Every page this visitor reaches by following links, a few of each kind of page."""
    client = site.visitors[visitor]
    extra = {
        "anonymous": site.mail_links,
        "activist": [
            "/requests/new",
            f"/requests/{site.help_request_ids[3]}",  # where an offer waits: accept, decline
        ],
        "provider": [f"/requests/{site.help_request_ids[3]}/offer", *site.feed_paths],
        "stranger": [
            f"/requests/{site.help_request_ids[0]}/offer",
            f"/requests/{site.help_request_ids[3]}",  # where their offer waits: edit, withdraw
        ],
        "staff": ["/staff", "/staff/users?name=leila_tehran", "/staff/reports", "/staff/log"],
    }[visitor]
    queue = PUBLIC_SEEDS + ([] if visitor == "anonymous" else SIGNED_IN_SEEDS) + extra
    queue += ["/requests?page=abc", f"/requests?q={TITLES[0].split()[1]}&skill=arts"]
    seen: set[str] = set()
    per_endpoint: Counter = Counter()
    pages = []
    while queue and len(pages) < CRAWL_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        endpoint = endpoint_of(site.app, url.split("?")[0])
        if per_endpoint[endpoint] >= PER_ENDPOINT:
            continue
        per_endpoint[endpoint] += 1
        response = client.get(url)
        if response.status_code in (301, 302, 303):
            site.memo.setdefault("redirecting endpoints", set()).add(endpoint)
            queue.append(response.headers["Location"])
            continue
        if response.mimetype != "text/html":
            # a feed: reached, but not HTML to measure as a page (tests/feeds/ check feeds)
            site.memo.setdefault("documents", set()).add(endpoint)
            continue
        page = _page(site.app, visitor, url, response)
        pages.append(page)
        queue.extend(link for link in links_in(page.html) if link not in seen)
    return pages


def form_error_pages(site: Site) -> list[Page]:
    """Every form sent back with mistakes: what a person sees when something is wrong."""
    app = site.app
    anonymous, activist, provider = (
        site.visitors[k] for k in ("anonymous", "activist", "provider")
    )
    match = site.open_match_id
    done = site.completed_match_id
    attempts = [
        (anonymous, "/signup", {"username": "x", "password": "short", "confirm": "other"}),
        (anonymous, "/login", {"username": "leila_tehran", "password": "wrong password"}),
        (anonymous, "/recover", {"username": "", "code": "", "password": "a", "confirm": "b"}),
        (activist, "/requests/new", {**CARRIED, "title": "x", "description": "", "skills": ["x"]}),
        (provider, f"/requests/{site.help_request_ids[4]}/offer", {"message": ""}),
        (activist, f"/matches/{match}/messages", {"text": ""}),
        (activist, f"/matches/{match}/cancel", {"reason": ""}),
        (activist, "/account/profile", {"bio": "b" * 2001, "skills": ["nope"]}),
        (activist, "/account/languages", {"languages": ["xx"], "country": "ZZ"}),
        (activist, "/account/contacts", {"kind": "pigeon", "value": "v" * 201}),
        (activist, "/account/password", {"current": "", "password": "a", "confirm": "b"}),
        (provider, f"/matches/{done}/rate", {"stars": "9"}),
    ]
    pages = []
    for client, url, data in attempts:
        response = post(client, url, data)
        visitor = next(k for k, c in site.visitors.items() if c is client)
        pages.append(_page(app, visitor, url, response, method="POST"))
    return pages


def recovery_codes_page(site: Site, language: str = "en") -> Page:
    """The page of recovery codes, where signing up leads, before they are said to be saved."""
    client = site.app.test_client()
    form = {
        "username": f"newcomer_reading_{language}",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "role": "provider",
        "risk_read": "y",
    }
    with reading([client], language):
        url = post(client, "/signup", form).headers["Location"]
        page = _page(site.app, "newcomer", url, client.get(url), language=language)
        # the codes as a file: not a page, so only its reaching is recorded
        with client.get(url + ".txt") as download:
            assert download.status_code == 200 and download.mimetype == "text/plain"
    site.memo.setdefault("documents", set()).add(endpoint_of(site.app, url + ".txt"))
    return page


def reached_endpoints(site: Site) -> set[str]:
    """Every endpoint some visitor reached, whether it showed a page or sent them on."""
    pages = {page.endpoint for kind in VISITOR_KINDS for page in pages_of(site, kind)}
    return pages | site.memo.get("redirecting endpoints", set()) | site.memo.get("documents", set())


def every_page(site: Site, visitor: str) -> list[Page]:
    pages = crawl(site, visitor)
    if visitor == "anonymous":
        pages.append(recovery_codes_page(site))
    if visitor == "provider":
        # shown once, after the crawl: new addresses end the ones the crawl followed
        response = feed_addresses(site.visitors["provider"])
        pages.append(_page(site.app, "provider", "/account/feeds", response, method="POST"))
    return pages


_cache: dict[str, tuple] = {}


def shared_site(tmp_path_factory) -> Site:
    """One built site for every test of a module, rebuilt if another test rebound the database.

    The database handle is process-wide, so a site is only usable while its app is the last
    one created; building once per module instead of once per test keeps the suite fast.
    """
    cached = _cache.get("site")
    if cached is not None and cached[1] is db.database.obj:
        return cached[0]
    instance = tmp_path_factory.mktemp("realistic") / "instance"
    site = build(create_app(TEST_CONFIG, instance_path=instance))
    _cache["site"] = (site, db.database.obj)
    return site


def pages_of(site: Site, visitor: str) -> list[Page]:
    """Every page of one visitor, crawled once per site."""
    key = f"pages:{visitor}"
    if key not in site.memo:
        site.memo[key] = every_page(site, visitor)
    return site.memo[key]


def error_pages_of(site: Site) -> list[Page]:
    if "errors" not in site.memo:
        site.memo["errors"] = form_error_pages(site)
    return site.memo["errors"]


@contextmanager
def reading(clients, language: str):
    """These clients read the site in `language` (the cookie a visitor's choice sets)."""
    if language == "en":
        yield
        return
    for client in clients:
        client.set_cookie(COOKIE, language)
    try:
        yield
    finally:
        for client in clients:
            client.delete_cookie(COOKIE)


def pages_in(site: Site, visitor: str, language: str) -> list[Page]:
    """A visitor's pages in a language: every page in English; in another, the first page of
    each kind (endpoint) again, which keeps the added time small and still reads every kind."""
    if language == "en":
        return pages_of(site, visitor)
    key = f"pages:{visitor}:{language}"
    if key not in site.memo:
        client = site.visitors[visitor]
        kinds: dict[str, str] = {}
        for page in pages_of(site, visitor):
            if page.visitor == visitor:
                kinds.setdefault(page.endpoint, page.url)
        with reading([client], language):
            pages = [
                _page(site.app, visitor, url, client.get(url), language=language)
                for url in kinds.values()
            ]
        if visitor == "anonymous":
            pages.append(recovery_codes_page(site, language))
        site.memo[key] = pages
    return site.memo[key]


def error_pages_in(site: Site, language: str) -> list[Page]:
    """Every form sent back with mistakes, in a language."""
    if language == "en":
        return error_pages_of(site)
    key = f"errors:{language}"
    if key not in site.memo:
        with reading(site.visitors.values(), language):
            pages = form_error_pages(site)
        site.memo[key] = [replace(page, language=language) for page in pages]
    return site.memo[key]
