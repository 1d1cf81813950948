"""The servers the benchmarks measure, both through the production `app.cli.server.serve`.

python -m bench.serve app INSTANCE PORT               the real app on an instance folder
python -m bench.serve hello [--processes N] PORT      a bare Flask app that answers "hello"

With `--processes N` above 1 the bare app is served as `movements serve --workers N` serves the
real one: this process binds the port, and app/cli/workers.py starts N fresh interpreters
(`python -m bench.serve hello-worker …`) that inherit the socket and each serve it, the kernel
handing each new connection to one of them. So the baseline has the same processes, sockets
and waitress options as the app it is compared with, and differs only in what a page costs.
"""

import os
import signal
import socket
import sys
import threading
from pathlib import Path

from flask import Flask

from movements.app.cli.server import bind, serve
from movements.app.cli.workers import Workers
from movements.app.factory import create_app
from movements.app.web.logs import configure_logging

LOOPBACK = "127.0.0.1"


def hello_app() -> Flask:
    """The least a Flask app can do: the baseline the real app is compared with."""
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "hello")
    return hello


class HelloWorkers(Workers):
    """The workers of `movements serve`, each running the bare Flask app instead of the real one."""

    def _command(self, ready_fd: int) -> list[str]:
        public_fd = self._sockets[0].fileno()
        return [sys.executable, "-m", "bench.serve", "hello-worker", str(public_fd), str(ready_fd)]


def serve_hello(port: int, processes: int) -> None:
    """Serve the bare app on `port` in this process, or in `processes` workers until SIGTERM."""
    public = bind(((LOOPBACK, port), None))
    if processes == 1:
        serve(hello_app(), public)
        return
    # as app/cli/workers.py's serve_with_workers runs them, less the start-up text
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    workers = HelloWorkers(processes, Path(), public)  # the bare app has no instance folder
    try:
        workers.start()
        workers.watch(stopping)
    finally:
        public.close()
        workers.stop()


def hello_worker(public_fd: int, ready_fd: int) -> None:
    """One worker of `serve_hello`: serves the inherited socket, says so on `ready_fd`."""

    def ready() -> None:
        os.write(ready_fd, b"1")
        os.close(ready_fd)

    serve(hello_app(), socket.socket(fileno=public_fd), on_ready=ready)


def main() -> None:
    # as `movements serve` and its workers log: errors only (waitress warns of every task it
    # queues, a line a page under load, which production never writes)
    configure_logging()
    kind, *arguments = sys.argv[1:]
    if kind == "hello":
        processes = int(arguments[1]) if arguments[0] == "--processes" else 1
        serve_hello(int(arguments[-1]), processes)
    elif kind == "hello-worker":
        hello_worker(*map(int, arguments))
    else:
        instance, port = arguments
        serve(create_app(instance_path=Path(instance)), ((LOOPBACK, int(port)), None))


if __name__ == "__main__":
    main()
