"""A match with messages, ratings and revealed contacts: what deletion and backups must handle."""

from pathlib import Path

import pytest

from movements.app.core.models import Match
from movements.app.keys import contacts
from movements.app.matches import rules as matches
from movements.app.offers import rules as offers
from tests.support.accounts import key_of


def database_bytes(instance: Path) -> bytes:
    """Everything SQLite keeps on disk for the instance: the file, its WAL and shared memory."""
    return b"".join(path.read_bytes() for path in sorted(instance.glob("movements.sqlite3*")))


def open_match(activist, provider, help_request, message="I can help with this case.") -> Match:
    return offers.accept_offer(activist, offers.make_offer(provider, help_request, message))


def finish(match: Match) -> None:
    matches.mark_done(match.activist, match)
    matches.mark_done(match.provider, Match.get_by_id(match.id))


def reveal_all(match: Match, owner) -> None:
    ids = {contact.id for contact in contacts.contacts_of(owner, key_of(owner))}
    contacts.set_revealed(match, owner, key_of(owner), ids)


@pytest.fixture
def match(activist, provider, help_request):
    return open_match(activist, provider, help_request)
