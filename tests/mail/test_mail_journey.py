"""The journey of the issue, against `movements serve` with its sender thread: a provider gives
an address, confirms it from the mail, and gets one generic notice whose link stops it all."""

import pytest

from movements.app.core.db import database
from movements.app.core.models import MailAddress, Offer
from tests.support.serving import running_server

from ..hardening.live import Browser
from .conftest import ALL_KINDS
from .smtp import body_of
from .test_mail_commands import mail_environment
from .test_mail_delivery import ADDRESS, CONFIRM_LINK, UNSUBSCRIBE_LINK

pytestmark = pytest.mark.slow  # starts a real server: left out of make check


@pytest.fixture
def server(app, instance, smtp, activist, provider, help_request):
    """The real server, sending every fifth of a second, on an instance with two people."""
    database.close()
    env = mail_environment(smtp, MOVEMENTS_MAIL_SEND_SECONDS="0.2")
    with running_server(instance, "--no-onion", env=env) as running:
        yield running


def test_a_provider_confirms_by_mail_then_gets_one_generic_notice_that_unsubscribes(
    server, smtp, help_request
):
    anna = Browser(server.base).sign_in("lawyer_anna")
    form = {"address": ADDRESS, "mode": "instant", "kinds": ALL_KINDS}
    assert anna.post("/account/email", form).status == 302
    ((to, confirmation),) = smtp.wait_for(1)  # sent by the server's own thread
    assert to == [ADDRESS]
    reader = Browser(server.base)  # the mail is opened elsewhere, signed out
    confirm = CONFIRM_LINK.search(body_of(confirmation)).group(1)
    assert reader.get(confirm).status == 200
    assert reader.post(confirm, {}, hidden={}).status == 200

    offer = {"message": "I can advise the families this week, in Persian."}
    assert anna.post(f"/requests/{help_request.public_id}/offer", offer).status == 302
    offer_id = Offer.get().public_id
    database.close()
    leila = Browser(server.base).sign_in("leila")
    assert leila.post(f"/offers/{offer_id}/accept", {}).status == 302

    to, notice = smtp.wait_for(2)[1]
    assert to == [ADDRESS]
    body = body_of(notice)
    assert "You have 1 new notification on Movements." in body
    assert help_request.title not in body and "leila" not in body
    unsubscribe = UNSUBSCRIBE_LINK.search(body).group(1)
    assert reader.get(unsubscribe).status == 200
    assert reader.post(unsubscribe, {}, hidden={}).status == 200
    assert MailAddress.select().count() == 0
    assert len(smtp.mail()) == 2
