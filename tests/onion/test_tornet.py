"""End to end through a private Tor network on 127.0.0.1: publish, then fetch by onion address.

The service is a tiny HTTP server started here, published with AttachedOnion through the
service node's control port (as ``movements serve --tor-control`` will), and fetched through
the client node's SOCKS port. The network takes 25-50 s to form; the tests after the first
reuse it.
"""

from __future__ import annotations

import http.server
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
from stem.descriptor.hidden_service import HiddenServiceDescriptorV3

from movements.onion.client_auth import (
    ClientAuthKeyPair,
    add_authorized_client,
    write_client_credential,
)
from movements.onion.status import probe_status
from movements.onion.supervisor import AttachedOnion, OnionService
from tests.onion.tornet import PrivateTorNetwork, SocksError, fetch, fetch_with_retry


class _Handler(http.server.BaseHTTPRequestHandler):
    """GET / says which face it is; POST /echo echoes the form and sets a cookie."""

    face = "public"

    def _send(self, status: int, body: bytes, *headers: tuple[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        cookie = self.headers.get("Cookie", "")
        self._send(200, f"{self.face} page; cookie={cookie}".encode())

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self._send(
            303,
            f"got {form['title'][0]}".encode(),
            ("Location", "/requests/1"),
            ("Set-Cookie", "session=signed-in; HttpOnly; Path=/"),
        )

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture
def http_server_factory() -> Iterator:
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(face: str) -> int:
        handler = type(f"{face}Handler", (_Handler,), {"face": face})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        servers.append(server)
        return server.server_address[1]

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_fetch_does_get_post_and_cookies_directly(http_server_factory):
    port = http_server_factory("public")
    cookies: dict[str, str] = {}
    posted = fetch(f"http://127.0.0.1:{port}/requests/new", {"title": "help"}, cookies)
    assert (posted.status, posted.header("Location"), posted.text) == (
        303,
        "/requests/1",
        "got help",
    )
    assert cookies == {"session": "signed-in"}
    assert fetch(f"http://127.0.0.1:{port}/", cookies=cookies).text.endswith(
        "cookie=session=signed-in"
    )


@pytest.mark.slow
@pytest.mark.tor
def test_page_is_fetched_by_onion_address_through_a_private_tor_network(
    tor_network: PrivateTorNetwork, http_server_factory, tmp_path
):
    port = http_server_factory("public")
    onion = AttachedOnion(
        tor_network.service_control,
        tmp_path / "onion.key",
        port,
        await_publication=True,
        publish_timeout=60,
    )
    address = onion.start()
    try:
        assert onion.status().services[0].descriptor_uploaded
        url = f"http://{address}.onion"
        page = fetch_with_retry(url + "/", socks=tor_network.client_socks)
        assert (page.status, page.text) == (200, "public page; cookie=")

        cookies: dict[str, str] = {}
        posted = fetch(
            url + "/requests/new",
            {"title": "ما نیاز به کمک داریم"},
            cookies,
            socks=tor_network.client_socks,
        )
        assert posted.status == 303
        assert posted.header("Location") == "/requests/1"
        assert posted.text == "got ما نیاز به کمک داریم"
        again = fetch(url + "/", cookies=cookies, socks=tor_network.client_socks)
        assert again.text == "public page; cookie=session=signed-in"

        # The descriptor the client fetched really carries proof-of-work parameters.
        client = tor_network.controller(tor_network.client)
        descriptor = HiddenServiceDescriptorV3(client.get_info(f"hs/client/desc/id/{address}"))
        inner = str(descriptor.decrypt(address))
        assert any(line.startswith("pow-params v1 ") for line in inner.splitlines())

        # `movements onion status` from another process sees it published
        assert probe_status(tor_network.service_control, [address]).published
    finally:
        onion.stop()


@pytest.mark.slow
@pytest.mark.tor
def test_staff_onion_refuses_clients_without_their_key(
    tor_network: PrivateTorNetwork, http_server_factory, tmp_path
):
    alice = ClientAuthKeyPair.generate()
    clients = tmp_path / "staff-clients"
    add_authorized_client(clients, "alice", alice.public_key)
    staff = OnionService(
        tmp_path / "staff.key",
        http_server_factory("staff"),
        authorized_clients_dir=clients,
        name="staff",
    )
    onion = AttachedOnion(
        tor_network.service_control,
        tmp_path / "onion.key",
        http_server_factory("public"),
        staff=staff,
        await_publication=True,
        publish_timeout=60,
    )
    onion.start()
    try:
        staff_url = f"http://{onion.addresses['staff']}.onion/staff"
        with pytest.raises(SocksError) as refused:
            fetch_with_retry(staff_url, socks=tor_network.client_socks)
        assert refused.value.code == 0xF4  # tor: missing client authorization

        # Alice's credential, in the file form tor's ClientOnionAuthDir (and Tor Browser) use
        write_client_credential(
            tor_network.client_auth_dir, "staff", onion.addresses["staff"], alice
        )
        tor_network.controller(tor_network.client).signal("RELOAD")
        page = fetch_with_retry(staff_url, socks=tor_network.client_socks)
        assert page.text == "staff page; cookie="
    finally:
        onion.stop()
