"""Knowing what happened: notices read when seen, what waits on the home page, the match page."""

import datetime
import re

import pytest

from movements.app.core.db import database
from movements.app.core.models import Message, Notification
from movements.app.keys import contacts
from movements.app.keys.envelopes import seal_to
from movements.app.matches import rules as matches
from movements.app.notifications.rules import notify
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, key_of, post
from tests.support.markup import parse


@pytest.fixture
def offer(provider, help_request):
    return offers.make_offer(provider, help_request, "I am a lawyer and can advise this week.")


@pytest.fixture
def match(activist, offer):
    return offers.accept_offer(activist, offer)


def text(response) -> str:
    return response.get_data(as_text=True)


def waiting(client) -> list[str]:
    """The lines under "Waiting for you" on the home page."""
    document = parse(text(client.get("/")))
    section = next(s for s in document.iter("section") if "Waiting for you" in s.text())
    return [li.text() for li in section.iter("li")] or [section.text()]


def test_opening_notifications_marks_what_it_shows_read(app, activist):
    notify(activist, "vouched", "/users/someone", "someone")
    client = as_user(app, activist)
    assert "Notifications (1)" in parse(text(client.get("/"))).text()
    page = parse(text(client.get("/notifications")))
    new = [li for li in page.iter("li") if "unread" in li.classes()]
    assert len(new) == 1 and "vouched for you" in new[0].text()
    assert "Notifications (1)" not in page.text()
    assert Notification.select().where(~Notification.read).count() == 0
    again = parse(text(client.get("/notifications")))
    assert not [li for li in again.iter("li") if "unread" in li.classes()]
    assert "Mark all as read" not in again.text()


def test_the_home_page_lists_offers_to_answer_messages_and_ratings(
    app, activist, provider, help_request, offer
):
    leila, anna = as_user(app, activist), as_user(app, provider)
    assert waiting(anna) == ["Waiting for you Nothing is waiting for you."]
    title = help_request.title
    assert waiting(leila) == [f"1 offer to answer on “{title}”"]
    match = offers.accept_offer(activist, offer)
    matches.post_message(provider, match, "Hello, when can we talk?")
    assert waiting(leila) == [f"New messages in your match on “{title}”"]
    leila.get(f"/matches/{match.public_id}")  # read there
    assert waiting(leila) == ["Waiting for you Nothing is waiting for you."]
    matches.mark_done(activist, match)
    matches.mark_done(provider, match)
    assert waiting(leila) == [f"Rate your match on “{title}”"]
    assert waiting(anna) == [f"Rate your match on “{title}”"]
    matches.rate(activist, match, 5, "")
    assert waiting(leila) == ["Waiting for you Nothing is waiting for you."]
    assert waiting(anna) == [f"Rate your match on “{title}”"]


def test_messages_show_their_time_which_the_database_does_not_keep(app, activist, provider, match):
    before = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0, tzinfo=None)
    matches.post_message(provider, match, "Hello from the lawyer.")
    page = text(as_user(app, activist).get(f"/matches/{match.public_id}"))
    (stamp,) = re.findall(r'<time datetime="([^"]+)">[^<]* UTC</time>', page)
    sent_at = datetime.datetime.fromisoformat(stamp.rstrip("Z"))
    assert before <= sent_at <= before + datetime.timedelta(minutes=2)
    assert f"{sent_at:%H:%M} UTC" in page
    row = Message.get()
    assert isinstance(row.sent_on, datetime.date) and not isinstance(row.sent_on, datetime.datetime)
    rows = [line for line in database.connection().iterdump() if '"message"' in line]
    assert rows and not any(f"{sent_at:%H:%M}" in line for line in rows)


def test_a_message_from_before_times_were_kept_shows_its_date(app, activist, provider, match):
    message = matches.post_message(provider, match, "Hello from the lawyer.")
    for column, reader in (("for_activist", activist), ("for_provider", provider)):
        setattr(
            message, column, seal_to(reader, "An old message.", ("message", column, message.id))
        )
    message.save()
    (shown,) = matches.messages_of(activist, match, key_of(activist))
    assert shown.text == "An old message." and shown.sent_at is None
    page = text(as_user(app, activist).get(f"/matches/{match.public_id}"))
    assert "An old message." in page and " UTC</time>" not in page


def test_mine_and_theirs_are_told_apart_in_words(app, activist, provider, match):
    matches.post_message(activist, match, "A question from me.")
    matches.post_message(provider, match, "An answer from the lawyer.")
    items = parse(text(as_user(app, activist).get(f"/matches/{match.public_id}"))).iter("li")
    lines = [li.text() for li in items if li.classes() & {"mine", "theirs"}]
    assert lines[0].startswith("You wrote") and "A question from me." in lines[0]
    assert lines[1].startswith("lawyer_anna wrote") and "An answer from the lawyer." in lines[1]


def test_the_contact_box_names_the_value_it_shares(app, activist, match):
    contacts.set_contact(activist, "signal", "leila.42")
    page = parse(text(as_user(app, activist).get(f"/matches/{match.public_id}")))
    labels = [label.text() for label in page.iter("label") if label.iter("input")]
    assert "Signal: leila.42" in labels


def test_when_both_have_marked_it_done_the_page_leads_to_the_rating(app, activist, provider, match):
    post(as_user(app, activist), f"/matches/{match.public_id}/done")
    client = as_user(app, provider)
    response = post(client, f"/matches/{match.public_id}/done")
    assert response.headers["Location"] == f"/matches/{match.public_id}#rate"
    page = text(client.get(f"/matches/{match.public_id}"))
    assert 'id="rate"' in page and "Rate it now." in page
    links = {n.link for n in Notification.select().where(Notification.kind == "match_completed")}
    assert links == {f"/matches/{match.public_id}#rate"}


def test_a_provider_reaches_their_listing_from_the_account_page(app, provider, activist):
    assert 'href="/providers/me"' in text(as_user(app, provider).get("/account"))
    assert 'href="/providers/me"' not in text(as_user(app, activist).get("/account"))


def test_the_cancel_page_of_a_closed_match_says_so_and_changes_nothing(
    app, activist, provider, match
):
    matches.mark_done(activist, match)
    matches.mark_done(provider, match)
    client = as_user(app, activist)
    page = client.get(f"/matches/{match.public_id}/cancel")
    assert page.status_code == 409 and "Only an open match can be cancelled." in text(page)
    assert "<textarea" not in text(page)
    refused = post(client, f"/matches/{match.public_id}/cancel", {"reason": "Changed my mind"})
    assert refused.status_code == 409
    assert matches.Match.get_by_id(match.id).status == "completed"


def test_opening_the_match_reads_the_notice_that_leads_to_its_rating(
    app, activist, provider, match
):
    matches.mark_done(activist, match)
    matches.mark_done(provider, match)
    as_user(app, activist).get(f"/matches/{match.public_id}")
    unread = Notification.select().where(
        (Notification.user == activist)
        & ~Notification.read
        & (Notification.kind == "match_completed")
    )
    assert unread.count() == 0
