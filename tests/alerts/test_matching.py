"""Which alerts a new request matches, and who is told: once, and only those who may see it."""

import pytest

from movements.app.accounts.deletion import delete_account
from movements.app.alerts import matching
from movements.app.blocks import rules as blocks
from movements.app.core.db import database, is_sqlite
from movements.app.core.models import AlertMatch, User, today
from movements.app.moderation.content import remove_everything_of
from movements.app.requests import rules as requests_rules
from movements.app.trust import evidence
from tests.support.accounts import make_user, request_fields

from .conftest import alert_notices, save

# request_fields(): skills legal and press, Iran, Persian and English, urgent, for everyone
TITLE = "Legal advice for detained journalists"


def post(activist, **changes):
    return requests_rules.create_request(activist, request_fields(**changes))


@pytest.mark.parametrize(
    "filters",
    [
        {"skill": "legal"},
        {"skill": "press"},
        {"country": "IR"},
        {"language": "fa"},
        {"language": "en"},
        {"urgency": "urgent"},
        {"words": "journalists"},
        {"skill": "legal", "country": "IR", "language": "fa", "urgency": "urgent"},
        {"skill": "legal", "words": "DETAINED Journalists"},
        {"words": "lawyer's advice"},
    ],
)
def test_an_alert_whose_every_filter_admits_the_request_tells_its_owner(
    activist, provider, filters
):
    save(provider, **filters)
    post(activist)
    assert alert_notices(provider) == [TITLE]


@pytest.mark.parametrize(
    "filters",
    [
        {"skill": "asylum"},
        {"country": "SY"},
        {"language": "ar"},
        {"urgency": "low"},
        {"words": "torture"},
        {"words": "journalists torture"},  # every word must be there
        {"words": "journal"},  # a part of a word is not the word
        {"skill": "legal", "country": "SY"},
    ],
)
def test_an_alert_with_one_filter_that_refuses_the_request_stays_silent(
    activist, provider, filters
):
    save(provider, **filters)
    post(activist)
    assert alert_notices(provider) == []
    assert AlertMatch.select().count() == 0


def test_words_match_whatever_their_case_and_accents(activist, provider):
    save(provider, words="DÉTENUS avocat")
    post(activist, title="Un avocat pour des détenus", description="Trois détenus, sans avocat.")
    assert alert_notices(provider) == ["Un avocat pour des détenus"]


def test_words_in_persian_match_persian_text(activist, provider):
    save(provider, language="fa", words="وکیل")
    post(
        activist, title="نیاز فوری به وکیل", description="دانشجویان بازداشت شده به وکیل نیاز دارند."
    )
    assert alert_notices(provider) == ["نیاز فوری به وکیل"]


def test_a_paused_alert_matches_nothing_until_resumed(activist, provider):
    alert = save(provider, skill="legal")
    alert.paused = True
    alert.save()
    post(activist, title="While paused")
    alert.paused = False
    alert.save()
    post(activist, title="After resuming")
    assert alert_notices(provider) == ["After resuming"]


def test_an_owner_with_two_matching_alerts_is_told_once(activist, provider):
    first, second = save(provider, skill="legal"), save(provider, country="IR")
    help_request = post(activist)
    assert alert_notices(provider) == [TITLE]
    matched = {
        row.alert_id for row in AlertMatch.select().where(AlertMatch.help_request == help_request)
    }
    assert matched == {first.id, second.id}


def test_each_owner_is_told_once_whoever_else_is_told(app, activist, provider, stranger):
    save(provider, skill="legal")
    save(stranger, language="fa")
    post(activist)
    assert alert_notices(provider) == alert_notices(stranger) == [TITLE]


def test_editing_a_request_tells_nobody_twice(activist, provider):
    save(provider, skill="legal")
    help_request = post(activist)
    requests_rules.edit_request(activist, help_request, request_fields(title="Edited title"))
    assert alert_notices(provider) == [TITLE]


def test_an_edit_that_newly_matches_an_alert_tells_its_owner(activist, provider):
    save(provider, skill="asylum")
    help_request = post(activist)
    requests_rules.edit_request(activist, help_request, request_fields(skills=["asylum"]))
    assert alert_notices(provider) == [TITLE]


def test_a_provider_below_the_requests_stars_is_not_told_until_it_admits_them(
    app, activist, provider
):
    save(provider, skill="legal")
    help_request = post(activist, visibility="stars", min_stars=1)
    assert alert_notices(provider) == []
    requests_rules.edit_request(activist, help_request, request_fields(visibility="everyone"))
    assert alert_notices(provider) == [TITLE]


def test_a_provider_with_enough_stars_is_told_of_a_star_only_request(app, activist, provider):
    from ..trust_safety.conftest import make_staff

    evidence.add_evidence(make_staff("warden"), provider, "organisation", "checked")
    assert User.get_by_id(provider.id).trust_stars == 1
    save(provider, skill="legal")
    post(activist, visibility="stars", min_stars=1)
    assert alert_notices(provider) == [TITLE]


def test_an_activist_may_keep_an_alert_too_but_not_hear_of_star_only_requests(app, activist):
    other = make_user("samira", "activist")
    save(other, country="IR")
    post(activist, title="For signed-in users", visibility="signed_in")
    post(activist, title="For trusted providers", visibility="stars", min_stars=0)
    assert alert_notices(other) == ["For signed-in users"]


def test_the_author_is_not_told_of_their_own_request(activist):
    save(activist, country="IR")
    post(activist)
    assert alert_notices(activist) == []


def test_someone_the_author_blocked_is_not_told(activist, provider):
    blocks.block(activist, provider)
    save(provider, skill="legal")
    post(activist)
    assert alert_notices(provider) == []


def test_a_removed_account_is_not_told(activist, provider):
    save(provider, skill="legal")
    User.update(removed_on=today()).where(User.id == provider.id).execute()
    remove_everything_of(User.get_by_id(provider.id))
    post(activist)
    assert alert_notices(provider) == []


def test_deleting_the_author_takes_the_matches_and_notices_with_the_requests(activist, provider):
    save(provider, skill="legal")
    post(activist)
    delete_account(activist)
    assert AlertMatch.select().count() == 0
    assert alert_notices(provider) == []


def test_the_database_finds_matching_alerts_through_indexes_not_a_scan(activist, provider):
    """The query plan, not a timing: no step reads the whole alert or word table."""
    if not is_sqlite():
        pytest.skip("SQLite's plan; PostgreSQL plans by its statistics")
    save(provider, skill="legal", words="lawyer")
    help_request = post(activist)
    sql, params = matching.candidates(help_request).sql()
    plan = [row[-1] for row in database.execute_sql(f"EXPLAIN QUERY PLAN {sql}", params)]
    assert [step for step in plan if step.startswith("SCAN")] == [], plan
    composite = "alert_paused_skill_country_language_urgency_word_count_owner_id"
    assert any(f"USING COVERING INDEX {composite}" in step for step in plan), plan
    assert any("INDEX alertword_alert_id_word (alert_id=? AND word=?)" in step for step in plan)
