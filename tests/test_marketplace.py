"""Offers, matches, messages, contact reveals and ratings: the rules and the pages."""

import pytest

from movements.app.core.errors import NotFound, RuleViolation
from movements.app.core.models import HelpRequest, Match, Message, Notification, Offer, Rating
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, key_of, make_user, post, request_fields


@pytest.fixture
def offer(provider, help_request):
    return offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")


@pytest.fixture
def match(activist, offer):
    return offers.accept_offer(activist, offer)


@pytest.fixture
def completed_match(activist, provider, match):
    matches.mark_done(activist, match)
    matches.mark_done(provider, Match.get_by_id(match.id))
    return Match.get_by_id(match.id)


# --- the rules, without HTTP -------------------------------------------------


def test_author_cannot_offer_on_own_request(activist, help_request):
    with pytest.raises(RuleViolation):
        offers.make_offer(activist, help_request, "I will help myself with this one.")
    assert Offer.select().count() == 0


def test_activists_cannot_offer_help(help_request):
    other = make_user("other_activist", "activist")
    with pytest.raises(RuleViolation):
        offers.make_offer(other, help_request, "I would like to help, though.")


def test_one_offer_per_provider_per_request(provider, help_request, offer):
    with pytest.raises(RuleViolation):
        offers.make_offer(provider, help_request, "A second offer on the same request.")
    assert Offer.select().count() == 1


def test_withdrawn_request_takes_no_offers(activist, provider, help_request):
    requests_rules.withdraw_request(activist, help_request)
    with pytest.raises(RuleViolation):
        offers.make_offer(provider, help_request, "Too late, but here is my offer.")


def test_expired_request_takes_no_offers(provider, help_request):
    HelpRequest.update(expires_on=help_request.created_on.replace(year=2000)).execute()
    with pytest.raises(RuleViolation):
        offers.make_offer(provider, HelpRequest.get_by_id(help_request.id), "Expired already.")


def test_offer_on_a_request_the_provider_cannot_see_is_not_found(activist, provider):
    starred = requests_rules.create_request(
        activist, request_fields(visibility="stars", min_stars=4)
    )
    with pytest.raises(NotFound):
        offers.make_offer(provider, starred, "I cannot see this request at all.")


def test_new_offer_notifies_the_author(activist, offer):
    assert Notification.get(Notification.user == activist).kind == "offer_received"


def test_accepting_opens_a_match_and_declines_the_others(activist, help_request, offer, stranger):
    other = offers.make_offer(stranger, help_request, "Another lawyer, also available.")
    match = offers.accept_offer(activist, offer)
    assert match.provider_id == offer.provider_id and match.activist_id == activist.id
    assert Offer.get_by_id(offer.id).status == "accepted"
    assert Offer.get_by_id(other.id).status == "declined"
    assert HelpRequest.get_by_id(help_request.id).status == "matched"
    assert Notification.get(Notification.user == stranger).kind == "offer_declined"


def test_accepting_twice_leads_to_the_one_match(activist, offer, match):
    again = offers.accept_offer(activist, Offer.get_by_id(offer.id))
    assert again.id == match.id and Match.select().count() == 1


def test_provider_cannot_accept_own_offer(provider, offer):
    with pytest.raises(NotFound):
        offers.accept_offer(provider, offer)
    assert Offer.get_by_id(offer.id).status == "pending"


def test_only_the_provider_withdraws_a_pending_offer(activist, provider, offer):
    with pytest.raises(NotFound):
        offers.withdraw_offer(activist, offer)
    offers.withdraw_offer(provider, offer)
    assert Offer.get_by_id(offer.id).status == "withdrawn"
    with pytest.raises(RuleViolation):
        offers.accept_offer(activist, Offer.get_by_id(offer.id))


def test_only_the_parties_see_a_match(activist, provider, stranger, match):
    assert matches.get_match_for(activist, match.public_id) == match
    assert matches.get_match_for(provider, match.public_id) == match
    with pytest.raises(NotFound):
        matches.get_match_for(stranger, match.public_id)
    with pytest.raises(NotFound):
        matches.get_match_for(None, match.public_id)


def test_messages_are_stored_encrypted_and_read_back_by_both(activist, provider, match):
    matches.post_message(activist, match, "The hearing is on Monday.")
    stored = Message.get()
    assert b"hearing" not in bytes(stored.for_activist) + bytes(stored.for_provider)
    for party in (activist, provider):
        (shown,) = matches.messages_of(party, match, key_of(party))
        assert shown.text == "The hearing is on Monday." and shown.sender == "leila"


def test_a_message_moved_to_another_row_cannot_be_read(activist, match):
    matches.post_message(activist, match, "first message")
    matches.post_message(activist, match, "second message")
    first, second = list(Message.select().order_by(Message.id))
    Message.update(for_activist=first.for_activist).where(Message.id == second.id).execute()
    texts = [m.text for m in matches.messages_of(activist, match, key_of(activist))]
    assert texts == ["first message", None]


def test_strangers_cannot_post_messages(stranger, match):
    with pytest.raises(NotFound):
        matches.post_message(stranger, match, "Let me in.")
    assert Message.select().count() == 0


def test_cannot_rate_before_completion(activist, match):
    with pytest.raises(RuleViolation):
        matches.rate(activist, match, 5, "Too early")
    assert Rating.select().count() == 0


def test_both_must_mark_done_to_complete(activist, provider, help_request, match):
    matches.mark_done(activist, match)
    assert Match.get_by_id(match.id).status == "open"
    matches.mark_done(provider, Match.get_by_id(match.id))
    assert Match.get_by_id(match.id).status == "completed"
    assert HelpRequest.get_by_id(help_request.id).status == "completed"


def test_each_side_rates_the_other_once(activist, provider, completed_match):
    matches.rate(activist, completed_match, 5, "Fast and careful.")
    with pytest.raises(RuleViolation):
        matches.rate(activist, completed_match, 1, "Changed my mind")
    matches.rate(provider, completed_match, 4, "")
    summary = matches.community_rating(provider)
    assert (summary.average, summary.count) == (5.0, 1)
    assert Rating.get(Rating.rater == provider).ratee_id == activist.id


@pytest.mark.parametrize("stars", [0, 6, -1])
def test_rating_out_of_range_is_refused(activist, completed_match, stars):
    with pytest.raises(RuleViolation):
        matches.rate(activist, completed_match, stars, "")


def test_cancelling_reopens_the_request(activist, provider, help_request, match):
    matches.cancel_match(provider, match, "I fell ill.")
    assert Match.get_by_id(match.id).status == "cancelled"
    assert HelpRequest.get_by_id(help_request.id).status == "open"
    with pytest.raises(RuleViolation):
        matches.post_message(activist, Match.get_by_id(match.id), "Are you there?")


def test_contacts_are_revealed_only_when_ticked(activist, provider, match):
    contacts.set_contact(provider, "signal", "+49 151 0000000")
    activist_key = key_of(activist)
    assert contacts.revealed_to_counterpart(match, provider, activist_key) == []
    (signal,) = contacts.contacts_of(provider, key_of(provider))
    contacts.set_revealed(match, provider, key_of(provider), {signal.id})
    shown = contacts.revealed_to_counterpart(match, provider, activist_key)
    assert [c.value for c in shown] == ["+49 151 0000000"]
    contacts.set_revealed(match, provider, key_of(provider), set())
    assert contacts.revealed_to_counterpart(match, provider, activist_key) == []


def test_cannot_reveal_someone_elses_contact(activist, provider, match):
    contacts.set_contact(activist, "email", "leila@example.org")
    (theirs,) = contacts.contacts_of(activist, key_of(activist))
    contacts.set_revealed(match, provider, key_of(provider), {theirs.id})
    assert contacts.revealed_to_counterpart(match, activist, key_of(provider)) == []


# --- the pages -----------------------------------------------------------------


def test_provider_offers_on_the_page_and_author_sees_it(app, activist, provider, help_request):
    page = as_user(app, provider)
    url = f"/requests/{help_request.public_id}/offer"
    assert post(page, url, {"message": "I can help with the legal side."}).status_code == 302
    author_view = as_user(app, activist).get(f"/requests/{help_request.public_id}")
    assert "I can help with the legal side." in author_view.get_data(as_text=True)
    assert "Accept this offer" in author_view.get_data(as_text=True)


@pytest.mark.parametrize("message", ["", "short", "x" * 5001])
def test_bad_offer_message_is_a_form_error(app, provider, help_request, message):
    response = post(
        as_user(app, provider), f"/requests/{help_request.public_id}/offer", {"message": message}
    )
    assert response.status_code == 400
    assert Offer.select().count() == 0


def test_offers_are_hidden_from_everyone_but_the_author(app, client, stranger, help_request, offer):
    text = "I am a lawyer and can advise this week."
    assert text not in client.get(f"/requests/{help_request.public_id}").get_data(as_text=True)
    assert text not in as_user(app, stranger).get(f"/requests/{help_request.public_id}").get_data(
        as_text=True
    )


def test_accept_by_post_lands_on_the_match(app, activist, offer):
    response = post(as_user(app, activist), f"/offers/{offer.public_id}/accept")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/matches/{Match.get().public_id}"


def test_accept_by_get_only_asks_for_confirmation(app, activist, offer):
    page = as_user(app, activist).get(f"/offers/{offer.public_id}/accept")
    assert page.status_code == 200 and "Yes, accept this offer" in page.get_data(as_text=True)
    assert Offer.get_by_id(offer.id).status == "pending"


def test_accept_without_csrf_token_is_400(app, activist, offer):
    response = as_user(app, activist).post(f"/offers/{offer.public_id}/accept")
    assert response.status_code == 400
    assert Offer.get_by_id(offer.id).status == "pending"


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_others_cannot_answer_an_offer(app, provider, stranger, offer, action):
    for user in (provider, stranger):
        assert post(as_user(app, user), f"/offers/{offer.public_id}/{action}").status_code == 404
    assert Offer.get_by_id(offer.id).status == "pending"


def test_answering_an_answered_offer_is_a_clear_409(app, activist, offer, match):
    response = post(as_user(app, activist), f"/offers/{offer.public_id}/decline")
    assert response.status_code == 409
    assert "already been answered" in response.get_data(as_text=True)


def test_match_page_is_404_for_strangers_and_visitors(app, client, stranger, match):
    assert client.get(f"/matches/{match.public_id}").status_code == 302
    assert as_user(app, stranger).get(f"/matches/{match.public_id}").status_code == 404
    assert (
        post(
            as_user(app, stranger), f"/matches/{match.public_id}/messages", {"text": "hi"}
        ).status_code
        == 404
    )
    assert post(as_user(app, stranger), f"/matches/{match.public_id}/done").status_code == 404
    assert Message.select().count() == 0 and not Match.get_by_id(match.id).activist_done


def test_messages_show_to_both_parties_only(app, client, activist, provider, match):
    url = f"/matches/{match.public_id}"
    post(as_user(app, activist), url + "/messages", {"text": "Can you call on Signal?"})
    assert "Can you call on Signal?" in as_user(app, provider).get(url).get_data(as_text=True)
    assert "Can you call on Signal?" not in client.get(url, follow_redirects=True).get_data(
        as_text=True
    )


@pytest.mark.parametrize("text", ["", "x" * 5001])
def test_bad_message_is_a_form_error(app, activist, match, text):
    response = post(as_user(app, activist), f"/matches/{match.public_id}/messages", {"text": text})
    assert response.status_code == 400
    assert Message.select().count() == 0


def test_reveal_through_the_page(app, activist, provider, match):
    contacts.set_contact(provider, "matrix", "@anna:example.org")
    (matrix,) = contacts.contacts_of(provider, key_of(provider))
    url = f"/matches/{match.public_id}"
    assert "@anna:example.org" not in as_user(app, activist).get(url).get_data(as_text=True)
    post(as_user(app, provider), url + "/contacts", {"contacts": [str(matrix.id)]})
    assert "@anna:example.org" in as_user(app, activist).get(url).get_data(as_text=True)


def test_reveal_with_an_unknown_contact_id_is_refused(app, provider, match):
    response = post(
        as_user(app, provider), f"/matches/{match.public_id}/contacts", {"contacts": ["99999"]}
    )
    assert response.status_code == 400


def test_done_and_rating_through_the_pages(app, activist, provider, match):
    url = f"/matches/{match.public_id}"
    post(as_user(app, activist), url + "/done")
    post(as_user(app, provider), url + "/done")
    post(as_user(app, activist), url + "/rate", {"stars": "5", "comment": "Saved our case."})
    profile = as_user(app, activist).get("/users/lawyer_anna").get_data(as_text=True)
    assert "5.0 of 5 from 1 rating" in profile and "Saved our case." in profile


@pytest.mark.parametrize("stars", ["", "0", "6", "five"])
def test_bad_rating_is_a_form_error(app, activist, completed_match, stars):
    response = post(
        as_user(app, activist), f"/matches/{completed_match.public_id}/rate", {"stars": stars}
    )
    assert response.status_code == 400
    assert Rating.select().count() == 0


def test_cancel_needs_a_reason_and_a_confirmation_page(app, activist, match):
    url = f"/matches/{match.public_id}/cancel"
    client = as_user(app, activist)
    assert "Yes, cancel the match" in client.get(url).get_data(as_text=True)
    assert post(client, url, {"reason": ""}).status_code == 400
    assert Match.get_by_id(match.id).status == "open"
    assert post(client, url, {"reason": "We found help elsewhere."}).status_code == 302
    assert Match.get_by_id(match.id).status == "cancelled"


def test_notifications_list_what_happened(app, activist, offer):
    page = as_user(app, activist).get("/notifications").get_data(as_text=True)
    assert "New offer of help" in page


def test_rating_twice_through_the_page_says_why(app, activist, completed_match):
    client = as_user(app, activist)
    url = f"/matches/{completed_match.public_id}/rate"
    assert post(client, url, {"stars": "5"}).status_code == 302
    again = post(client, url, {"stars": "1"})
    assert again.status_code == 409
    assert "already rated" in again.get_data(as_text=True)
    assert Rating.get().stars == 5
