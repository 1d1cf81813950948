"""Two pools of waitress worker threads: one for pages, one for the forms that hash a password.

A sign-in costs an argon2 hash, a quarter of a second of a core and 64 MiB; a page costs a
few milliseconds. With one pool, a flood of sign-ins filled its queue and every visitor waited
behind the flood. Here the password forms have a small pool of their own: a flood lengthens
that pool's queue and keeps its few threads busy, and leaves the page threads to everyone else.
Its threads keep normal priority: the slow part of a sign-in, the hash, runs in a helper
process at nice 19 (crypto/argon2_processes.py). Sign-ins beyond what the argon2 pool takes
are still answered 503 with Retry-After (app/keys/argon2_pool.py).
"""

import sys
import time

from flask import Flask
from waitress.task import ThreadedTaskDispatcher

from movements.app.keys.argon2_pool import PASSWORD_CHECKS_AT_ONCE

# the forms whose POST hashes or checks a password
PASSWORD_ENDPOINTS = frozenset(
    {
        "accounts.login",
        "accounts.signup",
        "accounts.recover",
        "accounts.change_password",
        "accounts.delete",
    }
)
# one more thread than there are password checks at once, so a refusal never waits for one
PASSWORD_THREADS = PASSWORD_CHECKS_AT_ONCE + 1
# A password thread serves at most one request in this time, so refusing a flood, however
# fast its loops send, takes a bounded share of the interpreter from the page threads. During
# a flood the checks let in hold all but one of the lane's threads, so this paces refusals.
# Measured with bench/flood.py's 50 loops: at 0.01 s, 90 refusals a second, each answered in
# 0.6 s, and pages' p99 3.0× its value at rest; at 0.02 s, 63 a second in 1 s, and 2.2×.
PASSWORD_PACE_SECONDS = 0.02
# How long a thread may keep the interpreter's lock while another waits for it. While more
# password forms wait than the lane has threads (a flood), a page thread waiting behind the
# event loop or a refusal gets its turn after 1 ms: pages' p99 under bench/flood.py fell from
# ~100 to ~60 ms. Otherwise Python's default (5 ms): at rest the shorter turn cost up to a
# fifth of the pages per second (bench/throughput.py), so it is kept for floods alone.
FLOOD_SWITCH_SECONDS = 0.001
CALM_SWITCH_SECONDS = sys.getswitchinterval()


def password_paths(app: Flask) -> frozenset[str]:
    return frozenset(
        rule.rule for rule in app.url_map.iter_rules() if rule.endpoint in PASSWORD_ENDPOINTS
    )


class _PasswordPool(ThreadedTaskDispatcher):
    """waitress's threads, quiet about their queue, which set the interpreter's turns shorter
    while a flood fills it."""

    def add_task(self, task):
        # waitress's own, less its warning for every queued task: under a flood this queue is
        # long by design, and one log line per sign-in would cost more than refusing it
        with self.lock:
            self.queue.append(task)
            self.queue_cv.notify()
            if len(self.queue) > PASSWORD_THREADS:
                sys.setswitchinterval(FLOOD_SWITCH_SECONDS)

    def served(self) -> None:
        """A password form answered: once none waits, the interpreter's turns are as usual."""
        with self.lock:
            if not self.queue:
                sys.setswitchinterval(CALM_SWITCH_SECONDS)


class _Paced:
    """A password-form request whose thread rests, after answering it, for what is left of
    PASSWORD_PACE_SECONDS."""

    def __init__(self, channel, pool: _PasswordPool):
        self.channel = channel
        self.pool = pool

    def service(self) -> None:
        started = time.monotonic()
        try:
            self.channel.service()
        finally:
            self.pool.served()
            time.sleep(max(0.0, PASSWORD_PACE_SECONDS - (time.monotonic() - started)))

    def cancel(self) -> None:
        self.channel.cancel()


class Lanes:
    """waitress's task dispatcher, as two pools: it hands each connection with a request
    ready to the pool for that request."""

    def __init__(self, page_threads: int, password_paths: frozenset[str]):
        self.pages = ThreadedTaskDispatcher()
        self.pages.set_thread_count(page_threads)
        self.passwords = _PasswordPool()
        self.passwords.set_thread_count(PASSWORD_THREADS)
        self.password_paths = password_paths

    def add_task(self, channel) -> None:
        # waitress queues a connection when its next request is complete: requests[0]
        request = channel.requests[0]
        password_form = (
            getattr(request, "command", None) == "POST"
            and getattr(request, "path", None) in self.password_paths
        )
        if password_form:
            self.passwords.add_task(_Paced(channel, self.passwords))
        else:
            self.pages.add_task(channel)

    def shutdown(self, cancel_pending: bool = True, timeout: float = 5) -> bool:
        pages = self.pages.shutdown(cancel_pending, timeout)
        passwords = self.passwords.shutdown(cancel_pending, timeout)
        return pages and passwords
