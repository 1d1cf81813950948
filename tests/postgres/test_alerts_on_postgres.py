"""tests/alerts/ and tests/feeds/ again, on PostgreSQL: this folder's `app` fixture binds it.

Matching leans on what SQLite and PostgreSQL may do differently: a correlated count, IN lists
over a composite index, ON CONFLICT DO NOTHING, and the visibility rule joined per owner.
"""

import pytest

from tests.alerts.test_matching import *  # noqa: F403
from tests.alerts.test_saved_alerts import *  # noqa: F403
from tests.feeds.test_private_feeds import *  # noqa: F403
from tests.feeds.test_public_feed import *  # noqa: F403

pytestmark = pytest.mark.postgres
