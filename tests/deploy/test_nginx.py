"""The clearnet mirror's nginx configuration: it parses, and it behaves.

``nginx -t`` checks the file as shipped (only the certificate and log paths, which the operator
fills in, are pointed at temporary ones). Then the same file runs for real on loopback ports in
front of a stand-in application on a unix socket that reports what it received: nginx must
send the mirror's Host whatever the client sent, forward no client address, pass the
application's Onion-Location exactly once, refuse oversized bodies, redirect HTTP to HTTPS,
drop unknown names, and write nothing about the visitor to its logs — even with an access log
configured at the http level, as Debian's nginx.conf has.
"""

from __future__ import annotations

import datetime
import http.client
import json
import re
import socket
import socketserver
import ssl
import subprocess
import tempfile
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.deploy.tools import NGINX, need_tool

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

MIRROR = NGINX / "movements-mirror.conf"
HOST = "mirror.example.org"
ONION = "http://" + "a" * 56 + ".onion"
MARKER = "203.0.113.77"  # what a client claims as its address; must reach nobody


@pytest.fixture(scope="module")
def nginx() -> str:
    return need_tool("nginx", "nginx-light", "checking the nginx mirror configuration")


@pytest.fixture(scope="module")
def workdir():
    # Not pytest's tmp_path: nginx workers (user nobody when run as root) and the stand-in
    # application must be able to reach the socket, so every directory here is 0755.
    path = Path(tempfile.mkdtemp(prefix="mvnginx-", dir="/tmp"))
    path.chmod(0o755)
    (path / "logs").mkdir()
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


@pytest.fixture(scope="module")
def certificate(workdir) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOST)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = workdir / "fullchain.pem", workdir / "privkey.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _rewrite(text: str, workdir: Path, cert: tuple[Path, Path], ports=None) -> str:
    text = text.replace("/etc/ssl/movements/fullchain.pem", str(cert[0]))
    text = text.replace("/etc/ssl/movements/privkey.pem", str(cert[1]))
    text = text.replace("/var/log/nginx/error.log", str(workdir / "logs/error.log"))
    if ports is not None:
        http_port, https_port = ports
        text = text.replace("/run/movements/app.sock", str(workdir / "app.sock"))
        text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
        text = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", text)
        text = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", text)
        text = text.replace(
            f"https://{HOST}$request_uri", f"https://{HOST}:{https_port}$request_uri"
        )
    return text


def _main_conf(workdir: Path, site: Path, daemon: bool = True) -> Path:
    """A minimal nginx.conf shaped like Debian's: the site is included inside http { }."""
    temp = "\n".join(
        f"    {kind}_temp_path {workdir / ('tmp_' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = workdir / f"nginx-{site.stem}.conf"
    conf.write_text(
        f"""
pid {workdir / "nginx.pid"};
error_log {workdir / "logs/main-error.log"};
{"" if daemon else "daemon off;"}
events {{ worker_connections 64; }}
http {{
{temp}
    # As in Debian's nginx.conf: every request logged, old TLS versions, gzip, all at the
    # http level. The site must override each of them itself.
    access_log {workdir / "logs/access.log"};
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    include {site};
}}
"""
    )
    return conf


def test_config_passes_nginx_t(nginx, workdir, certificate):
    text = MIRROR.read_text()
    for required in (
        "server_tokens off;",
        "access_log off;",
        "client_max_body_size 64k;",
        "proxy_pass http://movements_app;",
        "server unix:/run/movements/app.sock;",
        "error_log /var/log/nginx/error.log crit;",
        'proxy_set_header X-Forwarded-For "";',
        f"proxy_set_header Host {HOST};",
    ):
        assert required in text, required
    # The application sends Onion-Location and HSTS; nginx must not add a second copy.
    assert not re.search(r"^\s*add_header\s+(Onion-Location|Strict-Transport)", text, re.M | re.I)
    assert "$remote_addr" not in text and "$proxy_add_x_forwarded_for" not in text
    assert re.search(r"ssl_protocols\s+TLSv1\.[23](\s+TLSv1\.3)?;", text)

    site = workdir / "mirror-t.conf"
    site.write_text(_rewrite(text, workdir, certificate))
    conf = _main_conf(workdir, site)
    done = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "logs/t.log")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr


class _Recorder(BaseHTTPRequestHandler):
    """The stand-in application: answers with the request it saw, like the app's clearnet face."""

    seen: list[dict] = []  # noqa: RUF012 - shared on purpose, read by the test

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        record = {
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_length": len(body),
        }
        self.seen.append(record)
        payload = json.dumps(record).encode()
        self.send_response(200)
        # text/html, like the application's pages (what nginx's gzip would compress).
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Onion-Location", ONION + self.path)
        self.send_header("Strict-Transport-Security", "max-age=31536000")
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, *args) -> None:  # unix sockets have no client address to log
        pass


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def running(nginx, workdir, certificate):
    sock = workdir / "app.sock"
    app = _UnixHTTPServer(str(sock), _Recorder)
    sock.chmod(0o666)
    threading.Thread(target=app.serve_forever, daemon=True).start()

    ports = (_free_port(), _free_port())
    site = workdir / "mirror-run.conf"
    site.write_text(_rewrite(MIRROR.read_text(), workdir, certificate, ports))
    conf = _main_conf(workdir, site, daemon=False)
    server = subprocess.Popen(
        [nginx, "-c", str(conf), "-p", str(workdir), "-e", str(workdir / "logs/run.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert server.poll() is None, server.stderr.read().decode()
            try:
                socket.create_connection(("127.0.0.1", ports[1]), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "nginx did not start listening"
                time.sleep(0.05)
        yield ports
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()
        app.shutdown()
        app.server_close()


def _https(port, cert, method, path, headers, body=None, sni=HOST):
    context = ssl.create_default_context(cafile=str(cert[0]))
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    tls = context.wrap_socket(raw, server_hostname=sni)
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    connection.sock = tls
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def test_proxy_sends_the_mirror_host_and_no_client_address(running, certificate):
    _Recorder.seen.clear()
    spoofed = {
        "Host": HOST,
        "X-Forwarded-For": MARKER,
        "X-Real-IP": MARKER,
        "Forwarded": f"for={MARKER}",
        "X-Forwarded-Host": "attacker.example",
        "User-Agent": "probe",
        "Accept-Encoding": "gzip",
    }
    response, data = _https(running[1], certificate, "GET", "/requests?q=1", spoofed)
    assert response.status == 200
    seen = json.loads(data)
    names = {name.lower(): value for name, value in seen["headers"]}
    assert names["host"] == HOST
    for header in ("x-forwarded-for", "x-real-ip", "forwarded", "x-forwarded-host", "via"):
        assert header not in names, f"{header} reached the application"
    assert MARKER not in data.decode() and "127.0.0.1" not in data.decode()

    # Onion-Location and HSTS come from the application, once each.
    assert response.headers.get_all("Onion-Location") == [ONION + "/requests?q=1"]
    assert len(response.headers.get_all("Strict-Transport-Security")) == 1
    assert response.headers["Server"] == "nginx"  # server_tokens off: no version
    assert response.headers.get("Content-Encoding") is None  # no compression over TLS (BREACH)


def test_unknown_host_is_dropped_before_the_application(running, certificate):
    _Recorder.seen.clear()
    # A visitor of the mirror naming the onion (or anything else) in Host gets nothing.
    with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
        _https(running[1], certificate, "GET", "/staff", {"Host": "a" * 56 + ".onion"})
    # And a TLS handshake for another name is refused outright.
    with pytest.raises(ssl.SSLError):
        _https(running[1], certificate, "GET", "/", {"Host": HOST}, sni="other.example")
    assert _Recorder.seen == []


def test_oversized_body_is_refused(running, certificate):
    _Recorder.seen.clear()
    response, _ = _https(
        running[1], certificate, "POST", "/signup", {"Host": HOST}, body=b"x" * (65 * 1024)
    )
    assert response.status == 413
    assert _Recorder.seen == []
    response, data = _https(
        running[1], certificate, "POST", "/signup", {"Host": HOST}, body=b"x" * (60 * 1024)
    )
    assert response.status == 200 and json.loads(data)["body_length"] == 60 * 1024


def test_plain_http_only_redirects(running):
    _Recorder.seen.clear()
    connection = http.client.HTTPConnection("127.0.0.1", running[0], timeout=10)
    connection.request("GET", "/requests/abc?x=1", headers={"Host": HOST})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 301
    assert response.headers["Location"] == f"https://{HOST}:{running[1]}/requests/abc?x=1"
    assert _Recorder.seen == []


def test_nothing_about_visitors_is_written(running, certificate, workdir):
    _https(running[1], certificate, "GET", "/?visitor-trace", {"Host": HOST, "X-Real-IP": MARKER})
    time.sleep(0.2)
    access = workdir / "logs/access.log"
    assert not access.exists() or access.stat().st_size == 0
    for path in (workdir / "logs").iterdir():
        text = path.read_text(errors="replace")
        for trace in ("127.0.0.1", MARKER, "visitor-trace"):
            assert trace not in text, f"{trace} written to {path.name}"
    # Bodies and responses stay in memory: no temp files.
    for kind in ("client_body", "proxy"):
        temp = workdir / f"tmp_{kind}"
        assert not temp.exists() or not any(p.is_file() for p in temp.rglob("*"))


@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3])
def test_tls_1_2_and_1_3_are_served(running, certificate, version):
    context = ssl.create_default_context(cafile=str(certificate[0]))
    context.minimum_version = context.maximum_version = version
    with (
        socket.create_connection(("127.0.0.1", running[1]), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=HOST) as tls,
    ):
        assert tls.version() == version.name.replace("v1_", "v1.")


def test_tls_1_1_is_refused(running, certificate):
    # Python deprecates these constants; the point is to offer only TLS 1.1 to the server.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(cafile=str(certificate[0]))
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_1
        context.set_ciphers("ALL:@SECLEVEL=0")
    with (
        socket.create_connection(("127.0.0.1", running[1]), timeout=10) as raw,
        pytest.raises(ssl.SSLError, match="PROTOCOL_VERSION"),
    ):
        context.wrap_socket(raw, server_hostname=HOST)
