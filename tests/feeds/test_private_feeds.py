"""Private Atom feeds of a user's notifications and alerts, behind a token kept only as a hash."""

import base64
import hashlib
import re
from urllib.parse import urlsplit

import pytest

from movements.app.core.models import FeedToken, HelpRequest, User
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.app.moderation.content import remove_request
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import as_user, key_of, post, request_fields
from tests.support.pages import EXPECTED_HEADERS

from ..alerts.conftest import save
from ..test_privacy import database_bytes
from .atom_rules import entries_of, problems_in_atom

ADDRESS = re.compile(r'<dt(?: dir="auto")?>([^<]*)</dt><dd><code dir="ltr">([^<]+)</code>')
CONTACT = "signal-contact-marker-3f9a"
MESSAGE = "private-message-marker-c41d"
TITLE = "Legal advice for detained journalists"
PERSIAN_LETTERS = re.compile("[\u0600-\u06ff]")


def turn_on(client) -> dict[str, str]:
    """Turn feeds on (or make new addresses) on /account: {feed name: path}, shown this once."""
    response = post(client, "/account/feeds")
    assert response.status_code == 200
    return {
        name: urlsplit(url).path for name, url in ADDRESS.findall(response.get_data(as_text=True))
    }


def token_of(path: str) -> str:
    return path.split("/")[2]


@pytest.fixture
def world(app, activist, provider):
    """Anna keeps an alert, Leila's request matches it, they talk in a match and share contacts."""
    alert = save(provider, skill="legal", language="fa")
    help_request = requests_rules.create_request(activist, request_fields())
    contacts.set_contact(provider, "signal", CONTACT)
    match = offers.accept_offer(
        activist, offers.make_offer(provider, help_request, "I can advise this week.")
    )
    own = contacts.contacts_of(provider, key_of(provider))
    contacts.set_revealed(match, provider, key_of(provider), {c.id for c in own})
    matches.post_message(activist, match, MESSAGE)
    return {"alert": alert, "request": help_request, "match": match}


def test_addresses_are_shown_once_and_only_their_hash_is_kept(app, instance, world, provider):
    client = as_user(app, provider)
    addresses = turn_on(client)
    assert set(addresses) == {"Notifications", "Legal · Persian"}
    token = token_of(addresses["Notifications"])
    assert len(base64.urlsafe_b64decode(token + "=")) * 8 >= 128
    assert addresses["Legal · Persian"] == f"/feeds/{token}/{world['alert'].public_id}"
    stored = FeedToken.get(FeedToken.user == provider)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.encode() not in database_bytes(instance)
    account = client.get("/account").get_data(as_text=True)
    assert token not in account
    assert "Make new addresses" in account


def test_the_notifications_feed_is_valid_atom_with_titles_and_links_only(
    app, client, world, provider
):
    path = turn_on(as_user(app, provider))["Notifications"]
    response = client.get(path)  # a feed reader: no cookie
    assert response.status_code == 200
    body = response.get_data()
    assert problems_in_atom(body) == []
    entries = entries_of(body)
    titles = [entry["title"] for entry in entries]
    # the title is isolated as a feed reader understands it: U+2068 ... U+2069, not <bdi>
    isolated = f"\u2068{TITLE}\u2069"
    assert f"A new request matches your alert: “{isolated}”." in titles
    assert f"New message in your match on “{isolated}”." in titles
    links = {urlsplit(entry["link"]).path for entry in entries}
    assert links == {
        f"/requests/{world['request'].public_id}",
        f"/matches/{world['match'].public_id}",
    }
    for entry in entries:
        assert set(entry) <= {
            "id",
            "guidislink",
            "title",
            "title_detail",
            "link",
            "links",
            "updated",
            "updated_parsed",
        }
    for secret in (MESSAGE, CONTACT, world["request"].description, "I can advise this week."):
        assert secret.encode() not in body


def test_feeds_carry_the_sites_strict_headers_and_no_cookie(app, client, world, provider):
    addresses = turn_on(as_user(app, provider))
    for path in [*addresses.values(), "/requests.atom"]:
        response = client.get(path)
        assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
        for name, value in EXPECTED_HEADERS.items():
            assert response.headers[name] == value, (path, name)
        assert response.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" not in response.headers
        assert "Server" not in response.headers


def test_an_alert_feed_lists_what_it_matched_while_its_owner_may_see_it(
    app, client, activist, provider, world
):
    path = turn_on(as_user(app, provider))["Legal · Persian"]
    hidden = requests_rules.create_request(
        activist,
        request_fields(title="Only for trusted providers", visibility="stars", min_stars=3),
    )
    later = requests_rules.create_request(activist, request_fields(title="A later request"))
    body = client.get(path).get_data()
    assert problems_in_atom(body) == []
    assert [entry["title"] for entry in entries_of(body)] == ["A later request", TITLE]
    assert hidden.title.encode() not in body
    remove_request(HelpRequest.get_by_id(later.id))
    assert [entry["title"] for entry in entries_of(client.get(path).get_data())] == [TITLE]


def test_a_feed_speaks_its_owners_language(app, client, world, provider):
    path = turn_on(as_user(app, provider))["Notifications"]
    User.update(language="fa").where(User.id == provider.id).execute()
    body = client.get(path).get_data()
    assert b'xml:lang="fa"' in body
    assert problems_in_atom(body) == []
    titles = [entry["title"] for entry in entries_of(body)]
    assert all(PERSIAN_LETTERS.search(title.replace(TITLE, "")) for title in titles), titles


def test_control_characters_in_a_title_leave_a_valid_feed(app, client, activist, provider):
    save(provider, skill="legal")
    requests_rules.create_request(activist, request_fields(title="Bell\x07 and tab\x0b title"))
    body = client.get(turn_on(as_user(app, provider))["Notifications"]).get_data()
    assert problems_in_atom(body) == []
    assert "Bell and tab title" in entries_of(body)[0]["title"]


def test_new_addresses_end_the_old_ones_and_turning_off_ends_all(app, client, world, provider):
    account = as_user(app, provider)
    old = turn_on(account)
    new = turn_on(account)
    for path in old.values():
        assert client.get(path).status_code == 404
    for path in new.values():
        assert client.get(path).status_code == 200
    response = post(account, "/account/feeds/off")
    assert response.headers["Location"] == "/account"
    for path in new.values():
        assert client.get(path).status_code == 404
    assert FeedToken.select().count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/{wrong}",
        "/feeds/{wrong}/{alert}",
        "/feeds/x",
        "/feeds/{token}x",
        "/feeds/{short}",
        "/feeds/" + "A" * 4000,
        "/feeds/%F0%9F%94%91%C3%A9",
        "/feeds/{token}/nope",
        "/feeds/{token}/{alert}/more",
        "/feeds/{token}/{other_alert}",
    ],
)
def test_a_wrong_or_malformed_address_is_not_found(app, client, world, provider, stranger, path):
    token = token_of(turn_on(as_user(app, provider))["Notifications"])
    other_alert = save(stranger, skill="press")
    wrong = "B" * len(token)
    url = path.format(
        wrong=wrong,
        token=token,
        short=token[:-1],
        alert=world["alert"].public_id,
        other_alert=other_alert.public_id,
    )
    response = client.get(url)
    assert response.status_code == 404
    assert b"<feed" not in response.get_data()


def test_a_removed_accounts_feeds_stop(app, client, world, provider):
    path = turn_on(as_user(app, provider))["Notifications"]
    User.update(removed_on=world["request"].created_on).where(User.id == provider.id).execute()
    assert client.get(path).status_code == 404


def test_turning_feeds_on_needs_the_form_token_and_an_account(app, client, provider):
    assert client.post("/account/feeds").status_code == 400
    assert as_user(app, provider).post("/account/feeds").status_code == 400
    assert FeedToken.select().count() == 0
