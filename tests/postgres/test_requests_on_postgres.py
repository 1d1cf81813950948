"""tests/test_requests.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_requests import *  # noqa: F403

pytestmark = pytest.mark.postgres
