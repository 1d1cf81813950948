"""tests/encryption/test_session_keys.py again, on PostgreSQL: this folder's `app` fixture binds
it, so sealed session keys go through psycopg2's bytes and PostgreSQL's bytea."""

import pytest

from tests.encryption.test_session_keys import *  # noqa: F403

pytestmark = pytest.mark.postgres
