"""HTTP through a SOCKS5 proxy, for tests and benchmarks that reach onions through tor.

A deliberately small client: SOCKS5 (RFC 1928) with the host name passed to the proxy
(``socks5h``: only tor can resolve an onion name) and tor's extended error codes, and
``http.client`` on top for the HTTP. ``fetch`` does GET and POST, carries cookies in a dict,
and returns redirects instead of following them so journeys can assert on ``Location``.
"""

from __future__ import annotations

import http.client
import socket
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie

# --- SOCKS5 (RFC 1928) with tor's extended error codes ---------------------------------------

SOCKS_ERRORS = {
    0x01: "general failure",
    0x02: "connection not allowed",
    0x03: "network unreachable",
    0x04: "host unreachable",
    0x05: "connection refused",
    0x06: "TTL expired (tor: circuit or descriptor fetch timed out)",
    0x07: "command not supported",
    0x08: "address type not supported",
    0xF0: "onion service descriptor not found",
    0xF1: "onion service descriptor is invalid",
    0xF2: "onion service introduction failed",
    0xF3: "onion service rendezvous failed",
    0xF4: "onion service missing client authorization",
    0xF5: "onion service wrong client authorization",
    0xF6: "onion address is invalid",
    0xF7: "onion service introduction timed out",
}
#: Codes worth retrying while a fresh descriptor spreads through the network.
RETRYABLE_SOCKS = frozenset({0x01, 0x04, 0x06, 0xF0, 0xF2, 0xF3, 0xF7})


class SocksError(OSError):
    """The SOCKS proxy refused a connection; ``code`` is the reply code."""

    def __init__(self, code: int) -> None:
        super().__init__(f"SOCKS error {code:#04x}: {SOCKS_ERRORS.get(code, 'unknown')}")
        self.code = code


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("SOCKS proxy closed the connection")
        data += chunk
    return data


def socks5_connect(
    proxy: tuple[str, int],
    host: str,
    port: int,
    *,
    timeout: float = 60.0,
    isolation: str | None = None,
) -> socket.socket:
    """Open a TCP stream to ``host:port`` through a SOCKS5 proxy, letting the proxy resolve.

    ``isolation`` is sent as a SOCKS username (RFC 1929): tor gives streams with different
    usernames different circuits (IsolateSOCKSAuth), as it does for separate browser tabs.
    """
    name = host.encode("ascii")
    if not 0 < len(name) < 256:
        raise ValueError("SOCKS5 host names are 1-255 bytes")
    sock = socket.create_connection(proxy, timeout=timeout)
    try:
        if isolation is None:
            sock.sendall(b"\x05\x01\x00")  # version 5, one method: no authentication
            if _recv_exact(sock, 2) != b"\x05\x00":
                raise ConnectionError("SOCKS proxy wants authentication")
        else:
            user = isolation.encode("ascii")
            sock.sendall(b"\x05\x01\x02")  # one method: username and password
            if _recv_exact(sock, 2) != b"\x05\x02":
                raise ConnectionError("SOCKS proxy refuses username authentication")
            sock.sendall(b"\x01" + bytes([len(user)]) + user + b"\x01x")
            if _recv_exact(sock, 2) != b"\x01\x00":
                raise ConnectionError("SOCKS proxy refused the username")
        sock.sendall(b"\x05\x01\x00\x03" + bytes([len(name)]) + name + port.to_bytes(2, "big"))
        _version, reply, _reserved, address_type = _recv_exact(sock, 4)
        if reply != 0:
            raise SocksError(reply)
        address_length = {1: 4, 4: 16}.get(address_type) or _recv_exact(sock, 1)[0]
        _recv_exact(sock, address_length + 2)  # bound address and port: unused
    except BaseException:
        sock.close()
        raise
    return sock


# --- HTTP through SOCKS ---------------------------------------------------------------------


class _SocksHTTPConnection(http.client.HTTPConnection):
    def __init__(
        self,
        host: str,
        port: int,
        proxy: tuple[str, int],
        timeout: float,
        isolation: str | None = None,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._proxy = proxy
        self._isolation = isolation

    def connect(self) -> None:
        self.sock = socks5_connect(
            self._proxy, self.host, self.port, timeout=self.timeout, isolation=self._isolation
        )


@dataclass
class Response:
    """What ``fetch`` got back."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), default)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def fetch(
    url: str,
    data: Mapping[str, str] | bytes | None = None,
    cookies: dict[str, str] | None = None,
    *,
    socks: tuple[str, int] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 60.0,
    isolation: str | None = None,
) -> Response:
    """GET ``url`` (or POST ``data``: form fields or raw bytes), through ``socks`` if given.

    ``isolation`` names the circuit (a SOCKS username): fetches with different names do not
    share one, so an onion behind Onionbalance may answer each from another backend.

    ``cookies`` is sent and then updated in place from ``Set-Cookie`` (a ``Max-Age=0`` cookie
    is removed), so one dict carries a session through a journey. Redirects are returned, not
    followed.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise ValueError(f"only http:// URLs: {url!r}")
    port = parts.port or 80
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    if socks is None:
        connection = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    else:
        connection = _SocksHTTPConnection(parts.hostname, port, socks, timeout, isolation)
    request_headers = {"Connection": "close", **(headers or {})}
    if cookies:
        request_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    body: bytes | None = None
    if data is not None:
        body = data if isinstance(data, bytes) else urllib.parse.urlencode(data).encode("utf-8")
        request_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    try:
        connection.request("POST" if body is not None else "GET", path, body, request_headers)
        reply = connection.getresponse()
        response = Response(reply.status, list(reply.getheaders()), reply.read())
    finally:
        connection.close()
    if cookies is not None:
        for name, value in response.headers:
            if name.lower() != "set-cookie":
                continue
            for morsel in SimpleCookie(value).values():
                if morsel["max-age"] in ("0", "-1"):
                    cookies.pop(morsel.key, None)
                else:
                    cookies[morsel.key] = morsel.value
    return response


def fetch_with_retry(
    url: str,
    data: Mapping[str, str] | bytes | None = None,
    cookies: dict[str, str] | None = None,
    *,
    socks: tuple[str, int] | None = None,
    deadline: float = 180.0,
    timeout: float = 60.0,
    isolation: str | None = None,
) -> Response:
    """:func:`fetch`, retried on transient SOCKS and connection errors until ``deadline`` s.

    The first fetch of a fresh onion often fails while its descriptor reaches the directories;
    a missing client authorization (0xF4) is not transient and is raised at once. Under the
    whole suite's load tor has taken over 60 s to answer twice in a row, hence three chances.
    """
    end = time.monotonic() + deadline
    delay = 0.5
    while True:
        try:
            return fetch(url, data, cookies, socks=socks, timeout=timeout, isolation=isolation)
        except SocksError as exc:
            if exc.code not in RETRYABLE_SOCKS or time.monotonic() + delay > end:
                raise
        except (ConnectionError, TimeoutError, http.client.HTTPException):
            if time.monotonic() + delay > end:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
