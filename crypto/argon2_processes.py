"""argon2id in a few helper processes at the lowest CPU priority, rather than in the server's.

A serving process hashed passwords on its own threads, lowered to nice 10: argon2's threads
(four a hash) and its 64 MiB ran inside the server, and a lowered thread that held the
interpreter's lock while preempted could keep the page threads waiting. Now `running(count)`
starts `count` helpers (crypto/argon2_helper.py, fresh interpreters: no fork of a threaded
process) and every argon2id run of this process goes to one of them while it runs. The asking
thread waits on a pipe, without the lock; the helper runs at nice 19, so the server's threads,
never lowered, take the processor first. Memory stays bounded: a helper hashes one secret at a
time, so `count` helpers hold at most `count` × 64 MiB.

Helpers end with the server: `running` closes their input when it ends and waits for them, and
if the server dies, its end of each pipe closes with it and the helper sees its input end. A
helper that dies on its own is replaced, and the hash it was doing is asked of the new one.
"""

import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from argon2.exceptions import HashingError

from . import argon2_helper
from .argon2_helper import ANSWER, HASHED, REQUEST

HELPER = Path(argon2_helper.__file__)
ATTEMPTS = 2  # a helper lost mid-hash: the same hash once more, on a new one
STOP_SECONDS = 5.0  # a helper's input closed: it ends within a hash; after this it is killed
# the most a thread waits for an idle helper: only once they are stopped can none come back
IDLE_WAIT_SECONDS = 60.0


class HelperLost(Exception):
    """A helper ended before it answered."""


class _Helper:
    def __init__(self) -> None:
        # -I: nothing read from the environment or the user's site packages; -B: no .pyc written
        self.process = subprocess.Popen(  # noqa: S603 -- this interpreter, our own file
            [sys.executable, "-I", "-B", str(HELPER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
        )

    def hash(self, request: bytes) -> bytes:
        try:
            argon2_helper.write_all(self.process.stdin.fileno(), request)
            fd = self.process.stdout.fileno()
            head = argon2_helper.read_exactly(fd, ANSWER.size)
            status, length = ANSWER.unpack(head) if head else (None, 0)
            body = argon2_helper.read_exactly(fd, length) if head else None
        except (BrokenPipeError, ValueError, OSError):
            raise HelperLost from None
        if body is None:
            raise HelperLost
        if status != HASHED:
            raise HashingError(body.decode("utf-8", "replace"))
        return body

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


class Helpers:
    """`count` helpers; a thread takes an idle one for each hash, waiting if none is idle."""

    def __init__(self, count: int) -> None:
        self._idle: queue.SimpleQueue[_Helper] = queue.SimpleQueue()
        self._all: list[_Helper] = []
        self._lock = threading.Lock()
        self._stopped = False
        self._count = count
        for _ in range(count):
            self._add()  # a helper that cannot start at start-up stops the start-up

    def _add(self) -> None:
        with self._lock:
            if self._stopped:
                return
            helper = _Helper()
            self._all.append(helper)
        self._idle.put(helper)

    def pids(self) -> list[int]:
        with self._lock:
            return [helper.process.pid for helper in self._all]

    def hash(self, request: bytes) -> bytes:
        for _attempt in range(ATTEMPTS):
            helper = self._take()
            lost = False
            try:
                return helper.hash(request)
            except HelperLost:
                lost = True
            finally:
                if lost:
                    self._replace(helper)
                else:
                    self._idle.put(helper)
        raise HelperLost

    def _refill(self) -> None:
        """Start helpers until there are `count` again; one the system will not start now (no
        memory, too many processes) is tried again at the next hash."""
        while True:
            with self._lock:
                if self._stopped or len(self._all) >= self._count:
                    return
            try:
                self._add()
            except OSError:
                return

    def _take(self) -> _Helper:
        """An idle helper still alive: one found dead (killed while idle) is replaced first."""
        self._refill()
        if not self._all:
            raise HelperLost
        for _found in range(len(self._all) + 1):
            try:
                helper = self._idle.get(timeout=IDLE_WAIT_SECONDS)
            except queue.Empty:
                raise HelperLost from None
            if helper.process.poll() is None:
                return helper
            self._replace(helper)
        raise HelperLost

    def _replace(self, helper: _Helper) -> None:
        with self._lock:
            if helper in self._all:
                self._all.remove(helper)
        helper.process.kill()
        helper.stop()
        self._refill()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            helpers, self._all = self._all, []
        for helper in helpers:
            helper.stop()


_helpers: Helpers | None = None


@contextmanager
def running(count: int) -> Iterator[Helpers]:
    """Every argon2id run of this process in one of `count` helpers until the block ends."""
    global _helpers
    if _helpers is not None:
        raise RuntimeError("argon2 helpers are already running in this process")
    helpers = Helpers(count)
    _helpers = helpers
    try:
        yield helpers
    finally:
        _helpers = None
        helpers.stop()


def argon2id_in_helper(
    secret: bytes, salt: bytes, passes: int, kib: int, lanes: int
) -> bytes | None:
    """The 32-byte argon2id hash from a helper, or None when no helpers run in this process."""
    helpers = _helpers
    if helpers is None:
        return None
    request = REQUEST.pack(passes, kib, lanes, len(secret), len(salt)) + secret + salt
    return helpers.hash(request)
