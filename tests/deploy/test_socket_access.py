"""Who can connect to /run/movements/app.sock: tor and nginx, and nobody else.

tor starts as root and switches to debian-tor with setgroups() to its primary group only, so
it never keeps a supplementary group (checked on tor 0.4.9: /proc/PID/status "Groups: 109"
after adding debian-tor to another group); nginx workers call initgroups() and do keep them.
A shared group therefore cannot let tor in. movements.service instead sets ACL entries on
its runtime directory: traverse for debian-tor and www-data, and a default ACL that gives
both rw- on the socket the application creates there (the application chmods the socket to
0660, which opens the ACL mask).

This test replays that without systemd: it runs the unit's own setfacl arguments on a fresh
directory owned by a stand-in service user, starts ``movements serve --unix-socket`` on a
socket there as that user inside new user and network namespaces (what PrivateUsers= and
PrivateNetwork= do), with umask 077, then connects as debian-tor with tor's groups, as
www-data with nginx's, and as an unrelated user, who must be refused. The staff onion's
socket, in /run/movements/staff/, must admit tor only: not nginx, not anyone else.
"""

from __future__ import annotations

import grp
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.deploy.tools import SERVICES, need_root, need_tool, unit_settings

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

REPO = Path(__file__).resolve().parents[2]
SERVICE_USER = "nobody"  # stands in for the movements user
OUTSIDER = "daemon"
# The clients need no third-party module, only an interpreter every user may run.
CLIENT_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable

# The application as the unit starts it (movements serve --unix-socket ... --no-onion), with
# the unit's umask.
SERVER = """
import os, sys
from movements.app.cli.main import main
os.umask(0o077)
sys.exit(main(sys.argv[1:]))
"""

STAFF_LISTENER = """
import os, socket, sys
os.umask(0o077)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o660)
s.listen(4)
while True:
    c, _ = s.accept()
    c.recv(1024)
    c.sendall(b"HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\n\\r\\n")
    c.close()
"""

CLIENT = """
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1])
except PermissionError:
    print("EACCES")
    raise SystemExit(0)
s.sendall(b"GET /nothing-here HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
print(s.recv(64).split(b"\\r\\n")[0].decode())
"""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _group(user: str) -> str | None:
    """The name of the user's primary group."""
    try:
        return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name
    except KeyError:
        return None


@pytest.fixture
def socket_dir():
    need_root("the socket permission test")
    need_tool("setfacl", "acl", "the socket permission test")
    need_tool("unshare", "util-linux", "the socket permission test")
    need_tool("setpriv", "util-linux", "the socket permission test")
    if not _user_exists("debian-tor"):
        need_tool("tor", "tor", "the socket permission test (user debian-tor)")
    for user in (SERVICE_USER, OUTSIDER, "www-data", "debian-tor"):
        if not _user_exists(user):
            pytest.skip(f"no user {user} on this system")
    top = Path(tempfile.mkdtemp(prefix="mvsock-", dir="/tmp"))
    top.chmod(0o755)
    runtime = top / "movements"
    runtime.mkdir(mode=0o700)
    shutil.chown(runtime, SERVICE_USER, _group(SERVICE_USER))
    try:
        yield runtime
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _in_namespaces(user: str) -> list[str]:
    """Run as the service user in new user and network namespaces (PrivateUsers/Network)."""
    return [*_as(user, keep_groups=False), "unshare", "--user", "--map-current-user", "--net"]


def _installed_layout() -> Path:
    """`movements` laid out as the wheel installs it, linked to this checkout: a Python that
    does not read the virtualenv's .pth files cannot see the editable install's import hook."""
    root = Path(tempfile.mkdtemp(prefix="movements-layout-"))
    root.chmod(0o755)
    (root / "movements").mkdir(mode=0o755)
    for folder in ("app", "crypto", "onion", "templates"):
        (root / "movements" / folder).symlink_to(REPO / folder)
    return root


def _interpreter_for_service_user() -> tuple[str, dict[str, str]]:
    """A Python the stand-in service user can run with the app importable, in namespaces.

    The virtualenv's interpreter is tried first; where it sits under a directory the service
    user may not enter (a pyenv build in /root, say), Debian's python3 with the virtualenv's
    site-packages on PYTHONPATH is tried next.
    """
    site = next(Path(sys.prefix).glob("lib/python3*/site-packages"), None)
    candidates = [(sys.executable, dict(os.environ))]
    if site is not None and Path("/usr/bin/python3").exists():
        env = {**os.environ, "PYTHONPATH": f"{_installed_layout()}:{site}"}
        candidates.append(("/usr/bin/python3", env))
    for python, env in candidates:
        probe = subprocess.run(
            [*_in_namespaces(SERVICE_USER), python, "-c", "import movements.app.cli.main"],
            cwd=REPO,
            env=env,
            capture_output=True,
            timeout=60,
            check=False,
        )
        if probe.returncode == 0:
            return python, env
    pytest.skip(f"no Python that user {SERVICE_USER} can run with the app importable")


def _as(user: str, *, keep_groups: bool) -> list[str]:
    group = _group(user) or user
    groups = "--init-groups" if keep_groups else "--clear-groups"
    return ["setpriv", f"--reuid={user}", f"--regid={group}", groups]


def test_only_tor_and_nginx_can_connect(socket_dir):
    staff_dir = socket_dir / "staff"
    staff_dir.mkdir(mode=0o700)
    shutil.chown(staff_dir, SERVICE_USER, _group(SERVICE_USER))
    for acl_line in unit_settings(SERVICES[0])["ExecStartPre"]:
        command = shlex.split(acl_line.lstrip("+"))
        assert command[-1].startswith("/run/movements")
        target = command[-1].replace("/run/movements", str(socket_dir), 1)
        subprocess.run([*command[:-1], target], check=True, timeout=30)

    python, env = _interpreter_for_service_user()
    sock = socket_dir / "app.sock"
    # The instance, like /var/lib/movements: the service user's own 0700 folder.
    instance = socket_dir.parent / "instance"
    instance.mkdir(mode=0o700)
    shutil.chown(instance, SERVICE_USER, _group(SERVICE_USER))
    server = subprocess.Popen(
        [
            *_in_namespaces(SERVICE_USER),
            python,
            "-c",
            SERVER,
            "serve",
            "--unix-socket",
            str(sock),
            "--instance",
            str(instance),
            "--no-onion",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not sock.exists():
            assert server.poll() is None, server.stderr.read().decode()
            assert time.monotonic() < deadline, "the server never created its socket"
            time.sleep(0.05)
        time.sleep(0.2)  # bind() comes just before waitress's chmod()
        mode = sock.stat().st_mode & 0o777
        assert mode == 0o660, oct(mode)

        def connect(user: str, keep_groups: bool, path: Path = sock) -> str:
            done = subprocess.run(
                [*_as(user, keep_groups=keep_groups), CLIENT_PYTHON, "-c", CLIENT, str(path)],
                capture_output=True,
                text=True,
                timeout=30,
                check=False,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout.strip().upper()

        # tor: debian-tor with no supplementary groups, exactly as tor runs.
        assert connect("debian-tor", keep_groups=False) == "HTTP/1.1 404 NOT FOUND"
        # nginx workers: www-data with its groups.
        assert connect("www-data", keep_groups=True) == "HTTP/1.1 404 NOT FOUND"
        # Anyone else on the machine.
        assert connect(OUTSIDER, keep_groups=True) == "EACCES"

        # The staff onion's socket: tor only. (A plain listener made the way waitress makes
        # its sockets, so this part does not depend on the staff onion being configured.)
        staff_sock = staff_dir / "staff.sock"
        staff = subprocess.Popen(
            [*_in_namespaces(SERVICE_USER), CLIENT_PYTHON, "-c", STAFF_LISTENER, str(staff_sock)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            while not staff_sock.exists():
                assert staff.poll() is None, staff.stderr.read().decode()
                assert time.monotonic() < deadline + 30, "no staff socket"
                time.sleep(0.05)
            time.sleep(0.2)
            assert connect("debian-tor", keep_groups=False, path=staff_sock) == "HTTP/1.1 200 OK"
            assert connect("www-data", keep_groups=True, path=staff_sock) == "EACCES"
            assert connect(OUTSIDER, keep_groups=True, path=staff_sock) == "EACCES"
        finally:
            staff.kill()
            staff.wait(timeout=10)
            staff.stderr.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


def test_unix_sockets_cross_network_namespaces(tmp_path):
    """PrivateNetwork= hides abstract sockets only; a socket in the file system stays usable."""
    need_tool("unshare", "util-linux", "the network namespace test")
    sock = tmp_path / "ns.sock"
    inside = (
        "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1);"
        "c,_=s.accept(); c.sendall(b'across'); c.close()"
    )
    unshare = ["unshare", "--net"] if os.geteuid() == 0 else ["unshare", "-r", "--net"]
    server = subprocess.Popen([*unshare, sys.executable, "-c", inside, str(sock)])
    try:
        deadline = time.monotonic() + 10
        while not sock.exists():
            if server.poll() is not None:
                pytest.skip("cannot create a network namespace here")
            assert time.monotonic() < deadline
            time.sleep(0.05)
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(str(sock))
            assert client.recv(16) == b"across"
        assert server.wait(timeout=10) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
