"""Success stories: published on /stories only when both sides approve the same text."""

import re

import pytest

from movements.app.accounts.deletion import delete_account
from movements.app.core.models import Match, StaffLogEntry, Story
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, post
from tests.support.pages import problems_in

from .trust_safety.conftest import completed_match, make_staff

TEXT = "Three journalists got a lawyer within a week, and two of them are free again."
VERSION = re.compile(r'name="version" type="hidden" value="(\d+)"')


@pytest.fixture
def match(activist, provider):
    return completed_match(activist, provider)


def story_url(match) -> str:
    return f"/matches/{match.public_id}/story"


def propose(client, match, text=TEXT, **extra):
    return post(client, story_url(match), {"text": text, **extra})


def approve(client, match, **extra):
    """Approve the text on the page, as the button on it would."""
    version = VERSION.search(client.get(story_url(match)).get_data(as_text=True)).group(1)
    return post(client, story_url(match) + "/approve", {"version": version, **extra})


def stories_page(app) -> str:
    page = app.test_client().get("/stories")
    assert page.status_code == 200 and problems_in(page) == []
    return page.get_data(as_text=True)


def test_a_story_is_published_only_after_both_sides_approve_it(app, match, activist, provider):
    activist_client, provider_client = as_user(app, activist), as_user(app, provider)
    assert propose(provider_client, match).status_code == 302
    assert TEXT not in stories_page(app)
    page = activist_client.get(story_url(match))
    assert page.status_code == 200 and problems_in(page) == []
    assert "Waiting for your approval." in page.get_data(as_text=True)
    assert approve(activist_client, match, anonymous="y").status_code == 302
    listing = stories_page(app)
    assert TEXT in listing
    assert "lawyer_anna" in listing
    home = app.test_client().get("/").get_data(as_text=True)
    assert TEXT in home and 'href="/stories"' in home


def test_the_activist_appears_by_country_unless_they_choose_their_username(
    app, match, activist, provider
):
    propose(as_user(app, provider), match)
    approve(as_user(app, activist), match, anonymous="y")
    listing = stories_page(app)
    assert "an activist in Iran" in listing and "leila" not in listing
    # unticked: the activist chose to appear under their username
    propose(as_user(app, activist), match, text=TEXT + " Thank you.")
    approve(as_user(app, provider), match)
    listing = stories_page(app)
    assert "leila" in listing and "an activist in Iran" not in listing


def test_a_changed_text_needs_both_approvals_again(app, match, activist, provider):
    activist_client, provider_client = as_user(app, activist), as_user(app, provider)
    propose(provider_client, match)
    approve(activist_client, match, anonymous="y")
    assert TEXT in stories_page(app)
    propose(provider_client, match, text="A different text about what we did, with more.")
    assert TEXT not in stories_page(app)
    assert "A different text" not in stories_page(app)
    assert Story.get().status == Story.DRAFT and Story.get().provider_approved


def test_an_approval_of_an_older_text_publishes_nothing(app, match, activist, provider):
    activist_client, provider_client = as_user(app, activist), as_user(app, provider)
    propose(provider_client, match)
    old_version = VERSION.search(activist_client.get(story_url(match)).get_data(True)).group(1)
    propose(provider_client, match, text="The provider rewrote the story meanwhile, quietly.")
    answer = post(activist_client, story_url(match) + "/approve", {"version": old_version})
    assert answer.status_code == 409
    assert "changed meanwhile" in answer.get_data(as_text=True)
    assert Story.get().status == Story.DRAFT and not Story.get().activist_approved


def test_either_side_can_withdraw_a_published_story(app, match, activist, provider):
    propose(as_user(app, provider), match)
    approve(as_user(app, activist), match, anonymous="y")
    assert post(as_user(app, activist), story_url(match) + "/withdraw").status_code == 302
    assert TEXT not in stories_page(app)
    assert Story.select().count() == 0


def test_a_story_on_a_match_not_completed_is_refused_and_nothing_is_stored(
    app, activist, provider, help_request
):
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "I can help."))
    answer = propose(as_user(app, provider), match)
    assert answer.status_code == 400 and problems_in(answer) == []
    assert "once both sides marked the match done" in answer.get_data(as_text=True)
    assert Story.select().count() == 0
    matches.mark_done(provider, match)
    assert propose(as_user(app, activist), Match.get_by_id(match.id)).status_code == 400
    assert Story.select().count() == 0


def test_a_stranger_gets_404_on_a_story_of_a_match_not_theirs(app, match, provider, stranger):
    propose(as_user(app, provider), match)
    client = as_user(app, stranger)
    assert client.get(story_url(match)).status_code == 404
    assert (
        propose(client, match, text="A story written by someone who was not there.").status_code
        == 404
    )
    assert post(client, story_url(match) + "/approve", {"version": "1"}).status_code == 404
    assert post(client, story_url(match) + "/withdraw").status_code == 404
    assert Story.get().text == TEXT and not Story.get().activist_approved


@pytest.mark.parametrize(
    "text",
    [
        "Write to me at anna@example.org for the details of what we achieved.",
        "Follow @anna_lawyer to hear how the three journalists were freed.",
        "Everything we did is at https://example.org/our-work for everyone to see.",
        "Everything we did is at www.example.org for everyone to see, come read.",
        "Call +98 912 345 6789 to hear how the three journalists were freed.",
        "Our channel t.me/freedom_lawyers tells how the journalists were freed.",
        "Too short.",
        "x" * 601,
    ],
)
def test_a_story_with_contact_details_or_of_the_wrong_length_is_refused(app, match, provider, text):
    answer = propose(as_user(app, provider), match, text=text)
    assert answer.status_code == 400 and problems_in(answer) == []
    assert Story.select().count() == 0


def test_malformed_approvals_are_refused_and_change_nothing(app, match, activist, provider):
    propose(as_user(app, provider), match)
    client = as_user(app, activist)
    for version in ("", "abc", "-1", "9" * 30):
        answer = post(client, story_url(match) + "/approve", {"version": version})
        assert answer.status_code == 400, version
    assert Story.get().status == Story.DRAFT and not Story.get().activist_approved


def test_staff_can_remove_a_story_and_the_staff_log_says_so(app, match, activist, provider):
    propose(as_user(app, provider), match)
    approve(as_user(app, activist), match, anonymous="y")
    story = Story.get()
    url = f"/staff/stories/{story.public_id}/remove"
    for outsider in (None, provider, activist):
        client = as_user(app, outsider) if outsider else app.test_client()
        assert client.get("/staff/stories").status_code == 404
        assert client.get(url).status_code == 404
        assert client.post(url, data={"reason": "no token"}).status_code == 404
    staff = as_user(app, make_staff("warden"))
    listed = staff.get("/staff/stories")
    assert listed.status_code == 200 and TEXT in listed.get_data(as_text=True)
    assert post(staff, url, {"reason": ""}).status_code == 400
    assert Story.get().status == Story.PUBLISHED
    assert post(staff, url, {"reason": "It names a person who is in danger."}).status_code == 302
    assert TEXT not in stories_page(app)
    assert Story.get().status == Story.REMOVED and Story.get().text == ""
    (entry,) = StaffLogEntry.select().where(StaffLogEntry.action == "story.removed")
    assert entry.actor == "warden" and entry.target == f"story:{story.public_id}"
    assert entry.reason == "It names a person who is in danger."
    assert propose(as_user(app, provider), match).status_code == 400
    assert Story.get().status == Story.REMOVED


def test_the_other_side_is_told_of_a_proposal_and_both_of_publication(
    app, match, activist, provider
):
    propose(as_user(app, provider), match)
    notices = as_user(app, activist).get("/notifications").get_data(as_text=True)
    assert "waits for your approval" in notices and story_url(match) in notices
    approve(as_user(app, activist), match, anonymous="y")
    for person in (activist, provider):
        assert "is published" in as_user(app, person).get("/notifications").get_data(True)


def test_deleting_an_account_deletes_its_stories(app, match, activist, provider):
    propose(as_user(app, provider), match)
    approve(as_user(app, activist), match, anonymous="y")
    delete_account(provider)
    assert Story.select().count() == 0
    assert TEXT not in stories_page(app)


def test_the_stories_page_is_paged_newest_first(app, activist, provider):
    for n in range(12):
        match = completed_match(activist, provider, title=f"Request number {n} for help")
        propose(as_user(app, provider), match, text=f"Story number {n:02d} of what was achieved.")
        approve(as_user(app, activist), match, anonymous="y")
    first = stories_page(app)
    assert "Story number 11" in first and "Story number 02" in first
    assert "Story number 01" not in first and 'rel="next"' in first
    second = app.test_client().get("/stories?page=2").get_data(as_text=True)
    assert "Story number 01" in second and "Story number 00" in second
    assert app.test_client().get("/stories?page=abc").status_code == 400
