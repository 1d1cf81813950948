"""Every page, for every kind of visitor: no script, no foreign resource, the right headers."""

import pytest

from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, make_user, post, request_fields
from tests.support.pages import problems_in


@pytest.fixture
def world(app, activist, provider, stranger, help_request):
    offer = offers.make_offer(provider, help_request, "I can advise on the legal side.")
    match = offers.accept_offer(activist, offer)
    matches.post_message(provider, match, "Hello from the lawyer.")
    other = requests_rules.create_request(activist, request_fields(title="Still open"))
    offers.make_offer(provider, other, "Another offer, still pending.")
    return {"request": help_request, "open": other, "match": match}


def urls_for(world, who):
    help_request, open_request, match = world["request"], world["open"], world["match"]
    public = [
        "/",
        "/signup",
        "/login",
        "/recover",
        "/requests",
        "/requests?q=legal&skill=legal&page=1",
        "/requests?page=abc",
        f"/requests/{help_request.public_id}",
        f"/requests/{open_request.public_id}",
        "/users/leila",
        "/users/lawyer_anna",
        "/trust",
        "/no-such-page",
    ]
    signed_in = ["/account", "/notifications", "/matches", f"/matches/{match.public_id}"]
    own = {
        "activist": [
            "/requests/new",
            f"/requests/{open_request.public_id}/edit",
            f"/requests/{open_request.public_id}/withdraw",
            f"/matches/{match.public_id}/cancel",
        ],
        "provider": [f"/requests/{open_request.public_id}/offer"],
    }
    if who == "anonymous":
        return public
    return public + signed_in + own.get(who, [])


@pytest.mark.parametrize("who", ["anonymous", "activist", "provider", "stranger"])
def test_every_page_is_script_free_self_contained_and_hardened(app, world, who):
    users = {"activist": "leila", "provider": "lawyer_anna", "stranger": "stranger"}
    client = app.test_client()
    if who != "anonymous":
        from movements.app.core.members import find_account

        client = as_user(app, find_account(users[who]))
    for url in urls_for(world, who):
        response = client.get(url)
        assert response.status_code < 500, url
        assert problems_in(response) == [], url


def test_error_pages_are_clean_too(app, client, activist):
    client = as_user(app, activist)
    responses = [
        client.get("/requests/nope"),
        client.post("/requests/new"),  # no CSRF token
        client.put("/requests"),
        client.post("/signup", data={"username": "x" * 100_000}),  # over 64 KB
    ]
    assert [r.status_code for r in responses] == [404, 400, 405, 413]
    for response in responses:
        assert problems_in(response) == []


def test_static_stylesheet_is_cached_long_and_versioned(client):
    page = client.get("/").get_data(as_text=True)
    href = page.split('rel="stylesheet" href="')[1].split('"')[0]
    assert "?v=" in href
    with client.get(href) as css:
        assert css.status_code == 200
        assert "max-age=31536000" in css.headers["Cache-Control"]
        assert len(css.get_data()) <= 10 * 1024
        assert "margin-left" not in css.get_data(as_text=True)


def test_healthz_says_ok_and_nothing_else(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"


def test_post_without_csrf_token_is_400_and_changes_nothing(client):
    from movements.app.core.models import User

    response = client.post(
        "/signup",
        data={"username": "noor", "password": "x" * 12, "confirm": "x" * 12, "role": "provider"},
    )
    assert response.status_code == 400
    assert User.select().count() == 0


def test_stale_form_after_logout_is_refused(app, activist):
    client = as_user(app, activist)
    make_user("someone_else", "provider")
    post(client, "/logout")
    response = client.post("/requests/new", data={"csrf_token": "forged"})
    # signed out, the form cannot be shown again: sign in first, then back to the form's page
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/requests/new"
    assert client.get("/account").status_code == 302
