"""One worker process of `movements serve --workers N`, started by app/cli/workers.py.

It builds its own app from the instance folder and serves the listening sockets it inherited
(their file descriptors are on the command line) until SIGTERM, then drains. Not an operator
command: `movements serve` runs it.
"""

import argparse
import contextlib
import os
import socket
import sys
from pathlib import Path

from movements.app.cli.server import serve
from movements.app.factory import create_app
from movements.app.web.logs import configure_logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="movements-worker", description=__doc__)
    parser.add_argument("--instance", required=True, type=Path)
    parser.add_argument("--public-fd", required=True, type=int)
    parser.add_argument("--staff-fd", type=int)
    parser.add_argument("--ready-fd", type=int, help="written to once the app is built")
    args = parser.parse_args(argv)
    configure_logging()
    os.umask(0o077)
    app = create_app(instance_path=args.instance)
    public = socket.socket(fileno=args.public_fd)
    staff = socket.socket(fileno=args.staff_fd) if args.staff_fd is not None else None
    serve(app, public, staff, on_ready=lambda: _tell_ready(args.ready_fd))
    return 0


def _tell_ready(fd: int | None) -> None:
    """One byte to `movements serve`, which counts a worker that dies before this as unstartable."""
    if fd is not None:
        with contextlib.suppress(BrokenPipeError):  # the server is stopping: no one listens
            os.write(fd, b"1")
        os.close(fd)


if __name__ == "__main__":
    sys.exit(main())
