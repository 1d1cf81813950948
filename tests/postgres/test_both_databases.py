"""What must behave the same on SQLite and PostgreSQL, run on each: search, and awkward input.

SQLite searches with its full-text index; PostgreSQL with ILIKE on each word. Either way a
word matches whatever its case, and `%` or `_` typed by a visitor are plain characters,
never wildcards.
"""

import datetime

import pytest

from movements.app.cli.purge import expire_requests
from movements.app.core.models import HelpRequest, User
from movements.app.requests import rules
from tests.support.accounts import make_user, post, request_fields

pytestmark = pytest.mark.postgres

UNION = "Training for a union of teachers"
RUSSIAN = "Суд над журналистами"  # "trial of journalists"
PERCENT = "Fees: 100% covered by the fund"
UNDERSCORE = "Moving the site to new_server"


@pytest.fixture
def titles(any_app):
    activist = make_user("leila", "activist")
    for title in (UNION, RUSSIAN, PERCENT, UNDERSCORE):
        rules.create_request(activist, request_fields(title=title))
    return any_app


def found(client, q: str) -> set[str]:
    response = client.get("/requests", query_string={"q": q})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return {title for title in (UNION, RUSSIAN, PERCENT, UNDERSCORE) if title in page}


# query -> the titles it finds
SEARCHES = {
    "UNION teachers": {UNION},
    "TrAiNiNg": {UNION},
    "СУД": {RUSSIAN},
    "суд журналистами": {RUSSIAN},
    "union суд": set(),  # every word must match
    "new_server": {UNDERSCORE},
    "new_serve_": set(),  # "_" is not "any one character"
    "n_w": set(),
    "%": set(),  # "%" is not "anything"
    "100%": {PERCENT},
}


def test_search_is_case_blind_and_takes_wildcards_literally(titles):
    client = titles.test_client()
    assert {q: found(client, q) for q in SEARCHES} == SEARCHES


def test_closed_requests_are_no_longer_found_by_their_words(any_app):
    activist = make_user("leila", "activist")
    withdrawn, expired, matched = (rules.create_request(activist, request_fields()) for _ in "abc")
    rules.withdraw_request(activist, withdrawn)
    HelpRequest.update(status=HelpRequest.MATCHED).where(HelpRequest.id == matched.id).execute()
    expire_requests(expired.expires_on + datetime.timedelta(days=1))

    def found(status: str) -> list[str]:
        results, _more = rules.browse(None, rules.Filters(status=status, q="journalists"), 20)
        return [result.public_id for result in results]

    assert found(HelpRequest.WITHDRAWN) == []
    assert found(HelpRequest.EXPIRED) == []
    assert found(HelpRequest.MATCHED) == [matched.public_id]


NUL_ATTEMPTS = [
    ("GET", "/users/lei%00la", None),
    ("GET", "/requests/abc%00def", None),
    ("GET", "/requests?q=union%00", None),
    ("POST", "/login", {"username": "leila\x00", "password": "correct horse battery"}),
    ("POST", "/signup", {"username": "no\x00or", "password": "x" * 12, "role": "provider"}),
]


def test_a_nul_character_is_a_clear_400_and_changes_nothing(any_app):
    """PostgreSQL cannot hold NUL in text, so its driver refuses it: that must not be a 500."""
    make_user("leila", "activist")
    client = any_app.test_client()
    for method, path, data in NUL_ATTEMPTS:
        response = post(client, path, data) if method == "POST" else client.get(path)
        assert response.status_code == 400, path
        assert "That did not work" in response.get_data(as_text=True)
    assert User.select().count() == 1
