"""tests/test_shared_limits.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_shared_limits import *  # noqa: F403

pytestmark = pytest.mark.postgres
