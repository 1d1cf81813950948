"""What the server keeps: no contact value in the database's bytes, no visitor data in logs."""

import logging
from pathlib import Path

from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import as_user, key_of, post

CONTACT_MARKER = "signal-marker-5e1f0c"
MESSAGE_MARKER = "message-marker-9b2d47"
VISITOR_MARKERS = {
    "User-Agent": "ua-marker-71c3 Mozilla/5.0",
    "X-Forwarded-For": "203.0.113.77",
    "Referer": "http://referrer-marker-4a8e.example/",
}


def database_bytes(instance: Path) -> bytes:
    """The database file with its write-ahead log, as a seizure would copy them."""
    return b"".join(p.read_bytes() for p in instance.glob("movements.sqlite3*"))


def test_database_file_holds_no_contact_or_message_plaintext(
    app, instance, activist, provider, help_request
):
    contacts.set_contact(provider, "signal", CONTACT_MARKER)
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "x" * 20))
    own = contacts.contacts_of(provider, key_of(provider))
    contacts.set_revealed(match, provider, key_of(provider), {c.id for c in own})
    matches.post_message(activist, match, MESSAGE_MARKER)
    stored = database_bytes(instance)
    assert b"Legal advice for detained journalists" in stored  # the search sees the real file
    assert CONTACT_MARKER.encode() not in stored
    assert MESSAGE_MARKER.encode() not in stored


def test_a_full_journey_logs_nothing_about_visitors(app, activist, provider, help_request, caplog):
    caplog.set_level(logging.DEBUG)
    headers = VISITOR_MARKERS
    activist_client, provider_client = as_user(app, activist), as_user(app, provider)
    url = f"/requests/{help_request.public_id}"
    provider_client.get("/requests?q=query-marker-1d9e", headers=headers)
    post(provider_client, url + "/offer", {"message": "I can help, truly."}, headers=headers)
    (offer,) = help_request.offers
    post(activist_client, f"/offers/{offer.public_id}/accept", headers=headers)
    activist_client.get("/no-such-page?marker=query-marker-1d9e", headers=headers)
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    for marker in [*VISITOR_MARKERS.values(), "query-marker-1d9e", "127.0.0.1"]:
        assert marker not in logged
