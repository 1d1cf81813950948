"""Judging an offer: what its author sees of the provider, and each decision confirmed first."""

import datetime
import html
import re

import pytest

from movements.app.core.models import Evidence, Match, Notification, Offer, Rating, User
from movements.app.directory import invitations
from movements.app.directory import rules as directory
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, post, request_fields
from tests.support.markup import parse

OFFER_TEXT = "I am a lawyer and can advise this week."
BIO = (
    "Lawyer in Berlin for fifteen years, working on detention and asylum cases with families "
    "from Iran and Syria. I answer within a day and work in English, Persian and Arabic. "
    "Before that I worked for a human rights organisation documenting arrests, and I still "
    "train legal observers twice a year in three cities."
)


@pytest.fixture
def offer(provider, help_request):
    return offers.make_offer(provider, help_request, OFFER_TEXT)


def text(response) -> str:
    return response.get_data(as_text=True)


def visible_text(response) -> str:
    """The words a reader sees, each element apart from the next, runs of space made one."""
    body = text(response).split("<body>", 1)[-1]
    body = re.sub(r"</?(bdi|strong|em)>", "", body)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def test_author_sees_each_offer_with_what_tells_who_the_provider_is(
    app, activist, provider, help_request, offer
):
    User.update(
        bio=BIO,
        skills=",asylum,legal,",
        languages=",ar,en,fa,",
        joined_on=datetime.date(2024, 5, 3),
    ).where(User.id == provider.id).execute()
    page = visible_text(as_user(app, activist).get(f"/requests/{help_request.public_id}"))
    assert "Not verified yet" in page
    assert "0 of 5 trust stars" not in page  # a bare "0 of 5" would hide "not checked yet"
    assert "Community rating No ratings yet" in page
    assert "Completed matches 0" in page
    assert "Joined May 2024" in page
    assert "Skills Asylum and immigration, Legal" in page
    assert "Languages Arabic, English, Persian" in page
    assert "Lawyer in Berlin for fifteen years" in page and "twice a year" not in page
    assert "Staff confirmed a public profile" not in page
    assert OFFER_TEXT in page
    links = [
        a.attrs.get("href")
        for a in parse(
            text(as_user(app, activist).get(f"/requests/{help_request.public_id}"))
        ).iter("a")
    ]
    assert "/users/lawyer_anna" in links
    assert f"/offers/{offer.public_id}/accept" in links
    assert f"/offers/{offer.public_id}/decline" in links


def test_the_card_says_stars_ratings_and_a_confirmed_profile_in_words(
    app, activist, provider, help_request, offer
):
    User.update(trust_stars=5).where(User.id == provider.id).execute()
    Evidence.create(user=provider, kind="public_profile", note="checked the profile")
    for stars in (5, 4):
        Rating.create(ratee=provider, stars=stars)
    page = visible_text(as_user(app, activist).get(f"/requests/{help_request.public_id}"))
    assert "Known and trusted by staff · 5 of 5 trust stars" in page
    assert "Community rating 4.5 of 5 from 2 ratings" in page
    assert "Staff confirmed a public profile they control" in page


def test_one_rating_is_counted_in_the_singular(app, activist, provider, help_request, offer):
    Rating.create(ratee=provider, stars=5)
    page = visible_text(as_user(app, activist).get(f"/requests/{help_request.public_id}"))
    assert "5.0 of 5 from 1 rating " in page


def test_accepting_first_shows_what_it_starts_and_the_safety_basics(app, activist, offer):
    client = as_user(app, activist)
    page = client.get(f"/offers/{offer.public_id}/accept")
    words = visible_text(page)
    assert page.status_code == 200
    assert "Accept the offer from lawyer_anna?" in words
    assert "private conversation" in words and "Nothing about you is revealed" in words
    assert "Never pay anyone" in words and "Never send identity documents" in words
    assert "Reveal contact details only once you trust the person" in words
    forms = list(parse(text(page)).iter("form"))
    assert [f.attrs["action"] for f in forms if f.attrs.get("method") == "post"][-1] == (
        f"/offers/{offer.public_id}/accept"
    )
    assert Offer.get_by_id(offer.id).status == "pending" and Match.select().count() == 0
    assert post(client, f"/offers/{offer.public_id}/accept").status_code == 302
    assert Match.select().count() == 1


def test_a_double_submitted_accept_makes_one_match(app, activist, offer):
    client = as_user(app, activist)
    first = post(client, f"/offers/{offer.public_id}/accept")
    second = post(client, f"/offers/{offer.public_id}/accept")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert Match.select().count() == 1


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_deciding_on_an_answered_offer_says_so_and_changes_nothing(app, activist, offer, action):
    offers.decline_offer(activist, offer)
    client = as_user(app, activist)
    page = client.get(f"/offers/{offer.public_id}/{action}")
    assert page.status_code == 409 and "already been answered" in text(page)
    assert post(client, f"/offers/{offer.public_id}/{action}").status_code == 409
    assert Offer.get_by_id(offer.id).status == "declined" and Match.select().count() == 0


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_deciding_on_a_closed_request_says_so(app, activist, offer, help_request, action):
    requests_rules.withdraw_request(activist, help_request)
    page = as_user(app, activist).get(f"/offers/{offer.public_id}/{action}")
    assert page.status_code == 409
    assert "no longer open" in text(page) or "already been answered" in text(page)


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_only_the_author_reaches_a_decision_page(app, provider, stranger, offer, action):
    for user in (provider, stranger):
        assert as_user(app, user).get(f"/offers/{offer.public_id}/{action}").status_code == 404
    assert as_user(app, stranger).get(f"/offers/{offer.public_id}/withdraw").status_code == 404
    assert as_user(app, stranger).get("/offers/no-such-offer/accept").status_code == 404


def test_declining_is_confirmed_first(app, activist, provider, offer):
    client = as_user(app, activist)
    page = client.get(f"/offers/{offer.public_id}/decline")
    assert page.status_code == 200 and "Decline the offer from lawyer_anna?" in visible_text(page)
    assert Offer.get_by_id(offer.id).status == "pending"
    assert post(client, f"/offers/{offer.public_id}/decline").status_code == 302
    assert Offer.get_by_id(offer.id).status == "declined"


def test_withdrawing_is_confirmed_and_the_author_is_told(app, activist, provider, offer):
    client = as_user(app, provider)
    page = client.get(f"/offers/{offer.public_id}/withdraw")
    assert page.status_code == 200 and "Withdraw your offer on" in visible_text(page)
    assert Offer.get_by_id(offer.id).status == "pending"
    assert post(client, f"/offers/{offer.public_id}/withdraw").status_code == 302
    assert Offer.get_by_id(offer.id).status == "withdrawn"
    notices = visible_text(as_user(app, activist).get("/notifications"))
    assert "An offer on your request “Legal advice for detained journalists” was withdrawn" in (
        notices
    )
    again = client.get(f"/offers/{offer.public_id}/withdraw")
    assert again.status_code == 409
    assert Notification.select().where(Notification.kind == "offer_withdrawn").count() == 1


def test_the_provider_edits_a_waiting_offer_and_the_author_is_told(app, activist, provider, offer):
    client = as_user(app, provider)
    page = client.get(f"/requests/{offer.help_request.public_id}")
    assert f'href="/offers/{offer.public_id}/edit"' in text(page)
    changed = "I can advise this week, and a colleague speaks Persian."
    response = post(client, f"/offers/{offer.public_id}/edit", {"message": changed})
    assert response.status_code == 302
    assert Offer.get_by_id(offer.id).message == changed
    assert Notification.get(Notification.kind == "offer_changed").user_id == activist.id
    assert post(client, f"/offers/{offer.public_id}/edit", {"message": "short"}).status_code == 400
    assert Offer.get_by_id(offer.id).message == changed


def test_an_answered_offer_cannot_be_edited(app, activist, provider, offer):
    offers.accept_offer(activist, offer)
    client = as_user(app, provider)
    assert client.get(f"/offers/{offer.public_id}/edit").status_code == 409
    response = post(client, f"/offers/{offer.public_id}/edit", {"message": "Something else now."})
    assert response.status_code == 409
    assert Offer.get_by_id(offer.id).message == OFFER_TEXT
    assert as_user(app, activist).get(f"/offers/{offer.public_id}/edit").status_code == 404


def test_a_provider_offers_again_after_withdrawing(app, activist, provider, offer, help_request):
    offers.withdraw_offer(provider, offer)
    client = as_user(app, provider)
    page = client.get(f"/requests/{help_request.public_id}")
    assert f'action="/requests/{help_request.public_id}/offer"' in text(page)
    again = "I withdrew too quickly: I can help after all, from next week."
    response = post(client, f"/requests/{help_request.public_id}/offer", {"message": again})
    assert response.status_code == 302
    (row,) = Offer.select()
    assert row.status == "pending" and row.message == again
    twice = post(client, f"/requests/{help_request.public_id}/offer", {"message": again})
    assert twice.status_code == 400 and "already offered" in text(twice)


def test_a_declined_provider_cannot_offer_again(activist, provider, offer, help_request):
    offers.decline_offer(activist, offer)
    with pytest.raises(offers.RuleViolation):
        offers.make_offer(provider, help_request, "Please reconsider my offer.")
    assert Offer.get_by_id(offer.id).status == "declined"


def test_every_page_links_to_the_safety_page(app, client, activist):
    for page in (client.get("/"), as_user(app, activist).get("/account")):
        footer = next(parse(text(page)).iter("footer"))
        assert "/safety" in [a.attrs.get("href") for a in footer.iter("a")]
    safety = client.get("/safety")
    words = visible_text(safety)
    assert safety.status_code == 200
    for point in ("Safest", "Informants", "Never pay anyone", "Report link", "block"):
        assert point in words


def test_an_invitation_offers_make_an_offer_beside_decline(app, activist, provider):
    directory.list_me(provider)
    help_request = requests_rules.create_request(activist, request_fields())
    invitations.invite(activist, provider, help_request, "Could you look at this?")
    page = as_user(app, provider).get(f"/requests/{help_request.public_id}")
    section = next(s for s in parse(text(page)).iter("section") if "invited" in s.text())
    assert "Make an offer" in section.text() and "Decline the invitation" in section.text()
    assert "#offer" in [a.attrs.get("href") for a in section.iter("a")]
