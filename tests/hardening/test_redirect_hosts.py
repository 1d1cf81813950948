"""Every redirect names the face's own configured host, never a port or name from the request."""

import os
import urllib.parse

import pytest

from movements.app.web.faces import StaffListener
from tests.support.raw_http import RawVisitor
from tests.support.serving import running_server

pytestmark = pytest.mark.slow  # starts real servers or tools: left out of make check

ONION = "a" * 52 + "qd.onion"
STAFF_ONION = "b" * 52 + "qd.onion"
MIRROR = "movements.example.org"
# a doubled slash that the router redirects away, and a page that sends visitors to sign in
SLASHES_AND_SIGN_IN = [
    ("/requests//new", "/requests/new"),
    ("/providers//me", "/providers/me"),
    ("/account", "/login"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {**os.environ, "MOVEMENTS_ONION_ADDRESS": ONION, "MOVEMENTS_MIRROR_HOST": MIRROR}
    instance = tmp_path_factory.mktemp("faces") / "instance"
    with running_server(instance, "--no-onion", env=env) as running:
        yield running


@pytest.mark.parametrize(
    ("host", "origin"),
    [
        (ONION, f"http://{ONION}"),
        (f"{ONION}:9999", f"http://{ONION}"),
        (f"{MIRROR}:8443", f"https://{MIRROR}"),
        (MIRROR.upper(), f"https://{MIRROR}"),
    ],
)
@pytest.mark.parametrize(("path", "target"), SLASHES_AND_SIGN_IN)
def test_a_redirect_goes_to_the_configured_host_of_its_face(server, host, origin, path, target):
    answer = RawVisitor(server.base, host=host).get(path)
    assert answer.status in (302, 308)
    location = answer.header("Location")
    assert location.startswith(origin + target), location
    assert ":9999" not in location and ":8443" not in location


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
@pytest.mark.parametrize("port", [":1", ":65000", ""])
def test_a_redirect_on_loopback_names_the_port_the_server_listens_on(server, name, port):
    """Absolute, as text browsers want, on the loopback name asked for (cookies are kept per
    name) but the server's own port: never the one the Host header claims."""
    listening = urllib.parse.urlsplit(server.base).port
    for path, target in SLASHES_AND_SIGN_IN:
        location = RawVisitor(server.base, host=name + port).get(path).header("Location")
        parts = urllib.parse.urlsplit(location)
        assert (parts.scheme, parts.netloc, parts.path) == (
            "http",
            f"{name}:{listening}",
            target,
        ), location


def test_a_redirect_on_the_staff_onion_names_the_staff_onion(app):
    app.config.update(ONION_ADDRESS=ONION, STAFF_ONION_ADDRESS=STAFF_ONION)
    client = app.test_client()
    client.application.wsgi_app = StaffListener(app.wsgi_app)
    location = client.get("/account", headers={"Host": f"{STAFF_ONION}:81"}).headers["Location"]
    assert location.startswith(f"http://{STAFF_ONION}/login"), location


def test_a_redirect_on_the_staff_listener_on_loopback_names_the_staff_port(app):
    app.config.update(LOOPBACK_PORT=8000, STAFF_LOOPBACK_PORT=8001)
    client = app.test_client()
    client.application.wsgi_app = StaffListener(app.wsgi_app)
    location = client.get("/account", headers={"Host": "127.0.0.1:9"}).headers["Location"]
    assert location.startswith("http://127.0.0.1:8001/login"), location
