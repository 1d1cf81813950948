"""Several worker processes serving the same listening sockets, so every core does work.

The serving process binds the sockets (app/cli/server.py `bind`) and starts each worker as a
fresh interpreter (`python -m movements.app.cli.worker`) that inherits them; the kernel hands
each new connection to one worker. Fresh interpreters rather than fork(): the serving process
runs tor's supervisor threads, and forking a threaded process can leave a child holding a lock
no thread will release; a new interpreter shares nothing but the sockets and the environment.

A worker that dies is replaced, unless it died before it served or soon after (it cannot start:
a broken instance folder), in which case the server stops rather than restart it in a loop. On stop
each worker gets SIGTERM and drains (server.DRAIN_SECONDS); one still running after that is
killed.
"""

import logging
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from movements.app.cli.server import DRAIN_SECONDS

log = logging.getLogger(__name__)

WORKER_MODULE = "movements.app.cli.worker"
WATCH_SECONDS = 0.5
EARLY_DEATH_SECONDS = 5.0  # dying sooner after it began to serve counts as not starting
KILL_AFTER_SECONDS = DRAIN_SECONDS + 3.0
READY_SECONDS = 120.0  # a worker builds its app (and may upgrade nothing: the server did)


class WorkersFailed(Exception):
    """A worker could not start; the message says which and how it ended."""


@dataclass
class _Worker:
    process: subprocess.Popen
    ready_pipe: BinaryIO | None  # gives one byte once the worker serves, then is closed
    ready_at: float | None = None

    def check_ready(self, timeout: float = 0.0) -> bool:
        """Whether it serves, waiting up to `timeout` seconds to hear so."""
        if self.ready_pipe is not None:
            readable, _, _ = select.select([self.ready_pipe], [], [], max(0.0, timeout))
            if readable:
                if self.ready_pipe.read(1) == b"1":
                    self.ready_at = time.monotonic()
                self.close()
        return self.ready_at is not None

    def close(self) -> None:
        if self.ready_pipe is not None:
            self.ready_pipe.close()
            self.ready_pipe = None


class Workers:
    """`count` worker processes on inherited sockets; `environment` is added to each one's."""

    def __init__(
        self,
        count: int,
        instance: Path,
        public: socket.socket,
        staff: socket.socket | None = None,
        environment: dict[str, str] | None = None,
    ) -> None:
        self.count = count
        self._instance = instance
        self._sockets = [public] if staff is None else [public, staff]
        self._environment = {**os.environ, **(environment or {})}
        self._workers: list[_Worker] = []

    def _command(self, ready_fd: int) -> list[str]:
        command = [sys.executable, "-m", WORKER_MODULE, "--instance", str(self._instance)]
        command += ["--public-fd", str(self._sockets[0].fileno()), "--ready-fd", str(ready_fd)]
        if len(self._sockets) > 1:
            command += ["--staff-fd", str(self._sockets[1].fileno())]
        return command

    def _spawn(self) -> _Worker:
        ready_read, ready_write = os.pipe()
        try:
            process = subprocess.Popen(  # noqa: S603 -- this interpreter, our own module
                self._command(ready_write),
                pass_fds=[*(sock.fileno() for sock in self._sockets), ready_write],
                env=self._environment,
            )
        finally:
            os.close(ready_write)
        return _Worker(process, os.fdopen(ready_read, "rb"))

    def start(self) -> None:
        """Start every worker and return once each is serving; WorkersFailed if one cannot."""
        self._workers = [self._spawn() for _ in range(self.count)]
        deadline = time.monotonic() + READY_SECONDS
        for worker in self._workers:
            if not worker.check_ready(deadline - time.monotonic()):
                raise WorkersFailed(f"a worker did not start (status {worker.process.poll()})")

    def watch(self, stopping: threading.Event) -> None:
        """Replace workers that die until `stopping` is set; WorkersFailed if one cannot start.

        A worker that dies before it served, or soon after, is taken as one that cannot start
        (a broken instance folder): replacing it would only repeat that, so the server stops.
        """
        while not stopping.wait(WATCH_SECONDS):
            for index, worker in enumerate(self._workers):
                ready = worker.check_ready()
                code = worker.process.poll()
                if code is None or stopping.is_set():
                    continue
                worker.close()
                if not ready or time.monotonic() - worker.ready_at < EARLY_DEATH_SECONDS:
                    raise WorkersFailed(f"a worker exited with status {code} as it started")
                log.error("a worker exited with status %s; starting another", code)
                self._workers[index] = self._spawn()

    def stop(self) -> None:
        """SIGTERM every worker, wait while they drain, kill what is left."""
        for worker in self._workers:
            worker.close()
            if worker.process.poll() is None:
                worker.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + KILL_AFTER_SECONDS
        for worker in self._workers:
            try:
                worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("a worker did not stop within %.0f s; killing it", KILL_AFTER_SECONDS)
                worker.process.kill()
                worker.process.wait()


def serve_with_workers(
    count: int,
    instance: Path,
    public: socket.socket,
    staff: socket.socket | None,
    environment: dict[str, str],
    on_ready: Callable[[], None],
) -> int:
    """Run `count` workers until SIGTERM or Ctrl-C; 1 if one could not start.

    `on_ready` runs once every worker serves. On stop this process closes its copies of the
    sockets first, so that once the workers have closed theirs new visitors are refused.
    """
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stopping.set())
    workers = Workers(count, instance, public, staff, environment)
    try:
        workers.start()
        on_ready()
        workers.watch(stopping)
    except WorkersFailed as error:
        print(f"movements serve: {error}; stopping", file=sys.stderr, flush=True)
        return 1
    finally:
        for sock in (public, staff):
            if sock is not None:
                sock.close()
        workers.stop()
    return 0
