"""Fixtures that run the application on a real PostgreSQL server, never a stand-in.

One throwaway cluster serves the whole session; each test gets a database of its own, dropped
afterwards. Inside this folder the suite's ``app`` fixture is the PostgreSQL-backed ``pg_app``,
so every shared fixture (users, requests) and every test module re-run here uses PostgreSQL.

When PostgreSQL is missing: as root we install Debian's package; otherwise the tests are
skipped with the install command, except under ``CI=true``, where a missing server is a failure
so that CI can never pass by silently skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from playhouse.pool import PooledDatabase

from movements.app.core.db import database
from movements.app.factory import create_app

from .cluster import INSTALL_HINT, Cluster, ClusterUnavailable, find_bindir, running_cluster


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(reason)


def _apt_install_postgresql() -> None:
    """Debian's package; its post-install may start a system cluster, which we never use."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]
    for command in (install, ["apt-get", "update"], install):
        subprocess.run(command, env=env, capture_output=True, timeout=600, check=False)
        if find_bindir():
            return


@pytest.fixture(scope="session")
def postgres_bindir() -> Path:
    """Where initdb and pg_ctl live, installing Debian's package first when we may."""
    try:
        import psycopg2  # noqa: F401 -- only checking that the driver is installed
    except ImportError:
        _unavailable("the PostgreSQL driver is missing: pip install -e '.[test]'")
    if find_bindir() is None and os.geteuid() == 0 and shutil.which("apt-get"):
        _apt_install_postgresql()
    bindir = find_bindir()
    if bindir is None:
        _unavailable(INSTALL_HINT)
    return bindir


@pytest.fixture(scope="session")
def postgres_cluster(postgres_bindir) -> Iterator[Cluster]:
    try:
        with running_cluster(postgres_bindir) as cluster:
            yield cluster
    except ClusterUnavailable as problem:
        _unavailable(str(problem))


@pytest.fixture(scope="session")
def pg_template(postgres_cluster, tmp_path_factory) -> str:
    """A database the application has created its tables in, copied for each test.

    Creating dozens of tables with their indexes takes PostgreSQL far longer than copying
    them, so the create path runs once here (and in test_schema_on_postgres.py) and every
    other test runs the upgrade path on its copy.
    """
    name = postgres_cluster.create_database()
    instance = tmp_path_factory.mktemp("template") / "instance"
    create_app({"TESTING": True, "DATABASE_URL": postgres_cluster.url(name)}, instance)
    database.close_all()  # a database being copied must have no one connected to it
    return name


@pytest.fixture
def pg_empty_database(postgres_cluster) -> Iterator[str]:
    """The name of a new database with no tables, dropped with its connections afterwards."""
    name = postgres_cluster.create_database()
    yield name
    _release(postgres_cluster, name)


@pytest.fixture
def pg_database(postgres_cluster, pg_template) -> Iterator[str]:
    """The name of a database with the current schema for one test, dropped afterwards."""
    name = postgres_cluster.create_database(template=pg_template)
    yield name
    _release(postgres_cluster, name)


def _release(cluster: Cluster, name: str) -> None:
    if isinstance(database.obj, PooledDatabase):
        database.close_all()
    cluster.drop_database(name)  # also ends connections that older apps' pools still hold


@pytest.fixture
def pg_url(postgres_cluster, pg_database) -> str:
    return postgres_cluster.url(pg_database)


@pytest.fixture
def pg_app(pg_url, instance):
    return create_app({"TESTING": True, "DATABASE_URL": pg_url}, instance_path=instance)


@pytest.fixture
def app(pg_app):
    """The suite's ``app``, on PostgreSQL for every test in this folder."""
    return pg_app


@pytest.fixture(params=["sqlite", "postgresql"])
def any_app(request, instance):
    """The same test on an SQLite instance and on PostgreSQL."""
    if request.param == "postgresql":
        return request.getfixturevalue("pg_app")
    return create_app({"TESTING": True}, instance_path=instance)
