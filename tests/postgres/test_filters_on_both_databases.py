"""Filters of the list of requests, alone and mixed with words, on SQLite and PostgreSQL.

SQLite narrows through its full-text index, which holds each request's facets; PostgreSQL
through the indexed tables of skills and languages. Both must list exactly the requests a
plain reading of every request finds, newest first.
"""

import itertools

import pytest

from movements.app.core.models import HelpRequest
from movements.app.requests import rules
from tests.support.accounts import make_user, request_fields

pytestmark = pytest.mark.postgres

# title words, skills, languages, country, urgency, status
FILED = [
    ("lawyer detained", ["legal"], ["fa"], "IR", "urgent", "open"),
    ("lawyer asylum", ["legal", "asylum"], ["fa", "en"], "IR", "normal", "open"),
    ("press release", ["press"], ["ar"], "SY", "urgent", "open"),
    ("press lawyer", ["press", "legal"], ["ar", "en"], "SY", "low", "matched"),
    ("digital archive", ["digital-security"], ["ru"], "BY", "normal", "open"),
    ("digital lawyer", ["digital-security", "legal"], ["ru", "en"], "BY", "urgent", "completed"),
    ("asylum song", ["arts", "asylum"], ["fa"], "IR", "low", "open"),
    ("withdrawn lawyer", ["legal"], ["fa"], "IR", "urgent", "withdrawn"),
]
FILTERS = {
    "skill": ("", "legal", "press", "digital-security", "asylum", "fundraising"),
    "language": ("", "fa", "en", "ru"),
    "country": ("", "IR", "SY"),
    "urgency": ("", "urgent", "low"),
}
WORDS = ("", "lawyer", "asylum lawyer", "nowhere")
STATUSES = ("open", "matched", "completed")
DESCRIPTION = "Details will follow in the messages of the match, once there is one."


@pytest.fixture
def filed(any_app):
    """The requests of FILED, oldest first, each with what it is filed under."""
    activist = make_user("leila", "activist")
    made = []
    for title, skills, languages, country, urgency, status in FILED:
        fields = request_fields(
            title=f"Help with {title}",
            description=DESCRIPTION,
            skills=skills,
            languages=languages,
            country=country,
            urgency=urgency,
        )
        help_request = rules.create_request(activist, fields)
        if status == "withdrawn":
            rules.withdraw_request(activist, help_request)
        elif status != "open":
            HelpRequest.update(status=status).where(HelpRequest.id == help_request.id).execute()
        made.append((help_request.id, title, skills, languages, country, urgency, status))
    return made


def expected(filed, filters: dict, words: str, status: str) -> list[int]:
    """Every request that has each chosen filter and each word, newest first, read plainly."""
    found = []
    for row_id, title, skills, languages, country, urgency, row_status in filed:
        if row_status != status:
            continue
        if filters["skill"] and filters["skill"] not in skills:
            continue
        if filters["language"] and filters["language"] not in languages:
            continue
        if filters["country"] and filters["country"] != country:
            continue
        if filters["urgency"] and filters["urgency"] != urgency:
            continue
        if not all(word in title.split() for word in words.split()):
            continue
        found.append(row_id)
    return sorted(found, reverse=True)


def listed(filters: dict, words: str, status: str) -> list[int]:
    results, more = rules.browse(None, rules.Filters(q=words, status=status, **filters), 100)
    assert not more
    return [row.id for row in results]


def test_every_mix_of_filters_and_words_lists_exactly_what_it_should(filed):
    names = list(FILTERS)
    for values in itertools.product(*FILTERS.values()):
        filters = dict(zip(names, values, strict=True))
        for words in WORDS:
            assert listed(filters, words, "open") == expected(filed, filters, words, "open"), (
                filters,
                words,
            )


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_is_filtered_with_the_rest(filed, status):
    for skill in FILTERS["skill"]:
        filters = {"skill": skill, "language": "", "country": "", "urgency": ""}
        assert listed(filters, "", status) == expected(filed, filters, "", status)


def test_a_withdrawn_request_is_found_by_no_filter(filed):
    withdrawn = filed[-1][0]
    for skill in FILTERS["skill"]:
        filters = {"skill": skill, "language": "fa", "country": "IR", "urgency": ""}
        assert withdrawn not in listed(filters, "", "open")


def test_an_edit_files_the_request_under_its_new_skills_and_languages(any_app):
    activist = make_user("leila", "activist")
    help_request = rules.create_request(activist, request_fields(skills=["legal"]))
    only_press = {"skill": "press", "language": "ru", "country": "", "urgency": ""}
    assert listed(only_press, "", "open") == []
    rules.edit_request(activist, help_request, request_fields(skills=["press"], languages=["ru"]))
    assert listed(only_press, "", "open") == [help_request.id]
    legal = {"skill": "legal", "language": "", "country": "", "urgency": ""}
    assert listed(legal, "", "open") == []
    assert rules.skills_of(help_request) == ["press"]
    assert rules.languages_of(help_request) == ["ru"]


def test_a_page_of_results_shows_each_requests_skills(any_app):
    activist = make_user("leila", "activist")
    fields = request_fields(title="Several skills at once", skills=["press", "legal", "arts"])
    rules.create_request(activist, fields)
    page = any_app.test_client().get("/requests?skill=arts").get_data(as_text=True)
    assert "Several skills at once" in page
    assert "Arts and music, Legal, Press and journalism" in page
