"""Posting, editing, withdrawing, browsing and searching requests, and who sees them."""

import re

import pytest

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, User
from movements.app.core.visibility import can_see
from movements.app.requests import rules
from tests.support.accounts import as_user, make_user, post, request_fields
from tests.support.markup import parse

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
        {"visibility": ""},
        {"visibility": "stars", "min_stars": "nine"},
        {"visibility": "stars", "min_stars": "9"},
        {"visibility": "stars", "min_stars": "0"},
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


def boxes(page: str, name: str) -> list[tuple[str, bool]]:
    """Each checkbox or radio button of this name: its value, and whether it is ticked."""
    found = []
    for element in parse(page).iter("input"):
        if element.attrs.get("name") == name:
            found.append((element.attrs["value"], "checked" in element.attrs))
    return found


def test_the_request_form_is_one_page_with_country_and_languages_from_the_profile(app, activist):
    client = as_user(app, activist)
    post(client, "/account/languages", {"languages": ["fa", "ps"], "country": "IR"})
    page = client.get("/requests/new").get_data(as_text=True)
    assert len(list(parse(page).iter("form"))) == 2  # the request, and the header's log out
    assert selected_values(page, "country") == ["IR"]
    languages = boxes(page, "languages")
    # the profile's languages first, ticked; then every other, in the list's order
    assert sorted(languages[:2]) == [("fa", True), ("ps", True)]
    assert len(languages) > 60 and not any(ticked for _code, ticked in languages[2:])
    assert "<select multiple" not in page and " multiple" not in page and "Ctrl" not in page


def test_visibility_is_asked_with_nothing_chosen_and_each_choice_explained(app, activist):
    page = as_user(app, activist).get("/requests/new").get_data(as_text=True)
    # fewest readers first: a text browser that shows the first choice as chosen (lynx) keeps
    # a request it sends unchanged among trusted providers, never public
    assert [value for value, ticked in boxes(page, "visibility")] == [
        "stars",
        "signed_in",
        "everyone",
    ]
    assert not any(ticked for _value, ticked in boxes(page, "visibility"))
    for line in ("Anyone who opens this site", "Anyone with an account", "Only providers"):
        assert line in page
    # the star levels in words, in a radio group, not a number box
    assert [value for value, _ticked in boxes(page, "min_stars")] == ["1", "2", "3", "4", "5"]
    assert "1 ★ · Some information confirmed" in page
    assert "5 ★ · Known and trusted by staff" in page
    assert 'type="number"' not in page


def test_a_request_sent_without_a_visibility_is_refused(app, activist):
    client = as_user(app, activist)
    unchosen = {k: v for k, v in NEW_REQUEST.items() if k not in ("visibility", "min_stars")}
    response = post(client, "/requests/new", unchosen)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose who may see it." in page
    assert 'href="#visibility"' in page  # the summary at the top leads to the question
    assert "Training on secure messaging for a union" in page  # nothing typed is lost
    assert HelpRequest.select().count() == 0


def test_a_star_level_counts_only_for_providers_with_stars(app, activist):
    client = as_user(app, activist)
    needs_level = post(client, "/requests/new", {**NEW_REQUEST, "visibility": "stars"})
    assert needs_level.status_code == 400
    assert "Choose the fewest trust stars" in needs_level.get_data(as_text=True)
    assert HelpRequest.select().count() == 0
    chosen = {**NEW_REQUEST, "visibility": "stars", "min_stars": "3"}
    assert post(client, "/requests/new", chosen).status_code == 302
    ignored = {**NEW_REQUEST, "visibility": "signed_in", "min_stars": "3"}
    assert post(client, "/requests/new", ignored).status_code == 302
    stored = [(r.visibility, r.min_stars) for r in HelpRequest.select().order_by(HelpRequest.id)]
    assert stored == [("stars", 3), ("signed_in", 0)]


def test_a_request_that_lost_its_country_asks_for_it_and_keeps_the_rest(app, activist):
    client = as_user(app, activist)
    response = post(client, "/requests/new", {**NEW_REQUEST, "country": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="country-error"' in page and 'href="#country"' in page
    assert "Training on secure messaging for a union" in page  # nothing typed is lost
    assert ("ru", True) in boxes(page, "languages") and ("everyone", True) in boxes(
        page, "visibility"
    )
    assert HelpRequest.select().count() == 0


def test_editing_shows_the_request_as_it_is(app, activist, help_request):
    client = as_user(app, activist)
    page = client.get(f"/requests/{help_request.public_id}/edit").get_data(as_text=True)
    assert selected_values(page, "country") == [help_request.country]
    assert ("everyone", True) in boxes(page, "visibility")
    assert {code for code, ticked in boxes(page, "languages") if ticked} == {"fa", "en"}


def test_author_moves_a_request_to_another_country(app, activist, help_request):
    client = as_user(app, activist)
    url = f"/requests/{help_request.public_id}/edit"
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
