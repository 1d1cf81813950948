"""tests/mail's delivery and address tests again, on PostgreSQL, with the loopback SMTP server."""

import pytest

from movements.app.factory import create_app
from tests.mail.conftest import mail_config, smtp  # noqa: F401 -- the SMTP server fixture
from tests.mail.test_mail_addresses import *  # noqa: F403
from tests.mail.test_mail_delivery import *  # noqa: F403

pytestmark = pytest.mark.postgres


@pytest.fixture
def app(pg_url, instance, smtp):  # noqa: F811 -- this folder's app, with e-mail turned on
    config = {"TESTING": True, "DATABASE_URL": pg_url, **mail_config(smtp)}
    return create_app(config, instance_path=instance)
