"""PostgreSQL stopped under a running site: 503 and one log line, and back by itself."""

import os

import psycopg2
import pytest

from movements.app.core.outages import UNREACHABLE, outage_cause
from tests.support.outages import (
    QUERY_MARKER,
    Browser,
    assert_briefly_unavailable,
    assert_quiet_about_visitors,
    fill,
    movements,
    outage_lines,
    serve_once,
    small_disk,
)
from tests.support.serving import running_server

from .cluster import running_cluster

pytestmark = pytest.mark.postgres

EXIT_TEMPORARY_FAILURE = 75


@pytest.fixture(scope="module")
def stoppable_cluster(postgres_bindir):
    """A cluster of this module's own: its tests stop it, while others share the session's."""
    with running_cluster(postgres_bindir) as cluster:
        yield cluster


@pytest.fixture
def site_env(stoppable_cluster):
    """The environment of a `movements` process using a new database of that cluster."""
    url = stoppable_cluster.url(stoppable_cluster.create_database())
    return {**os.environ, "MOVEMENTS_DATABASE_URL": url}


def test_a_stopped_database_answers_503_and_the_site_recovers_when_it_is_back(
    stoppable_cluster, site_env, tmp_path
):
    with running_server(tmp_path / "instance", "--no-onion", env=site_env, ready=60) as server:
        anna, bob = Browser(server.base), Browser(server.base)
        assert anna.sign_up("anna").status == 200
        stoppable_cluster.stop()
        try:
            during = [
                anna.open(f"/requests?q={QUERY_MARKER}"),
                anna.open("/account"),
                bob.sign_up("bob"),
            ]
        finally:
            stoppable_cluster.resume()
        after = [anna.open("/account"), bob.sign_up("bob")]
    for answer in during:
        assert_briefly_unavailable(answer)
    assert [(a.status, a.path) for a in after] == [
        (200, "/account"),
        (200, "/account/recovery-codes"),
    ]
    output = server.stop()
    assert len(outage_lines(output, "database unreachable")) == len(during), output
    assert_quiet_about_visitors(output)


def test_serve_refuses_to_start_while_the_database_is_stopped(
    stoppable_cluster, site_env, tmp_path
):
    stoppable_cluster.stop()
    try:
        refused = serve_once(tmp_path / "instance", env=site_env)
    finally:
        stoppable_cluster.resume()
    assert refused.returncode == EXIT_TEMPORARY_FAILURE, refused.stderr
    assert len(refused.stderr.splitlines()) == 1, refused.stderr
    assert "database unreachable" in refused.stderr
    assert "Traceback" not in refused.stdout + refused.stderr


def test_serve_refuses_a_full_instance_folder_although_the_database_is_elsewhere(
    site_env, tmp_path
):
    with small_disk(tmp_path / "disk") as disk:
        instance = disk / "instance"
        assert movements("init-db", "--instance", str(instance), env=site_env).returncode == 0
        fill(disk)
        refused = serve_once(instance, env=site_env)
    assert refused.returncode == EXIT_TEMPORARY_FAILURE, refused.stderr
    assert "disk full" in refused.stderr


def test_a_connection_ended_by_the_server_is_unreachable_but_a_slow_query_is_not(
    stoppable_cluster, site_env
):
    connection = psycopg2.connect(site_env["MOVEMENTS_DATABASE_URL"])
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 10")
            with pytest.raises(psycopg2.OperationalError) as slow:
                cursor.execute("SELECT pg_sleep(5)")
        connection.rollback()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with stoppable_cluster.admin() as admin, admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(psycopg2.OperationalError) as ended, connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        connection.close()
    assert outage_cause(slow.value) is None  # a query cancelled for its time is a bug to fix
    assert outage_cause(ended.value) == UNREACHABLE
