"""What makes the site read as one that deserves trust, checked in its pages.

The front page says what the site is, what is asked now and how it works; the eligibility page
speaks the visitor's language, not the data file's; the staff log reads as sentences; each page
has one filled button for its main action; the header folds its links into a menu on a phone;
a table on a phone labels each cell with its column.
"""

import re

import pytest

from movements.app.audit.chain import record
from movements.app.requests import rules as requests_rules
from movements.app.trust import evidence
from tests.support.accounts import as_user, request_fields
from tests.support.markup import parse
from tests.support.realistic import VISITOR_KINDS, error_pages_of, pages_of, shared_site
from tests.trust_safety.conftest import make_staff

LEAD = "Activists in closed societies ask here for help"
DATA_FILE_NOTES = ["ISO 3166", "null", "review this file", "freedomhouse.org", "XK"]


@pytest.fixture
def site(tmp_path_factory):
    return shared_site(tmp_path_factory)


def test_the_front_page_says_what_the_site_is_and_how_it_works_in_three_steps(client):
    document = parse(client.get("/").get_data(as_text=True))
    (lead,) = [p for p in document.iter("p") if "lead" in p.classes()]
    assert lead.text().startswith(LEAD)
    assert len(re.findall(r"[.!?](?:\s|$)", lead.text())) == 2
    (steps,) = [ol for ol in document.iter("ol") if "steps" in ol.classes()]
    assert len(list(steps.iter("li"))) == 3


def test_the_front_page_lists_the_latest_open_requests_everyone_may_see(app, client, activist):
    app.config["REQUESTS_PER_DAY"] = 20
    titles = [f"Public request number {n}" for n in range(7)]
    for title in titles:
        requests_rules.create_request(activist, request_fields(title=title))
    hidden = request_fields(title="Only for signed-in members", visibility="signed_in")
    requests_rules.create_request(activist, hidden)
    withdrawn = requests_rules.create_request(activist, request_fields(title="Withdrawn one"))
    requests_rules.withdraw_request(activist, withdrawn)

    page = client.get("/").get_data(as_text=True)
    shown = sorted((t for t in titles if t in page), key=page.index)
    assert shown == titles[:1:-1]  # the newest five, newest first
    assert "Only for signed-in members" not in page and "Withdrawn one" not in page


@pytest.mark.parametrize(("language", "iran"), [("en", "Iran"), ("ar", "إيران"), ("ru", "Иран")])
def test_the_eligibility_page_names_the_edition_once_in_the_visitors_language(
    client, language, iran
):
    page = client.get(f"/eligibility?lang={language}").get_data(as_text=True)
    assert page.count("Freedom in the World 2025") == 1
    assert iran in page
    assert [note for note in DATA_FILE_NOTES if note in page] == []


@pytest.fixture
def staff_log(app, provider):
    warden = make_staff("warden")
    evidence.limit_stars(warden, provider, 2, "A report is under review")
    record(warden, "story.removed", "story:3", "Named a detainee")  # an action added later
    return as_user(app, warden)


def test_staff_log_entries_read_as_sentences_with_their_date(staff_log):
    page = staff_log.get("/staff/log").get_data(as_text=True)
    assert "<bdi>warden</bdi> limited the stars of <bdi>lawyer_anna</bdi>." in page
    assert "stars.limited" not in page
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\d">', page)
    arabic = staff_log.get("/staff/log?lang=ar").get_data(as_text=True)
    assert "قيّد <bdi>warden</bdi> نجوم <bdi>lawyer_anna</bdi>." in arabic


def test_a_staff_log_action_without_a_sentence_yet_is_shown_as_stored(staff_log):
    page = staff_log.get("/staff/log").get_data(as_text=True)
    assert "warden: story.removed story:3" in page


def every_page(site):
    for visitor in VISITOR_KINDS:
        yield from pages_of(site, visitor)
    yield from error_pages_of(site)


def test_every_page_has_at_most_one_filled_button(site):
    crowded = []
    for page in every_page(site):
        filled = [
            button.text().strip()
            for button in parse(page.html).iter("button")
            if not {"secondary", "link"} & button.classes()
        ]
        if len(filled) > 1:
            crowded.append(f"{page}: {filled}")
    assert crowded == []


def test_every_page_folds_its_links_into_the_header_menu(site):
    unfolded = []
    for page in every_page(site):
        document = parse(page.html)
        menus = [d for d in document.iter("details") if "menu" in d.classes()]
        if len(menus) != 1 or not list(menus[0].iter("summary")) or not list(menus[0].iter("nav")):
            unfolded.append(str(page))
    assert unfolded == []


def test_every_table_cell_is_labelled_for_a_phone(site):
    unlabelled = []
    for page in every_page(site):
        for table in parse(page.html).iter("table"):
            for cell in table.iter("td"):
                if not cell.attrs.get("data-label", "").strip():
                    unlabelled.append(f"{page}: {cell.text()[:40]!r}")
    assert unlabelled == []
