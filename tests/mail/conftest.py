"""An app with e-mail turned on, sending through a real SMTP server on loopback."""

import pytest

from movements.app.core.db import database
from movements.app.mail.sender import send_due

from .smtp import LoopbackSmtp

MIRROR = "movements.example.org"
SENDER = "notices@movements.example.org"
ALL_KINDS = ["matches", "messages", "moderation", "other"]


def mail_config(smtp: LoopbackSmtp) -> dict:
    return {
        "SMTP_URL": smtp.url,
        "MAIL_FROM": SENDER,
        "SMTP_CA_FILE": str(smtp.cert),
        "MIRROR_HOST": MIRROR,
        "MAIL_RETRY_SECONDS": "1",
    }


@pytest.fixture
def smtp(tmp_path):
    server = LoopbackSmtp(tmp_path).start()
    yield server
    server.stop()


@pytest.fixture
def app(worker_app, instance, smtp):
    return worker_app.fresh(instance, mail_config(smtp))


def deliver(app, now=None):
    """One round of the sender, as the thread of `movements serve` runs it."""
    with app.app_context(), database.connection_context():
        return send_due(now)
