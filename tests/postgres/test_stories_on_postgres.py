"""tests/test_stories.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_stories import *  # noqa: F403

pytestmark = pytest.mark.postgres
