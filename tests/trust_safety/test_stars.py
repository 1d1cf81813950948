"""The star function, its table, and stars recomputed whenever their evidence changes."""

import pytest

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import Evidence, Rating, User
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.trust import evidence, profiles
from movements.app.trust.stars import STAR_TABLE, recompute, stars_from
from tests.support.accounts import as_user, post
from tests.support.pages import problems_in

from .conftest import completed_match, fresh, give_stars


@pytest.mark.parametrize(
    ("counts", "known_and_trusted", "limit", "expected"),
    [
        ({}, False, None, 0),
        ({"spoke": 1}, False, None, 2),
        ({"spoke": 3}, False, None, 2),
        ({"organisation": 1}, False, None, 1),
        ({"organisation": 2}, False, None, 1),
        ({"public_profile": 1}, False, None, 1),
        ({"vouch": 1}, False, None, 1),
        ({"vouch": 5}, False, None, 2),
        ({"track_record": 2}, False, None, 0),
        ({"track_record": 3}, False, None, 1),
        ({"track_record": 6}, False, None, 2),
        ({"track_record": 30}, False, None, 2),
        ({"spoke": 1, "organisation": 1}, False, None, 3),
        ({"spoke": 1, "organisation": 1, "public_profile": 1}, False, None, 4),
        (
            {"spoke": 9, "organisation": 9, "public_profile": 9, "vouch": 9, "track_record": 99},
            False,
            None,
            4,
        ),
        ({"spoke": 1}, True, None, 5),
        ({"spoke": 1}, True, 3, 3),
        ({"spoke": 1, "organisation": 1, "public_profile": 1}, False, 1, 1),
        ({"spoke": 1}, False, 0, 0),
        ({"unknown_kind": 7}, False, None, 0),
    ],
)
def test_star_function_follows_its_table(counts, known_and_trusted, limit, expected):
    assert stars_from(counts, known_and_trusted, limit) == expected


def test_without_the_judgement_stars_stop_at_four():
    everything = {source.kind: 100 for source in STAR_TABLE}
    assert stars_from(everything, False, None) == 4


def test_trust_page_shows_the_table_the_function_reads(client):
    response = client.get("/trust")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and problems_in(response) == []
    for source in STAR_TABLE:
        assert str(source.label) in page
    assert "<table>" in page and "second, different staff member" in page


def test_evidence_from_staff_is_stored_as_stars(warden, provider):
    evidence.add_evidence(warden, provider, "spoke", "Video call, confirmed bar membership")
    assert fresh(provider).trust_stars == 2
    evidence.add_evidence(warden, provider, "organisation", "Listed on the firm's site")
    assert fresh(provider).trust_stars == 3


def test_removing_evidence_recomputes_the_stars(warden, provider):
    provider = give_stars(warden, provider, 3)
    spoke = Evidence.get((Evidence.user == provider) & (Evidence.kind == "spoke"))
    evidence.remove_evidence(warden, provider, spoke.id, "Recorded on the wrong account")
    assert fresh(provider).trust_stars == 1
    assert not Evidence.select().where(Evidence.id == spoke.id).exists()


def test_only_staff_record_evidence(provider, stranger):
    with pytest.raises(NotFound):
        evidence.add_evidence(stranger, provider, "spoke", "I know them, trust me")
    assert Evidence.select().count() == 0 and fresh(provider).trust_stars == 0


@pytest.mark.parametrize(
    ("kind", "note"),
    [
        ("spoke", ""),
        ("spoke", "   "),
        ("spoke", "x" * 301),
        ("vouch", "staff cannot add vouches"),
        ("track_record", "counted automatically"),
        ("documents", "a passport scan"),
    ],
)
def test_bad_evidence_is_refused_and_changes_nothing(warden, provider, kind, note):
    with pytest.raises(RuleViolation):
        evidence.add_evidence(warden, provider, kind, note)
    assert Evidence.select().count() == 0 and fresh(provider).trust_stars == 0


def test_a_public_profile_needs_a_link_before_staff_confirm_it(warden, provider):
    with pytest.raises(RuleViolation):
        evidence.add_evidence(warden, provider, "public_profile", "Looked it up")
    profiles.set_link(provider, "https://lawyers.example/anna")
    evidence.add_evidence(warden, provider, "public_profile", "She posted the code we sent")
    assert fresh(provider).trust_stars == 1


def test_changing_the_public_profile_link_takes_back_its_confirmation(warden, provider):
    profiles.set_link(provider, "https://lawyers.example/anna")
    evidence.add_evidence(warden, provider, "public_profile", "She posted the code we sent")
    profiles.set_link(fresh(provider), "https://elsewhere.example/someone")
    assert fresh(provider).trust_stars == 0
    assert not Evidence.select().where(Evidence.kind == "public_profile").exists()


def test_the_public_profile_link_is_encrypted_at_rest(app, instance, provider):
    profiles.set_link(provider, "https://lawyers.example/anna-unique-handle")
    assert profiles.link_of(provider) == "https://lawyers.example/anna-unique-handle"
    raw = b"".join(p.read_bytes() for p in instance.glob("movements.sqlite3*"))
    assert b"anna-unique-handle" not in raw


@pytest.mark.parametrize(
    "link", ["not a url", "ftp://files.example/x", "https://a.example/" + "x" * 200, "https://a b"]
)
def test_a_bad_public_profile_link_is_refused(app, provider, link):
    client = as_user(app, provider)
    response = post(client, "/account/public-profile", {"link": link})
    assert response.status_code == 400
    assert profiles.link_of(provider) is None


def test_user_links_a_public_profile_on_their_own_page(app, provider):
    client = as_user(app, provider)
    page = client.get("/account/public-profile")
    assert page.status_code == 200 and problems_in(page) == []
    response = post(client, "/account/public-profile", {"link": "https://lawyers.example/anna"})
    assert response.status_code == 302
    assert profiles.link_of(provider) == "https://lawyers.example/anna"


def test_staff_accounts_get_no_evidence(warden, keeper):
    with pytest.raises(RuleViolation):
        evidence.add_evidence(warden, keeper, "spoke", "Colleague")


def test_a_track_record_of_good_ratings_earns_stars_automatically(activist, provider):
    for n in range(3):
        match = completed_match(activist, provider, title=f"Legal advice number {n}")
        matches.rate(activist, match, 5, "Excellent")
    assert fresh(provider).trust_stars == 1


def test_poor_ratings_earn_no_stars(activist, provider):
    for n in range(3):
        matches.rate(activist, completed_match(activist, provider, f"Request {n} here"), 3, "")
    assert Rating.select().count() == 3 and fresh(provider).trust_stars == 0


def test_stars_show_next_to_names_on_requests_offers_matches_and_profiles(
    app, warden, activist, provider, help_request
):
    give_stars(warden, provider, 3)
    give_stars(warden, activist, 2)
    offer = offers.make_offer(fresh(provider), help_request, "I can help with the legal side.")
    as_activist = as_user(app, activist)
    request_page = as_activist.get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert "2 of 5 trust stars" in request_page  # the author
    assert "3 of 5 trust stars" in request_page  # the provider, before accepting
    match = offers.accept_offer(activist, offer)
    match_page = as_activist.get(f"/matches/{match.public_id}").get_data(as_text=True)
    assert "3 of 5 trust stars" in match_page
    profile = app.test_client().get("/users/lawyer_anna").get_data(as_text=True)
    assert "3 of 5 trust stars" in profile and "Staff spoke with them" in profile
    assert "No ratings yet" in profile  # the community rating stays separate


def test_removed_users_have_no_stars(warden, provider):
    provider = give_stars(warden, provider, 3)
    User.update(removed_on=provider.joined_on).where(User.id == provider.id).execute()
    assert recompute(fresh(provider)) == 0
