"""tests/hardening/test_shared_state.py again, with both servers on one PostgreSQL database.

Under READ COMMITTED two transactions that read a counter and write it back both pass the
limit; here every counter is raised by one conditional UPDATE, which PostgreSQL re-checks on
the row's latest version, so several processes still enforce one limit.
"""

import os

import pytest

from tests.hardening.test_shared_state import *  # noqa: F403

pytestmark = pytest.mark.postgres


@pytest.fixture
def server_env(pg_url):
    """The servers use the test's PostgreSQL database, as `app` (pg_app) does here."""
    return {**os.environ, "MOVEMENTS_DATABASE_URL": pg_url}
