"""Serving the app with waitress on loopback TCP or unix sockets, and nothing else.

The staff onion, when enabled, arrives on a listener of its own, so the app knows the staff
face from the socket a request came through rather than from a Host header.
"""

import signal
import threading

from flask import Flask
from waitress import create_server

from movements.app.cli.lanes import Lanes, password_paths
from movements.app.web.faces import StaffListener

THREADS = 8
OPTIONS = {"threads": THREADS, "ident": "", "clear_untrusted_proxy_headers": True}


def _listener(wsgi_app, paths, tcp: tuple[str, int] | None, unix_socket: str | None):
    # waitress takes a dispatcher of our own through `_dispatcher` (app/lanes.py)
    lanes = Lanes(THREADS, paths)
    if unix_socket:
        return create_server(
            wsgi_app, unix_socket=unix_socket, unix_socket_perms="660", _dispatcher=lanes, **OPTIONS
        )
    host, port = tcp
    return create_server(wsgi_app, host=host, port=port, _dispatcher=lanes, **OPTIONS)


def serve(
    app: Flask,
    public: tuple[tuple[str, int] | None, str | None],
    staff: tuple[tuple[str, int] | None, str | None] | None = None,
) -> None:
    """Serve until SIGTERM or Ctrl-C; each argument is (host and port, or a unix socket)."""
    paths = password_paths(app)
    servers = [_listener(app.wsgi_app, paths, *public)]
    if staff is not None:
        servers.append(_listener(StaffListener(app.wsgi_app), paths, *staff))

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    for extra in servers[1:]:
        threading.Thread(target=extra.run, name="staff-listener", daemon=True).start()
    try:
        servers[0].run()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers:
            server.close()
