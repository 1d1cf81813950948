"""A throwaway PostgreSQL cluster for the tests: its own data directory, reachable only on loopback.

initdb refuses to run as root, so as root the cluster belongs to the unprivileged ``postgres``
user that Debian's package creates. Both roles (the superuser that makes and drops databases,
and the ``movements`` role the application signs in as) need a password over TCP, so nobody
else on the machine can use the cluster while it runs. The application's role owns its
databases but is not a superuser, as in a real deployment.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2

HOST = "127.0.0.1"
SUPERUSER = "postgres"
APP_ROLE = "movements"
OWNER_WHEN_ROOT = "postgres"
START_SECONDS = 30
STOP_SECONDS = 20
INSTALL_HINT = "install PostgreSQL: apt-get install postgresql"
SHM_NEEDED_BYTES = 512 * 1024 * 1024

# Durability is worthless for a cluster that lives for one test run, and costs seconds.
SETTINGS = {
    "listen_addresses": f"'{HOST}'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "40",
}


class ClusterUnavailable(Exception):
    """PostgreSQL cannot be run here; the message says what to install or change."""


def find_bindir() -> Path | None:
    """The directory of initdb and pg_ctl: Debian's newest versioned one, else from PATH."""

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))

    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=version)
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def memory_backed_dir() -> str | None:
    """/dev/shm when it has room: disk writes are most of what creating a database costs.

    Containers often get a 64 MB /dev/shm, too small for a cluster; then the usual temporary
    directory serves.
    """
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return None
    return str(shm) if shutil.disk_usage(shm).free >= SHM_NEEDED_BYTES else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Cluster:
    """A running server: its files under `root`, its port on loopback, and both roles' passwords."""

    root: Path
    bindir: Path
    port: int
    owner: pwd.struct_passwd | None  # None: the cluster runs as the current (non-root) user
    superuser_password: str
    app_password: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _as_owner(self, *command: str) -> list[str]:
        if self.owner is None:
            return list(command)
        return ["runuser", "-u", self.owner.pw_name, "--", *command]

    def _run(self, *command: str, timeout: float) -> None:
        done = subprocess.run(
            self._as_owner(*command),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=self.root,
        )
        if done.returncode != 0:
            raise ClusterUnavailable(f"{command[0]} failed: {done.stderr.strip()}{self.log()}")

    def log(self) -> str:
        log = self.root / "server.log"
        return f"\n--- server log ---\n{log.read_text()[-2000:]}" if log.exists() else ""

    def init(self) -> None:
        pwfile = self.root / "superuser-password"
        pwfile.write_text(self.superuser_password)
        if self.owner is not None:
            os.chown(pwfile, self.owner.pw_uid, self.owner.pw_gid)
        try:
            self._run(
                str(self.bindir / "initdb"),
                f"--pgdata={self.data}",
                f"--username={SUPERUSER}",
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
                timeout=120,
            )
        finally:
            pwfile.unlink()
        settings = {**SETTINGS, "port": str(self.port), "unix_socket_directories": f"'{self.root}'"}
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def start(self) -> None:
        self.resume()
        with self.admin() as admin, admin.cursor() as cursor:
            cursor.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD %s",
                (self.app_password,),
            )

    def resume(self) -> None:
        """Start the server; after stop(), its roles and databases are all still there."""
        self._run(
            str(self.bindir / "pg_ctl"),
            f"--pgdata={self.data}",
            f"--log={self.root / 'server.log'}",
            "--wait",
            f"--timeout={START_SECONDS}",
            "start",
            timeout=START_SECONDS + 10,
        )

    def stop(self) -> None:
        """Stop the server, within bounded waits; kill it if it will not stop."""
        try:
            self._run(
                str(self.bindir / "pg_ctl"),
                f"--pgdata={self.data}",
                "--mode=fast",
                "--wait",
                f"--timeout={STOP_SECONDS}",
                "stop",
                timeout=STOP_SECONDS + 10,
            )
        except (ClusterUnavailable, subprocess.TimeoutExpired):
            pid_file = self.data / "postmaster.pid"
            if pid_file.exists():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(pid_file.read_text().split()[0]), signal.SIGKILL)

    @contextlib.contextmanager
    def admin(self, dbname: str = "postgres") -> Iterator:
        connection = psycopg2.connect(
            host=HOST,
            port=self.port,
            user=SUPERUSER,
            password=self.superuser_password,
            dbname=dbname,
            connect_timeout=10,
        )
        connection.autocommit = True
        try:
            yield connection
        finally:
            connection.close()

    def create_database(self, template: str = "template1") -> str:
        """A new database owned by the application's role, a copy of `template`; returns its name.

        Copying files is several times faster than the default strategy, which writes the whole
        template through the write-ahead log.
        """
        name = f"movements_{secrets.token_hex(6)}"
        with self.admin() as admin, admin.cursor() as cursor:
            cursor.execute(
                f"CREATE DATABASE {name} OWNER {APP_ROLE} TEMPLATE {template} STRATEGY FILE_COPY"
            )
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as admin, admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def url(self, name: str) -> str:
        """The application's database URL, with its password percent-encoded as URLs need."""
        return (
            f"postgresql://{APP_ROLE}:{quote(self.app_password, safe='')}@{HOST}:{self.port}/{name}"
        )

    def _count_sessions(self, name: str, condition: str = "true") -> int:
        # a fresh connection each time: within one transaction, pg_stat_activity does not change
        with self.admin() as admin, admin.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND {condition}",  # noqa: S608
                (name,),
            )
            return cursor.fetchone()[0]

    def connections_to(self, name: str) -> int:
        """Sessions open on a database right now."""
        return self._count_sessions(name)

    def busy_connections_to(self, name: str) -> int:
        """Sessions on a database that are running a statement or inside a transaction."""
        return self._count_sessions(name, "state <> 'idle'")

    def waiting_for_locks(self, name: str) -> int:
        """Sessions on a database that are blocked, waiting for a lock another one holds."""
        return self._count_sessions(name, "wait_event_type = 'Lock'")


def _owner() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(OWNER_WHEN_ROOT)
    except KeyError:
        raise ClusterUnavailable(
            f"running as root needs the unprivileged user {OWNER_WHEN_ROOT!r}; {INSTALL_HINT}"
        ) from None


@contextlib.contextmanager
def running_cluster(bindir: Path) -> Iterator[Cluster]:
    """Create, start, and finally stop and delete a cluster in a fresh temporary directory."""
    owner = _owner()
    root = Path(tempfile.mkdtemp(prefix="movements-pg-", dir=memory_backed_dir()))
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    cluster = Cluster(
        root=root,
        bindir=bindir,
        port=free_port(),
        owner=owner,
        superuser_password=secrets.token_urlsafe(24),
        # characters that must be percent-encoded in a URL, so the app has to decode them
        app_password=secrets.token_urlsafe(24) + "@:/%#?",
    )
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if (cluster.data / "postmaster.pid").exists():  # the server is (or may be) running
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
