"""Offers that arrive while the author accepts another one, against the real server.

At every moment no offer may be pending on a request that is no longer open: an offer that
loses the race is refused with "This request is no longer open", and one that wins it is
declined by the acceptance like any other.
"""

import pytest

from movements.app.core.db import database
from movements.app.core.models import HelpRequest, Offer
from movements.app.offers import rules as offers
from movements.app.requests import rules as requests_rules
from tests.support.accounts import make_user, request_fields
from tests.support.serving import running_server

from .live import Browser, at_once

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

TRIALS = 5
LATE_PROVIDERS = 6


def test_offers_made_during_an_acceptance_are_never_left_pending(app, instance, activist):
    first = make_user("first_helper", "provider")
    late = [make_user(f"late_helper{n}", "provider") for n in range(LATE_PROVIDERS)]
    trials = []
    for _ in range(TRIALS):
        help_request = requests_rules.create_request(activist, request_fields())
        accepted = offers.make_offer(first, help_request, "I can help with this right away.")
        trials.append((help_request, accepted))
    database.close()
    with running_server(instance, "--no-onion") as server:
        author = Browser(server.base).sign_in("leila")
        providers = [Browser(server.base).sign_in(person.username) for person in late]
        answers = []
        for help_request, accepted in trials:
            offer_url = f"/requests/{help_request.public_id}/offer"
            answers += at_once(
                [lambda url=f"/offers/{accepted.public_id}/accept": author.post(url, {})]
                + [
                    lambda b=b, url=offer_url: b.post(url, {"message": "I can help as well."})
                    for b in providers
                ]
            )
    assert all(answer.status in (302, 400) for answer in answers)
    for answer in answers:
        if answer.status == 400:
            assert "This request is no longer open." in answer.text
    for help_request, _accepted in trials:
        assert HelpRequest.get_by_id(help_request.id).status == HelpRequest.MATCHED
        statuses = [
            offer.status for offer in Offer.select().where(Offer.help_request == help_request)
        ]
        assert Offer.PENDING not in statuses, statuses
