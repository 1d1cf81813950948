"""tests/test_accounts.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_accounts import *  # noqa: F403

pytestmark = pytest.mark.postgres
