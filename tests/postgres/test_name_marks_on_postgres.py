"""tests/hardening/test_name_marks.py again, on PostgreSQL: the upgrade step included."""

import pytest

from tests.hardening.test_name_marks import *  # noqa: F403

pytestmark = pytest.mark.postgres
