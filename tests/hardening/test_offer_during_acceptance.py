"""An offer made while the author accepts another never stays pending on a matched request.

Real threads, each with its own connection to the same SQLite file, race make_offer against
accept_offer; after every round no offer is pending on a request that is not open, and each
late provider was told the request is no longer open.
"""

import threading

from movements.app.core.db import database
from movements.app.core.errors import RuleViolation
from movements.app.core.models import HelpRequest, Offer
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import make_user, request_fields

ROUNDS = 12
LATE_PROVIDERS = 4


def _race(help_request, first_offer, activist, late_providers):
    start = threading.Barrier(1 + len(late_providers))
    refused = []

    def accept():
        start.wait()
        with database.connection_context():
            offers.accept_offer(activist, first_offer)

    def offer(provider):
        start.wait()
        with database.connection_context():
            try:
                offers.make_offer(provider, help_request, "I can help with this too.")
            except RuleViolation as error:
                refused.append(str(error.message))

    threads = [threading.Thread(target=accept)]
    threads += [threading.Thread(target=offer, args=(p,)) for p in late_providers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return refused


def test_no_offer_stays_pending_on_a_request_matched_meanwhile(app):
    activist = make_user("activist_race", "activist")
    first = make_user("first_helper", "provider")
    late = [make_user(f"late_helper_{n}", "provider") for n in range(LATE_PROVIDERS)]
    for round_number in range(ROUNDS):
        help_request = requests_rules.create_request(
            activist, request_fields(title=f"Round {round_number} of a race")
        )
        first_offer = offers.make_offer(first, help_request, "I can help.")
        refused = _race(help_request, first_offer, activist, late)
        help_request = HelpRequest.get_by_id(help_request.id)
        assert help_request.status == HelpRequest.MATCHED
        stranded = Offer.select().where(
            (Offer.help_request == help_request) & (Offer.status == Offer.PENDING)
        )
        assert stranded.count() == 0
        assert all(message == "This request is no longer open." for message in refused)
