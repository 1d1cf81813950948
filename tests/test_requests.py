"""Posting, editing, withdrawing, browsing and searching requests, and who sees them."""

import re

import pytest

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, User
from movements.app.core.visibility import can_see
from movements.app.requests import rules
from tests.support.accounts import as_user, make_user, post, request_fields

NEW_REQUEST = {
    "title": "Training on secure messaging for a union",
    "description": "Our union of teachers needs a day of training on secure phones and messaging.",
    "skills": ["digital-security", "training"],
    "country": "BY",
    "languages": ["ru", "be"],
    "urgency": "normal",
    "visibility": "everyone",
    "min_stars": "0",
    "expires_in_days": "30",
}


def test_activist_posts_a_request_and_lands_on_its_random_address(app, activist):
    client = as_user(app, activist)
    response = post(client, "/requests/new", NEW_REQUEST)
    assert response.status_code == 302
    match = re.fullmatch(r"/requests/([A-Za-z0-9_-]{12})", response.headers["Location"])
    assert match
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Training on secure messaging for a union" in page
    assert "Belarus" in page


def test_public_ids_are_random_not_sequential(app, activist):
    ids = [rules.create_request(activist, request_fields()).public_id for _ in range(5)]
    assert len(set(ids)) == 5
    assert all(len(i) >= 10 and not i.isdigit() for i in ids)


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"title": "x" * 201},
        {"description": "too short"},
        {"description": "x" * 10001},
        {"skills": []},
        {"skills": ["weapons"]},
        {"country": "ZZ"},
        {"languages": []},
        {"languages": ["klingon"]},
        {"urgency": "yesterday"},
        {"visibility": "secret"},
        {"min_stars": "nine"},
        {"min_stars": "9"},
        {"expires_in_days": "3650"},
        {"expires_in_days": "soon"},
    ],
)
def test_bad_request_form_is_refused_and_nothing_is_stored(app, activist, changes):
    client = as_user(app, activist)
    response = post(client, "/requests/new", {**NEW_REQUEST, **changes})
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)
    assert HelpRequest.select().count() == 0


def test_providers_cannot_post_requests(app, provider):
    with pytest.raises(RuleViolation):
        rules.create_request(provider, request_fields())
    client = as_user(app, provider)
    assert post(client, "/requests/new", NEW_REQUEST).status_code == 409
    assert HelpRequest.select().count() == 0


def test_anonymous_visitor_is_sent_to_log_in_before_posting(client):
    response = client.get("/requests/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def selected_values(page: str, name: str) -> list[str]:
    """The values a browser would send for this select, as the page preselects them."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option selected value="([^"]*)"', select)


def hidden_values(page: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)">', page)


def test_a_new_request_starts_with_country_and_languages_from_the_profile(app, activist):
    client = as_user(app, activist)
    post(client, "/account/languages", {"languages": ["fa", "en"], "country": "IR"})
    page = client.get("/requests/new").get_data(as_text=True)
    assert "Step 1 of 2" in page and 'method="get"' in page
    assert selected_values(page, "country") == ["IR"]
    assert sorted(selected_values(page, "languages")) == ["en", "fa"]


def test_the_first_step_carries_its_choices_to_the_second(app, activist):
    client = as_user(app, activist)
    response = client.get("/requests/new?country=BY&languages=ru&languages=be")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Step 2 of 2" in page
    assert "Belarus" in page and "Russian" in page and "Belarusian" in page
    assert hidden_values(page, "country") == ["BY"]
    assert hidden_values(page, "languages") == ["ru", "be"]
    # the long lists are asked on the first step only
    assert re.search(r'<select[^>]*name="(country|languages)"', page) is None
    change = re.search(r'<a href="([^"]*step=where[^"]*)"', page).group(1)
    again = client.get(change.replace("&amp;", "&")).get_data(as_text=True)
    assert "Step 1 of 2" in again and selected_values(again, "country") == ["BY"]
    assert sorted(selected_values(again, "languages")) == ["be", "ru"]


@pytest.mark.parametrize(
    "query",
    [
        "country=US&languages=en",  # a free country is not eligible
        "country=BY",  # no language
        "country=&languages=ru",
        "country=BY&languages=klingon",
        "country=" + "B" * 5000 + "&languages=ru",
        "languages=ru" + "&languages=be" * 10,  # more than ten
    ],
)
def test_a_first_step_not_on_its_lists_is_shown_again_with_its_error(app, activist, query):
    response = as_user(app, activist).get(f"/requests/new?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Step 1 of 2" in page and 'class="error"' in page


def test_a_second_step_that_lost_its_country_asks_for_it_there(app, activist):
    client = as_user(app, activist)
    response = post(client, "/requests/new", {**NEW_REQUEST, "country": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Step 2 of 2" in page
    assert 'id="country-error"' in page and selected_values(page, "country") == [""]
    assert "Training on secure messaging for a union" in page  # nothing typed is lost
    assert HelpRequest.select().count() == 0


def test_editing_starts_at_the_second_step_with_the_request_country(app, activist, help_request):
    client = as_user(app, activist)
    page = client.get(f"/requests/{help_request.public_id}/edit").get_data(as_text=True)
    assert "Step 2 of 2" in page
    assert hidden_values(page, "country") == [help_request.country]


def test_author_moves_a_request_to_another_country_through_the_first_step(
    app, activist, help_request
):
    client = as_user(app, activist)
    url = f"/requests/{help_request.public_id}/edit"
    first = client.get(f"{url}?step=where&country=IR&languages=fa").get_data(as_text=True)
    assert "Step 1 of 2" in first and f'action="{url}"' in first
    second = client.get(f"{url}?country=BY&languages=ru").get_data(as_text=True)
    assert hidden_values(second, "country") == ["BY"]
    data = {**NEW_REQUEST, "country": "BY", "languages": ["ru"]}
    assert post(client, url, data).status_code == 302
    moved = HelpRequest.get_by_id(help_request.id)
    assert (moved.country, rules.languages_of(moved)) == ("BY", ["ru"])


def test_author_edits_the_request(app, activist, help_request):
    client = as_user(app, activist)
    url = f"/requests/{help_request.public_id}/edit"
    assert post(client, url, {**NEW_REQUEST, "title": "A clearer title"}).status_code == 302
    assert HelpRequest.get_by_id(help_request.id).title == "A clearer title"


def test_others_cannot_edit_or_withdraw_a_request(app, help_request, provider):
    client = as_user(app, provider)
    edit = f"/requests/{help_request.public_id}/edit"
    assert client.get(edit).status_code == 404
    assert post(client, edit, {**NEW_REQUEST, "title": "Hijacked title"}).status_code == 404
    assert post(client, f"/requests/{help_request.public_id}/withdraw").status_code == 404
    unchanged = HelpRequest.get_by_id(help_request.id)
    assert unchanged.title == help_request.title and unchanged.status == "open"
    with pytest.raises(NotFound):
        rules.withdraw_request(provider, help_request)


def test_withdrawing_asks_for_confirmation_then_closes_the_request(app, activist, help_request):
    client = as_user(app, activist)
    url = f"/requests/{help_request.public_id}/withdraw"
    assert "Yes, withdraw it" in client.get(url).get_data(as_text=True)
    assert HelpRequest.get_by_id(help_request.id).status == "open"
    post(client, url)
    assert HelpRequest.get_by_id(help_request.id).status == "withdrawn"
    assert "Legal advice" not in client.get("/requests").get_data(as_text=True)


def test_browse_lists_open_requests_newest_first(client, activist):
    rules.create_request(activist, request_fields(title="The older request"))
    rules.create_request(activist, request_fields(title="The newer request"))
    page = client.get("/requests").get_data(as_text=True)
    assert page.index("The newer request") < page.index("The older request")


def test_browse_pages_hold_twenty_with_plain_links(client, activist):
    for n in range(25):
        rules.create_request(activist, request_fields(title=f"Request number {n:02d}"))
    first = client.get("/requests").get_data(as_text=True)
    assert first.count("Request number") == 20
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/requests?page=2").get_data(as_text=True)
    assert second.count("Request number") == 5
    assert "Request number 00" in second and 'rel="prev"' in second


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("skill=asylum", {"asylum"}),
        ("skill=legal", {"legal"}),
        ("country=RU", {"asylum"}),
        ("language=ar", {"asylum"}),
        ("urgency=low", {"asylum"}),
        ("q=journalists", {"legal"}),
        ("q=refugee+families", {"asylum"}),
        ("q=nothing+like+this", set()),
        ("skill=asylum&country=IR", set()),
    ],
)
def test_browse_filters_and_searches(client, activist, query, expected):
    rules.create_request(activist, request_fields(title="Lawyer for journalists"))
    rules.create_request(
        activist,
        request_fields(
            title="Asylum route for refugee families",
            description="Families from Chechnya need advice on asylum in the EU, in Arabic.",
            skills=["asylum"],
            country="RU",
            languages=["ar"],
            urgency="low",
        ),
    )
    page = client.get(f"/requests?{query}").get_data(as_text=True)
    found = set()
    if "Lawyer for journalists" in page:
        found.add("legal")
    if "Asylum route" in page:
        found.add("asylum")
    assert found == expected


@pytest.mark.parametrize(
    "query",
    ['q="unbalanced', "q=NEAR(a+b)", "q=*", "q=title:x", "q=-", "q=" + "word+" * 30],
)
def test_search_syntax_in_user_input_is_harmless(client, help_request, query):
    assert client.get(f"/requests?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page=100000", "skill=weapons", "status=secret", "q=" + "x" * 300],
)
def test_bad_filters_are_a_clear_400(client, query):
    response = client.get(f"/requests?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_visibility_rule(app, activist, provider):
    public = rules.create_request(activist, request_fields(title="For everyone"))
    members = rules.create_request(
        activist, request_fields(title="Members only", visibility="signed_in")
    )
    starred = rules.create_request(
        activist, request_fields(title="Trusted providers", visibility="stars", min_stars=3)
    )
    other_activist = make_user("other_activist", "activist")
    assert can_see(None, public)
    assert not can_see(None, members) and not can_see(None, starred)
    assert can_see(provider, members) and not can_see(provider, starred)
    assert not can_see(other_activist, starred)
    assert can_see(activist, starred)
    User.update(trust_stars=3).where(User.id == provider.id).execute()
    assert can_see(User.get_by_id(provider.id), starred)


def test_visibility_holds_in_listing_and_on_the_page(app, client, activist, provider):
    members = rules.create_request(
        activist, request_fields(title="Members only", visibility="signed_in")
    )
    assert "Members only" not in client.get("/requests").get_data(as_text=True)
    assert client.get(f"/requests/{members.public_id}").status_code == 404
    signed_in = as_user(app, provider)
    assert "Members only" in signed_in.get("/requests").get_data(as_text=True)
    assert signed_in.get(f"/requests/{members.public_id}").status_code == 200


def test_unknown_request_is_404(client):
    assert client.get("/requests/doesnotexist").status_code == 404
