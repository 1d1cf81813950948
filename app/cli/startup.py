"""What `movements serve` tells the operator once it is ready, and later as the onion changes.

The onion address alone is not the news: tor may still be connecting (on a censored link it can
stay at a few per cent for minutes), and an address printed as if it were live sends the
operator to a page that cannot load. So the start-up text gives the onion's true state, and a
watcher prints one line each time that state changes: connected, published, refused by the
directories, tor lost and being restarted. Every line goes to standard output, flushed, for a
terminal or systemd's journal; nothing about visitors is ever in it.
"""

import threading
from pathlib import Path

from movements.app.keys import argon2_pool
from movements.crypto import current_kdf_parameters
from movements.onion import OnionStatus

WATCH_SECONDS = 1.0


def _mib_per_hash() -> int:
    return current_kdf_parameters().memory_cost // 1024


def argon2_memory_mib(workers: int) -> int:
    """The most memory password hashing can take at once: workers × slots × one hash."""
    return workers * argon2_pool.ARGON2_SLOTS * _mib_per_hash()


def workers_line(workers: int) -> str:
    per_hash = _mib_per_hash()
    return (
        f"workers: {workers}; password hashing takes at most {workers} × "
        f"{argon2_pool.ARGON2_SLOTS} × {per_hash} MiB = {argon2_memory_mib(workers)} MiB"
    )


def onion_state(status: OnionStatus) -> tuple[str, str]:
    """(kind, words) for the public onion: the kind changes only when the news does."""
    public = status.services[0] if status.services else None
    if status.state == "restarting":
        return "restarting", "tor stopped answering: restarting it; unreachable meanwhile"
    if public is not None and public.descriptor_uploaded:
        return "published", "published: reachable through Tor"
    if public is not None and public.upload_error:
        return "refused", (
            f"not published: the directories refused it ({public.upload_error}); tor keeps trying"
        )
    bootstrap = status.bootstrap
    if bootstrap is None or not bootstrap.done:
        progress = bootstrap.progress if bootstrap else 0
        return "connecting", f"connecting to Tor… {progress}%; not reachable yet"
    return "publishing", "connected to Tor; publishing the address…"


def ready_text(
    *,
    local: str,
    workers: int,
    instance: Path,
    onion: str | None,
    status: OnionStatus | None,
    staff_onion: str | None = None,
) -> str:
    """The block printed once the server is ready."""
    lines = [f"serving on {local}"]
    if onion is not None:
        state = onion_state(status)[1] if status is not None else "publishing…"
        lines.append(f"onion: {onion} ({state})")
    if staff_onion is not None:
        lines.append(f"staff onion: {staff_onion} (client authorization)")
    lines += [
        workers_line(workers),
        f"first staff account: movements staff add NAME --instance {instance}",
        "stop: Ctrl-C, or SIGTERM (requests in progress are answered first)",
    ]
    return "\n".join(lines)


class OnionAnnouncer:
    """Prints one line each time the onion's state changes, from `start` until `stop`.

    It hears of each state change from the supervisor (`heard`, its `on_change`: a tor lost
    and back within a second is still told) and polls for what is not an event of the
    supervisor's (bootstrap done, descriptor uploaded or refused).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kind: str | None = None
        self._url: str | None = None
        self._supervisor = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="onion-announcer", daemon=True)

    def heard(self, status: OnionStatus) -> None:
        kind, words = onion_state(status)
        with self._lock:
            if kind == self._kind:
                return
            self._kind = kind
            if self._url is not None:  # silent until the start-up text is out
                print(f"onion: {self._url} {words}", flush=True)

    def start(self, supervisor, url: str) -> None:
        with self._lock:
            self._supervisor, self._url = supervisor, url
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def _watch(self) -> None:
        while not self._stopping.wait(WATCH_SECONDS):
            self.heard(self._supervisor.status())
