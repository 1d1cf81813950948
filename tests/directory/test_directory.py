"""/providers: who is listed, filters, word search, pages, and that activists never appear."""

import datetime

import pytest

from movements.app.core.db import is_sqlite
from movements.app.core.models import Listing, StandingOffer, StandingOfferText, User, today
from movements.app.directory import rules
from movements.app.matches.rules import mark_done, rate
from movements.app.offers.rules import accept_offer, make_offer
from movements.app.requests.rules import create_request
from tests.support.accounts import as_user, make_user, post, request_fields
from tests.support.pages import problems_in

from .conftest import standing_offer_fields


def names_on(client, query: str = "") -> set[str]:
    page = client.get(f"/providers?{query}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {u.username for u in User.select() if f">{u.username}</a></h3>" in html}


@pytest.fixture
def two_providers(app):
    """An asylum lawyer serving Syrians in Arabic, and a trainer serving anywhere in Russian."""
    anna = make_user("lawyer_anna", "provider")
    rules.publish(anna, standing_offer_fields())
    bo = make_user("trainer_bo", "provider")
    rules.publish(
        bo,
        standing_offer_fields(
            title="Digital security training for unions",
            description="Day-long workshops on phones, messaging and safe browsing for groups.",
            skills=["digital-security", "training"],
            languages=["ru"],
            countries=[],
            everywhere=True,
        ),
    )
    User.update(trust_stars=4).where(User.id == bo.id).execute()
    return anna, bo


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {"lawyer_anna", "trainer_bo"}),
        ("skill=asylum", {"lawyer_anna"}),
        ("skill=training", {"trainer_bo"}),
        ("skill=arts", set()),
        ("language=ar", {"lawyer_anna"}),
        ("language=ru", {"trainer_bo"}),
        ("country=SY", {"lawyer_anna", "trainer_bo"}),
        ("country=IR", {"trainer_bo"}),
        ("stars=4", {"trainer_bo"}),
        ("stars=5", set()),
        ("q=asylum", {"lawyer_anna"}),
        ("q=workshops+unions", {"trainer_bo"}),
        ("q=asylum+workshops", set()),
        ("q=nothing+like+this", set()),
        ("skill=asylum&language=ar&country=SY", {"lawyer_anna"}),
        ("skill=asylum&language=ru", set()),
    ],
)
def test_directory_filters_and_searches(client, two_providers, query, expected):
    assert names_on(client, query) == expected


def test_profile_skills_and_languages_count_for_the_filters(client, two_providers):
    anna, _bo = two_providers
    User.update(skills=",translation,", languages=",fa,").where(User.id == anna.id).execute()
    assert names_on(client, "skill=translation") == {"lawyer_anna"}
    assert names_on(client, "language=fa") == {"lawyer_anna"}


def test_most_trusted_come_first_with_stars_and_rating_side_by_side(app, client, two_providers):
    anna, _bo = two_providers
    activist = make_user("leila", "activist")
    help_request = create_request(activist, request_fields())
    match = accept_offer(activist, make_offer(anna, help_request, "I can take this on this week."))
    mark_done(activist, match)
    mark_done(anna, match)
    rate(activist, match, 5, "Careful and quick.")
    page = client.get("/providers").get_data(as_text=True)
    assert page.index("trainer_bo") < page.index("lawyer_anna")
    anna_entry = page[page.index("lawyer_anna") :]
    assert "Not verified yet" in anna_entry and "0 of 5 trust stars" not in page
    assert "Community rating 5.0 of 5 from 1 rating" in anna_entry
    assert "4 of 5 trust stars" in page and "No community ratings yet" in page


def test_directory_pages_hold_twenty_with_plain_links(app, client):
    for n in range(25):
        rules.list_me(make_user(f"helper_{n:02d}", "provider"))
    first = client.get("/providers").get_data(as_text=True)
    assert first.count("</a></h3>") == 20
    assert 'rel="next" href="/providers?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/providers?page=2&skill=").get_data(as_text=True)
    assert second.count("</a></h3>") == 5
    assert "helper_00" in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_listing_is_opt_in_and_can_be_paused_or_left(app, client, provider):
    assert names_on(client) == set()
    owner = as_user(app, provider)
    assert "List me in the directory" in owner.get("/providers/me").get_data(as_text=True)
    post(owner, "/providers/me/list")
    assert names_on(client) == {"lawyer_anna"}
    post(owner, "/providers/me/pause")
    assert Listing.get().paused
    assert names_on(client) == set()
    assert "Not taking invitations now" in client.get("/users/lawyer_anna").get_data(as_text=True)
    post(owner, "/providers/me/resume")
    assert names_on(client) == {"lawyer_anna"}
    post(owner, "/providers/me/unlist")
    assert Listing.select().count() == 0
    assert names_on(client) == set()


@pytest.mark.parametrize(
    "moderated",
    [
        {"removed_on": today()},
        {"suspended_until": today() + datetime.timedelta(days=7)},
    ],
)
def test_moderated_providers_are_neither_listed_nor_invitable(
    app, client, two_providers, moderated
):
    anna, _bo = two_providers
    User.update(**moderated).where(User.id == anna.id).execute()
    assert names_on(client) == {"trainer_bo"}
    assert "Standing offers" not in client.get("/users/lawyer_anna").get_data(as_text=True)
    activist = make_user("leila", "activist")
    assert as_user(app, activist).get("/providers/lawyer_anna/invite").status_code == 404


def test_a_suspension_that_ended_lists_the_provider_again(client, two_providers):
    anna, _bo = two_providers
    User.update(suspended_until=today()).where(User.id == anna.id).execute()
    assert names_on(client) == {"lawyer_anna", "trainer_bo"}


def test_pausing_without_a_listing_is_refused(app, provider):
    assert post(as_user(app, provider), "/providers/me/pause").status_code == 409
    assert Listing.select().count() == 0


def test_listing_actions_are_posts_with_csrf(app, provider):
    client = as_user(app, provider)
    assert client.get("/providers/me/list").status_code == 405
    assert client.post("/providers/me/list").status_code == 400
    assert Listing.select().count() == 0


def test_activists_cannot_list_themselves(app, activist):
    client = as_user(app, activist)
    assert post(client, "/providers/me/list").status_code == 409
    assert Listing.select().count() == 0


@pytest.mark.parametrize(
    "query",
    [
        "",
        "skill=legal",
        "language=fa",
        "country=IR",
        "stars=5",
        "q=leila",
        "q=asylum",
        "q=journalists",
        "skill=asylum&language=fa&country=IR&stars=5&q=asylum",
    ],
)
def test_an_activist_never_appears_in_the_directory_whatever_their_data(client, query):
    activist = make_user("leila", "activist")
    User.update(
        trust_stars=5, skills=",legal,asylum,", languages=",fa,ar,", bio="Asylum lawyer leila"
    ).where(User.id == activist.id).execute()
    # rows the rules would never write for an activist, as a bug or a tampered database might
    Listing.create(user=activist)
    offer = StandingOffer.create(
        provider=activist,
        title="Asylum help from leila",
        description="Journalists and asylum seekers in Iran, write to leila.",
        skills=",legal,asylum,",
        languages=",fa,ar,",
        countries=",IR,",
        capacity=5,
        expires_on=today() + datetime.timedelta(days=30),
    )
    if is_sqlite():
        StandingOfferText.insert(
            rowid=offer.id, title=offer.title, description=offer.description
        ).execute()
    page = client.get(f"/providers?{query}").get_data(as_text=True)
    assert "No providers match." in page
    assert "/users/leila" not in page and "Asylum help" not in page
    assert "Standing offers" not in client.get("/users/leila").get_data(as_text=True)


def test_an_activist_cannot_be_invited_whatever_their_data(app):
    activist = make_user("leila", "activist")
    other = make_user("omid", "activist")
    Listing.create(user=activist)
    assert as_user(app, other).get("/providers/leila/invite").status_code == 404


@pytest.mark.parametrize(
    "query",
    ['q="unbalanced', "q=NEAR(a+b)", "q=*", "q=title:x", "q=-", "q=%25_", "q=" + "word+" * 30],
)
def test_search_syntax_in_user_input_is_harmless(client, two_providers, query):
    assert client.get(f"/providers?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=0",
        "page=100000",
        "skill=weapons",
        "language=klingon",
        "country=ZZ",
        "stars=9",
        "stars=-1",
        "q=" + "x" * 300,
    ],
)
def test_bad_filters_are_a_clear_400(client, query):
    response = client.get(f"/providers?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.get_data(as_text=True)


def test_directory_pages_are_clean(app, client, two_providers, activist):
    anna, _bo = two_providers
    offer = StandingOffer.get(StandingOffer.provider == anna)
    pages = [
        client.get("/providers"),
        client.get("/providers?q=asylum&skill=asylum"),
        client.get("/providers?stars=9"),
        client.get("/users/lawyer_anna"),
    ]
    owner = as_user(app, anna)
    pages += [
        owner.get("/providers/me"),
        owner.get("/providers/me/offers/new"),
        owner.get(f"/providers/me/offers/{offer.public_id}/edit"),
    ]
    create_request(activist, request_fields())
    pages.append(as_user(app, activist).get("/providers/lawyer_anna/invite"))
    for page in pages:
        assert page.status_code in (200, 400)
        assert problems_in(page) == []


def test_language_and_country_filters_offer_only_what_someone_listed_has(client, two_providers):
    page = client.get("/providers").get_data(as_text=True)
    assert '<option value="ar">' in page and '<option value="ru">' in page
    assert '<option value="sw">' not in page
    everywhere = StandingOffer.get(StandingOffer.everywhere == True)  # noqa: E712
    rules.close(everywhere.provider, everywhere)
    page = client.get("/providers").get_data(as_text=True)
    assert '<option value="SY">' in page and '<option value="IR">' not in page
    unused = client.get("/providers?language=sw&country=IR")
    assert unused.status_code == 200
    assert '<option selected value="sw">' in unused.get_data(as_text=True)
    assert "No providers match." in unused.get_data(as_text=True)
