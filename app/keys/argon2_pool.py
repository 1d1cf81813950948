"""Argon2 runs in a pool as wide as the cores, so memory stays bounded (64 MiB a hash).

A visitor who finds every slot taken is told to come back in a moment (503 with Retry-After)
rather than a page waiting without end.
"""

import os
import threading
from contextlib import contextmanager

ARGON2_WAIT_SECONDS = 2.0


class Busy(Exception):
    """Every argon2 slot is taken; the visitor should try again in a moment."""


_argon2_slots = threading.BoundedSemaphore(os.cpu_count() or 1)


@contextmanager
def argon2_slot():
    """Hold one of the argon2 slots; each hash takes 64 MiB, so memory stays bounded too."""
    if not _argon2_slots.acquire(timeout=ARGON2_WAIT_SECONDS):
        raise Busy
    try:
        yield
    finally:
        _argon2_slots.release()
