"""Does the application really run inside movements.service's sandbox?

systemd is not running on build machines, so the unit cannot simply be started. Instead the
real ``movements serve --unix-socket ... --no-onion`` runs under ``strace`` with the kernel's
own W^X switch (``prctl(PR_SET_MDWE)``, Linux 6.3+) turned on, serves a short journey through
its socket (pages, and a sign-up, which runs the production argon2 and the key generation),
and the trace is held against the unit:

- every system call is allowed by ``SystemCallFilter=@system-service ~@privileged @resources``
  (the sets are expanded by this machine's ``systemd-analyze syscall-filter``);
- every socket is AF_UNIX (``RestrictAddressFamilies=AF_UNIX``);
- nothing in /proc but the process's own entries is opened (``ProcSubset=pid``);
- nothing is written outside the instance, the socket's folder and /tmp
  (``ProtectSystem=strict`` with ``PrivateTmp``);
- with MDWE on, nothing needs writable+executable memory (``MemoryDenyWriteExecute=yes``,
  which systemd enforces with a seccomp filter of the same effect).

A second run does the same for the cryptographic libraries alone (argon2 at 64 MiB,
AES-GCM, X25519, Ed25519, SQLite WAL with secure_delete and the online backup API), so the
check does not depend on which pages the application serves today.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.deploy.tools import SERVICES, need_tool, unit_settings

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

REPO = Path(__file__).resolve().parents[2]
# Runs the command with MDWE on: prctl(PR_SET_MDWE=65, PR_MDWE_REFUSE_EXEC_GAIN=1), which
# every child inherits and execve keeps.
MDWE_EXEC = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
if sys.argv[1] == "on" and libc.prctl(65, 1, 0, 0, 0) != 0:
    raise SystemExit("PR_SET_MDWE failed: errno %d" % ctypes.get_errno())
os.execv(sys.argv[2], sys.argv[2:])
"""

LIBRARIES = """
import os, sqlite3, sys
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)
assert hasher.verify(hasher.hash("correct horse"), "correct horse")
key = AESGCM.generate_key(bit_length=256)
nonce = os.urandom(12)
assert AESGCM(key).decrypt(nonce, AESGCM(key).encrypt(nonce, b"contact", b"ad"), b"ad")
ChaCha20Poly1305(ChaCha20Poly1305.generate_key()).encrypt(nonce, b"x", None)
a, b = X25519PrivateKey.generate(), X25519PrivateKey.generate()
assert a.exchange(b.public_key()) == b.exchange(a.public_key())
signer = Ed25519PrivateKey.generate()
signer.public_key().verify(signer.sign(b"entry"), b"entry")

db = sqlite3.connect(os.path.join(sys.argv[1], "probe.sqlite3"))
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA secure_delete=ON")
db.execute("CREATE TABLE t (x TEXT)")
db.executemany("INSERT INTO t VALUES (?)", [("marker",)] * 100)
db.commit()
db.execute("DELETE FROM t")
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.backup(sqlite3.connect(os.path.join(sys.argv[1], "copy.sqlite3")))
print(os.cpu_count(), os.sched_getaffinity(0) and "ok")
"""

SYSCALL = re.compile(r"^\d+\s+([a-z0-9_]+)\(")
SOCKET = re.compile(r"^\d+\s+socket\((\w+)")
PATH_CALL = re.compile(
    r"^\d+\s+(openat|open|creat|mkdir|mkdirat|unlink|unlinkat|rmdir|rename|renameat2?|"
    r"chmod|fchmodat|truncate|symlink|symlinkat|link|linkat)\((?:(AT_FDCWD|\d+<([^>]*)>),\s*)?"
    r'"([^"]*)"(.*)$'
)
WRITE_FLAGS = ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC")
# SQLite gives a new journal, WAL or shm file the database's owner, but only when it runs as
# root (os_unix.c, robustFchown); the service never runs as root, and these tests may. With
# several threads strace splits a call into "<unfinished ...>" and "<... resumed>" lines.
ROOT_ONLY_SQLITE_FCHOWN = re.compile(
    r"^\d+\s+fchown\(\d+<[^>]*-(journal|wal|shm)>, \d+, \d+(\)| <unfinished)"
    if os.geteuid() == 0
    else r"$^"
)
OWN_PROC = re.compile(r"^/proc/(self|thread-self|\d+)(/|$)")


def _mdwe_supported() -> bool:
    probe = subprocess.run(
        [sys.executable, "-c", MDWE_EXEC, "on", "/bin/true"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return probe.returncode == 0


def _filter_groups(systemd_analyze: str) -> dict[str, list[str]]:
    """Every syscall group as systemd-analyze lists it (members may be other groups)."""
    listing = subprocess.run(
        [systemd_analyze, "syscall-filter", "--no-pager"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    groups: dict[str, list[str]] = {}
    current = None
    for line in listing.splitlines():
        if line.startswith("@"):
            current = line.strip()
            groups[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            groups[current].append(line.strip())
    return groups


def _expand(name: str, groups: dict[str, list[str]]) -> set[str]:
    if not name.startswith("@"):
        return {name}
    calls: set[str] = set()
    for member in groups.get(name, []):
        calls |= _expand(member, groups)
    return calls


@pytest.fixture(scope="module")
def allowed_syscalls() -> set[str]:
    systemd_analyze = need_tool("systemd-analyze", "systemd", "the system call check")
    settings = unit_settings(SERVICES[0])
    groups = _filter_groups(systemd_analyze)
    allow: set[str] = set()
    for entry in settings["SystemCallFilter"]:
        if entry.startswith("~"):
            for name in entry[1:].split():
                allow -= _expand(name, groups)
        else:
            for name in entry.split():
                allow |= _expand(name, groups)
    assert "read" in allow and "setuid" not in allow and "setrlimit" not in allow
    return allow


@pytest.fixture(scope="module")
def strace() -> str:
    return need_tool("strace", "strace", "the sandbox compatibility check")


def _traced(strace: str, trace: Path, command: list[str], **popen) -> subprocess.Popen:
    wrapper = [sys.executable, "-c", MDWE_EXEC, "on" if _mdwe_supported() else "off"]
    return subprocess.Popen(
        [strace, "-f", "-qq", "-y", "-s", "256", "-o", str(trace), "--", *wrapper, *command],
        **popen,
    )


def _stop(tracer: subprocess.Popen) -> tuple[bytes, bytes]:
    """Stop a traced server: signal the traced process itself, then let strace finish.

    Signalling strace would only make it detach and leave the server running.
    """
    children_file = Path(f"/proc/{tracer.pid}/task/{tracer.pid}/children")
    try:
        children = [int(pid) for pid in children_file.read_text().split()]
    except OSError:
        children = []
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal_number)
        try:
            return tracer.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            continue
    tracer.kill()
    return tracer.communicate(timeout=30)


def _check_trace(trace: Path, allowed: set[str], writable: list[Path]) -> None:
    calls: Counter[str] = Counter()
    problems: list[str] = []
    roots = [str(p) for p in writable] + ["/tmp", "/var/tmp", "/dev/null"]
    lines = trace.read_text(errors="replace").splitlines()
    for line in lines:
        found = SYSCALL.match(line)
        if found:
            if found.group(1) == "fchown" and ROOT_ONLY_SQLITE_FCHOWN.match(line):
                continue
            calls[found.group(1)] += 1
        sock = SOCKET.match(line)
        if sock and sock.group(1) not in ("AF_UNIX", "AF_LOCAL"):
            problems.append(f"non-unix socket: {line}")
        path_call = PATH_CALL.match(line)
        if not path_call:
            continue
        name, _dirfd, dir_path, path, rest = path_call.groups()
        if not path.startswith("/"):
            path = os.path.join(dir_path or "<cwd>", path)
        if path.startswith("/proc/") and not OWN_PROC.match(path):
            problems.append(f"/proc outside the process's own entries: {line}")
        writes = name not in ("openat", "open") or any(flag in rest for flag in WRITE_FLAGS)
        if writes and not (path.startswith("<cwd>") or path.startswith(tuple(roots))):
            if "= -1" in rest and name in ("mkdir", "mkdirat"):
                continue  # a failed mkdir of an existing folder writes nothing
            problems.append(f"write outside the instance, socket folder and /tmp: {line}")
    forbidden = {call: n for call, n in calls.items() if call not in allowed}
    assert calls["execve"] >= 1, "strace recorded nothing"
    assert not forbidden, f"system calls outside the unit's SystemCallFilter: {forbidden}"
    assert not problems, "\n".join(problems[:20])


def _request(sock: Path, method: str, path: str, body: str | None = None, cookie: str = ""):
    connection = http.client.HTTPConnection("localhost", timeout=120)
    connection.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    connection.sock.settimeout(120)
    connection.sock.connect(str(sock))
    headers = {"Host": "localhost"}
    if cookie:
        headers["Cookie"] = cookie
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read().decode("utf-8", "replace")
    connection.close()
    return response, data


def _movements_command() -> list[str]:
    script = Path(sys.executable).parent / "movements"
    if script.exists():
        return [str(script)]
    return [
        sys.executable,
        "-c",
        "import sys; from movements.app.cli.main import main; sys.exit(main())",
    ]


def test_libraries_fit_the_sandbox(strace, allowed_syscalls, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    trace = tmp_path / "trace.txt"
    process = _traced(
        strace,
        trace,
        [sys.executable, "-c", LIBRARIES, str(work)],
        cwd=work,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TZ": "UTC"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    _check_trace(trace, allowed_syscalls, [work])


def test_movements_serve_fits_the_sandbox(strace, allowed_syscalls, tmp_path):
    instance = tmp_path / "instance"
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    sock = runtime / "app.sock"
    command = [
        *_movements_command(),
        "serve",
        "--unix-socket",
        str(sock),
        "--instance",
        str(instance),
        "--no-onion",
    ]
    help_text = subprocess.run(
        [*_movements_command(), "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    ).stdout
    if "--unix-socket" not in help_text:
        pytest.skip("movements serve has no --unix-socket option yet")

    trace = tmp_path / "trace.txt"
    environment = {
        **os.environ,
        # As in movements.service.
        "TZ": "UTC",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(REPO),
    }
    tmp_path.joinpath("cwd").mkdir()
    server = _traced(
        strace,
        trace,
        command,
        cwd=tmp_path / "cwd",
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 120
        while not sock.exists():
            if server.poll() is not None:
                out, err = server.communicate()
                pytest.fail(f"movements serve exited: {out.decode()}{err.decode()}")
            assert time.monotonic() < deadline, "movements serve never created its socket"
            time.sleep(0.1)
        time.sleep(0.3)

        for path in ("/healthz", "/", "/signup", "/login", "/requests", "/no-such-page"):
            response, _ = _request(sock, "GET", path)
            assert response.status < 500, (path, response.status)

        # A sign-up runs the production argon2 and creates the user's keys.
        response, page = _request(sock, "GET", "/signup")
        cookie = "; ".join(
            c.split(";", 1)[0] for c in (response.headers.get_all("Set-Cookie") or [])
        )
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        if token:
            form = (
                f"csrf_token={token.group(1)}&username=sandboxprobe&password=correct+horse+battery"
                "&confirm=correct+horse+battery&role=activist&country=IR&declaration=y&risk_read=y"
            )
            response, _ = _request(sock, "POST", "/signup", form, cookie)
            assert response.status < 500, response.status
    finally:
        out, err = _stop(server)
    assert b"Traceback" not in err, err.decode()
    _check_trace(trace, allowed_syscalls, [instance, runtime, tmp_path / "cwd"])


def test_mdwe_is_enforced_here_when_the_kernel_has_it():
    """If the kernel has PR_SET_MDWE, the wrapper really refuses W+X memory (a self-check)."""
    if not _mdwe_supported():
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+); the W^X part is not checked")
    probe = """
import ctypes, mmap
libc = ctypes.CDLL(None, use_errno=True)
assert libc.prctl(65, 1, 0, 0, 0) == 0
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
except OSError:
    print("refused")
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=False
    )
    assert done.stdout.strip() == "refused", done.stdout + done.stderr
