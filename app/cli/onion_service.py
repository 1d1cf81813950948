"""Where the instance keeps its onion keys, and the supervisor `movements serve` runs.

The public service key and the staff onion's key and authorized clients live in the instance
folder, so the addresses survive restarts and move with a backup.
"""

from pathlib import Path

from movements.onion import AttachedOnion, EmbeddedOnion, OnionService, read_authorized_clients

ONION_DIR = "onion"
TOR_DATA_DIR = "tor"


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
):
    """An embedded tor in the instance folder, or an attachment to a running tor."""
    staff = staff_service(instance, staff_target) if staff_target is not None else None
    if tor_control:
        return AttachedOnion(
            tor_control, public_key_path(instance), target, password=tor_password, staff=staff
        )
    return EmbeddedOnion(instance / TOR_DATA_DIR, public_key_path(instance), target, staff=staff)
