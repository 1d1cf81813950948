"""tests/test_marketplace.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_marketplace import *  # noqa: F403

pytestmark = pytest.mark.postgres
