"""Argon2 runs in a pool as wide as the cores, so memory stays bounded (64 MiB a hash).

While `movements serve` serves, each slot's hash runs in one of as many helper processes at
the lowest CPU priority (crypto/argon2_processes.py, started in app/cli/server.py).

A visitor who finds every slot taken is told to come back in a moment (503 with Retry-After)
rather than a page waiting without end.
"""

import os
import threading
from contextlib import contextmanager

from movements.crypto.argon2_processes import HelperLost

ARGON2_WAIT_SECONDS = 2.0
# hashes running at once in this process; `movements serve` prints workers × slots × 64 MiB
ARGON2_SLOTS = os.cpu_count() or 1
# password checks let in at once: one per argon2 slot running, one more waiting for a slot
PASSWORD_CHECKS_AT_ONCE = 2 * ARGON2_SLOTS


class Busy(Exception):
    """Every argon2 slot, or every place for a password check, is taken; try again soon."""


_argon2_slots = threading.BoundedSemaphore(ARGON2_SLOTS)


@contextmanager
def argon2_slot():
    """Hold one of the argon2 slots; each hash takes 64 MiB, so memory stays bounded too.

    A hash whose helper process ended twice, or that no helper could be started for, is
    answered as a busy moment (503 with Retry-After), not as an error.
    """
    if not _argon2_slots.acquire(timeout=ARGON2_WAIT_SECONDS):
        raise Busy
    try:
        yield
    except HelperLost:
        raise Busy from None
    finally:
        _argon2_slots.release()


class _Places:
    """A count of places taken, which can also be read without taking one."""

    def __init__(self, size: int):
        self._size = size
        self._taken = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self._taken >= self._size:
                return False
            self._taken += 1
            return True

    def give_back(self) -> None:
        with self._lock:
            self._taken -= 1

    def all_taken(self) -> bool:
        return self._taken >= self._size


_password_checks = _Places(PASSWORD_CHECKS_AT_ONCE)


@contextmanager
def password_check_place():
    """One of the few places for a password check, or Busy at once when none is free.

    A flood of sign-ins must not hold the server's worker threads: without this, each waited
    up to ARGON2_WAIT_SECONDS for an argon2 slot, and every other visitor waited behind them.
    So a bounded number are let in (each then runs or briefly waits for a slot) and the rest
    are answered 503 with Retry-After straight away.
    """
    if not _password_checks.take():
        raise Busy
    try:
        yield
    finally:
        _password_checks.give_back()


def every_password_check_place_is_taken() -> bool:
    """True while a password form sent now would be refused: it can be turned away before any
    work is done for it (app/accounts/views.py)."""
    return _password_checks.all_taken()
