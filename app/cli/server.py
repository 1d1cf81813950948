"""Serving the app with waitress on loopback TCP or unix sockets, and nothing else.

The staff onion, when enabled, arrives on a listener of its own, so the app knows the staff
face from the socket a request came through rather than from a Host header.

Listening sockets are bound once (`bind`) and then served (`serve`): by this process, or by
several worker processes that inherit them (app/cli/workers.py), the kernel handing each new
connection to one of them. SIGTERM (or Ctrl-C) stops gracefully: no new connection is
accepted, requests already received are answered in full, idle keep-alive connections are
closed, and only then does the process exit, within DRAIN_SECONDS.
"""

import os
import signal
import socket
import stat
import threading
import time
from collections.abc import Callable

from flask import Flask
from waitress import create_server, wasyncore

from movements.app.cli.lanes import Lanes, password_paths
from movements.app.keys.argon2_pool import ARGON2_SLOTS
from movements.app.web.faces import StaffListener
from movements.crypto import argon2_processes

# page threads per process. waitress reads each request whole and buffers each answer in its
# event loop, so a thread is busy only while the app runs: CPU work, under one interpreter lock.
# Eight threads rendering at once cost each page a quarter more processor time than two (the
# lock passed back and forth, caches shared), measured with bench/throughput.py on 2 cores:
# 2 workers gave 314 signed-in pages/s with 8 threads, 419 with 2, 437 with 1. Two keep a
# second request going while one waits for the database's write lock; more processes
# (`--workers`) are the way to more at once.
THREADS = 2
OPTIONS = {"threads": THREADS, "ident": "", "clear_untrusted_proxy_headers": True}
BACKLOG = 1024
UNIX_SOCKET_MODE = 0o660  # the service's user and, by ACL, tor and nginx (deploy/systemd)
# requests in flight get this long to finish after SIGTERM; systemd waits 20 s (TimeoutStopSec)
DRAIN_SECONDS = 15.0
LOOP_SECONDS = 0.5  # how soon a stop is noticed

# (host and port) for TCP, or a unix socket path: exactly one is given
Listener = tuple[tuple[str, int] | None, str | None]


def bind(listener: Listener) -> socket.socket:
    """A listening socket, bound once here and then served by this process or its workers."""
    tcp, unix_socket = listener
    if unix_socket:
        _remove_stale_socket(unix_socket)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(unix_socket)
        os.chmod(unix_socket, UNIX_SOCKET_MODE)
    else:
        host, port = tcp
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


def _remove_stale_socket(path: str) -> None:
    """A socket file left by a previous run blocks bind(); any other file is left alone."""
    try:
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.unlink(path)
    except FileNotFoundError:
        pass


def serve(
    app: Flask,
    public: Listener | socket.socket,
    staff: Listener | socket.socket | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve until SIGTERM or Ctrl-C, then drain; each listener is bound here if not already.

    `on_ready` runs once the listeners are served, before the first connection is taken.
    """
    public_socket = public if isinstance(public, socket.socket) else bind(public)
    wsgi_apps = [(app.wsgi_app, public_socket)]
    if staff is not None:
        staff_socket = staff if isinstance(staff, socket.socket) else bind(staff)
        wsgi_apps.append((StaffListener(app.wsgi_app), staff_socket))
    connections: dict = {}  # one event loop for every listener and its connections
    paths = password_paths(app)
    # waitress takes a dispatcher of our own through `_dispatcher`: password forms get their
    # own few threads (app/cli/lanes.py)
    servers = [
        create_server(
            wsgi_app,
            map=connections,
            sockets=[sock],
            _dispatcher=Lanes(THREADS, paths),
            **OPTIONS,
        )
        for wsgi_app, sock in wsgi_apps
    ]
    stopping = threading.Event()
    _on_stop_signals(stopping.set)
    # argon2 runs in helper processes of this one, at the lowest priority, while it serves
    with argon2_processes.running(ARGON2_SLOTS):
        if on_ready is not None:
            on_ready()
        try:
            while not stopping.is_set():
                wasyncore.loop(timeout=LOOP_SECONDS, map=connections, count=1)
            _drain(servers, connections, time.monotonic() + DRAIN_SECONDS)
        finally:
            for server in servers:
                server.task_dispatcher.shutdown(timeout=1)
            wasyncore.close_all(connections)


def _on_stop_signals(handler: Callable[[], None]) -> None:
    def stop(_signum, _frame):
        handler()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, stop)


def _drain(servers: list, connections: dict, deadline: float) -> None:
    """Stop accepting, answer what was received, close idle connections, all by `deadline`."""
    for server in servers:
        wasyncore.dispatcher.close(server)  # the listening socket only: no new connection
    while _busy(servers) and time.monotonic() < deadline:
        wasyncore.loop(timeout=LOOP_SECONDS / 5, map=connections, count=1)


def _busy(servers: list) -> bool:
    """True while a connection has a request to answer or an answer to send.

    Idle connections (kept alive, or holding half a request the client never finished) are
    marked to close: waitress closes them at its next turn, as its own idle timeout does.
    """
    busy = False
    for server in servers:
        for channel in list(server.active_channels.values()):
            if channel.requests or channel.total_outbufs_len:
                busy = True
            else:
                channel.will_close = True
                busy = busy or channel.connected
    return busy
