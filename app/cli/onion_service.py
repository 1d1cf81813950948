"""Where the instance keeps its onion keys, and the supervisor `movements serve` runs.

The public service key and the staff onion's key and authorized clients live in the instance
folder, so the addresses survive restarts and move with a backup. The running server's
supervisor writes what it sees (running, or restarting since when, and the last error) to a
small file there, which `movements onion status`, another process, reads.
"""

import json
import os
from collections.abc import Callable
from pathlib import Path

from movements.onion import (
    AttachedOnion,
    Backoff,
    EmbeddedOnion,
    OnionError,
    OnionService,
    OnionStatus,
    read_authorized_clients,
)
from movements.onion.files import read_private_file, write_private_file

ONION_DIR = "onion"
TOR_DATA_DIR = "tor"
SUPERVISOR_FILE = "supervisor.json"


def public_key_path(instance: Path) -> Path:
    return instance / ONION_DIR / "service_key"


def staff_key_path(instance: Path) -> Path:
    return instance / ONION_DIR / "staff_key"


def staff_clients_dir(instance: Path) -> Path:
    return instance / ONION_DIR / "staff_clients"


def staff_onion_wanted(instance: Path) -> bool:
    """The staff onion runs once at least one staff member holds a client key."""
    directory = staff_clients_dir(instance)
    return directory.is_dir() and bool(read_authorized_clients(directory))


def staff_service(instance: Path, target: str | int) -> OnionService:
    return OnionService(
        staff_key_path(instance),
        target,
        authorized_clients_dir=staff_clients_dir(instance),
        name="staff",
    )


def supervisor(
    instance: Path,
    target: str | int,
    *,
    staff_target: str | int | None = None,
    tor_control: str | None = None,
    tor_password: str | None = None,
    retry_max_seconds: float = 60.0,
    on_change: Callable[[OnionStatus], None] | None = None,
):
    """An embedded tor in the instance folder, or an attachment to a running tor.

    Each change of state is written for `movements onion status` and told to `on_change`.
    """
    staff = staff_service(instance, staff_target) if staff_target is not None else None

    def changed(status: OnionStatus) -> None:
        if on_change is not None:
            on_change(status)
        write_supervisor_view(instance, status)

    watching = {
        "staff": staff,
        "backoff": Backoff(max_delay=retry_max_seconds),
        "on_change": changed,
    }
    if tor_control:
        return AttachedOnion(
            tor_control, public_key_path(instance), target, password=tor_password, **watching
        )
    return EmbeddedOnion(instance / TOR_DATA_DIR, public_key_path(instance), target, **watching)


def write_supervisor_view(instance: Path, status: OnionStatus) -> None:
    """Replace the supervisor file in one step (0600), naming this server's process."""
    view = {
        "server_pid": os.getpid(),
        "state": status.state,
        "restarting_since": int(status.restarting_since) if status.restarting_since else None,
        "attempts": status.attempts,
        "restarts": status.restarts,
        "last_error": (status.last_error or "")[:300] or None,
    }
    path = instance / ONION_DIR / SUPERVISOR_FILE
    write_private_file(path, json.dumps(view).encode(), overwrite=True)


def read_supervisor_view(instance: Path) -> dict | None:
    """What a running server's supervisor last wrote; None when no server runs one."""
    try:
        view = json.loads(read_private_file(instance / ONION_DIR / SUPERVISOR_FILE))
    except (OnionError, ValueError):
        return None
    if view.get("state") == "stopped" or not _running(view.get("server_pid")):
        return None  # a server that stopped, or died without a word
    return view


def _running(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user
        return True
    return True
