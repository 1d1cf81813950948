"""The faces the same app shows: the onion, the staff onion and the clearnet mirror.

The face is decided per request: the staff onion by the listener it arrives on (tor forwards it
to a separate port or socket, so a Host header cannot claim it), the others by the Host header,
which must name one of the configured addresses or loopback; any other Host gets 400, so the
app cannot be reached under names it does not know (no host-header tricks, no DNS rebinding).
Redirects name the face's configured address, never a port or name from the request; on
loopback, where no address is configured, the loopback name (one of the allowed few) with the port
`movements serve` was told to listen on, so a text browser gets the absolute URL it expects.
"""

from urllib.parse import urljoin, urlsplit, urlunsplit

from flask import Flask, abort, current_app, request
from flask.sessions import SecureCookieSessionInterface

FACE_KEY = "movements.face"
DECIDED_KEY = FACE_KEY + ".decided"
ONION, STAFF, CLEARNET, LOCAL = "onion", "staff", "clearnet", "local"
LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}
HSTS = "max-age=63072000"
COOKIE_NAMES = {
    ONION: "movements_session",
    LOCAL: "movements_session",
    STAFF: "movements_staff",
    CLEARNET: "movements_mirror",
}
# each face's scheme and where its address is configured (the mirror's reverse proxy adds TLS)
ORIGINS = {
    ONION: ("http", "ONION_ADDRESS"),
    STAFF: ("http", "STAFF_ONION_ADDRESS"),
    CLEARNET: ("https", "MIRROR_HOST"),
}
# the port each face's loopback listener was told to use, set by `movements serve`
LOOPBACK_PORTS = {LOCAL: "LOOPBACK_PORT", STAFF: "STAFF_LOOPBACK_PORT"}
# what the staff onion serves: its own area and what staff need to sign in
STAFF_FACE_PREFIXES = (
    "/staff",
    "/login",
    "/logout",
    "/account",
    "/language",
    "/static/",
    "/healthz",
)


class StaffListener:
    """WSGI wrapper for the listener the staff onion forwards to."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        environ[FACE_KEY] = STAFF
        return self.app(environ, start_response)


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def face_of_request() -> str | None:
    """The face this request arrived on, or None for a Host the app does not answer to.

    Decided once per request (the session, the page cache and the headers all ask).
    """
    decided = request.environ.get(DECIDED_KEY)
    if decided is not None:
        return decided
    face = _face_from_host()
    if face is not None:
        request.environ[DECIDED_KEY] = face
    return face


def _face_from_host() -> str | None:
    config = current_app.config
    name = _host_name(request.host)
    if request.environ.get(FACE_KEY) == STAFF:
        return STAFF if name in LOOPBACK_NAMES | {config.get("STAFF_ONION_ADDRESS")} else None
    if config.get("ONION_ADDRESS") and name == config["ONION_ADDRESS"]:
        return ONION
    if config.get("MIRROR_HOST") and name == config["MIRROR_HOST"]:
        return CLEARNET
    return LOCAL if name in LOOPBACK_NAMES else None


class FaceSessionInterface(SecureCookieSessionInterface):
    """A separate session cookie per face, Secure on the TLS mirror."""

    def get_cookie_name(self, app: Flask) -> str:
        return COOKIE_NAMES.get(face_of_request(), COOKIE_NAMES[ONION])

    def get_cookie_secure(self, app: Flask) -> bool:
        return face_of_request() == CLEARNET or super().get_cookie_secure(app)


def own_origin() -> str:
    """`scheme://address` of this request's face as configured, or "" when none is known.

    On loopback the name is the Host's only because it is one of LOOPBACK_NAMES (a browser
    keeps its cookies per name, so 127.0.0.1 and localhost must not swap); the port is always
    the listener's own, never the Host's, whose port is the sender's to choose. Served through
    a unix socket or by a test client, loopback has no port: redirects carry a path alone.
    """
    face = request.environ.get(DECIDED_KEY)
    name = _host_name(request.host)
    scheme, key = ORIGINS.get(face, ("", ""))
    address = current_app.config.get(key) if key else None
    if address and name == address:
        return f"{scheme}://{address}"
    port_key = LOOPBACK_PORTS.get(face)
    port = current_app.config.get(port_key) if port_key else None
    if port and name in LOOPBACK_NAMES:
        return f"http://{'[::1]' if name == '::1' else name}:{int(port)}"
    return ""


def on_own_host(location: str) -> str:
    """A redirect target, wherever it pointed, as a path on this face's own address."""
    parts = urlsplit(urljoin(request.path, location))
    path = "/" + parts.path.lstrip("/")  # never `//name`, which a browser reads as a host
    return own_origin() + urlunsplit(("", "", path, parts.query, parts.fragment))


def _allowed_with_staff_onion(face: str) -> bool:
    """With a staff onion, /staff exists only there, and the staff onion serves little else."""
    in_staff_area = request.path == "/staff" or request.path.startswith("/staff/")
    if face == STAFF:
        return request.path.startswith(STAFF_FACE_PREFIXES)
    return not in_staff_area


def init_app(app: Flask) -> None:
    app.session_interface = FaceSessionInterface()

    @app.before_request
    def _decide_face():
        face = face_of_request()
        if face is None:
            abort(400)
        if app.config.get("STAFF_ONION_ADDRESS") and not _allowed_with_staff_onion(face):
            abort(404)

    @app.after_request
    def _face_headers(response):
        if "Location" in response.headers:
            response.headers["Location"] = on_own_host(response.headers["Location"])
        if request.environ.get(DECIDED_KEY) == CLEARNET:
            response.headers["Strict-Transport-Security"] = HSTS
            onion = app.config.get("ONION_ADDRESS")
            if onion:
                response.headers["Onion-Location"] = (
                    f"http://{onion}{request.full_path.rstrip('?')}"
                )
        return response
