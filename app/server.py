"""Serving the app with waitress on loopback TCP or a unix socket, and nothing else."""

import logging

from flask import Flask
from waitress import serve as waitress_serve

THREADS = 8


def quiet_logging() -> None:
    """Errors only, and no access log: waitress and werkzeug say nothing about visitors."""
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    for name in ("waitress", "waitress.queue", "werkzeug"):
        logging.getLogger(name).setLevel(logging.ERROR)


def serve(app: Flask, host: str, port: int, unix_socket: str | None = None) -> None:
    options = {"threads": THREADS, "ident": "", "clear_untrusted_proxy_headers": True}
    if unix_socket:
        waitress_serve(app, unix_socket=unix_socket, unix_socket_perms="660", **options)
    else:
        waitress_serve(app, host=host, port=port, **options)
