"""tests/test_schema_facets.py again, on PostgreSQL: this folder's `app` fixture binds it."""

import pytest

from tests.test_schema_facets import *  # noqa: F403

pytestmark = pytest.mark.postgres
