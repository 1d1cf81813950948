"""`movements onion ...`: status, the address, the system torrc, key moves and staff keys."""

import sys
import time
from pathlib import Path

from movements.app.cli import onion_service
from movements.app.cli.main import Commands, instance_of
from movements.onion import (
    ClientAuthKeyPair,
    OnionError,
    add_authorized_client,
    load_key,
    load_or_create_key,
    probe_status,
    read_authorized_clients,
    read_hidden_service_key,
    remove_authorized_client,
    render_torrc,
    save_key,
    tor_version,
    write_hidden_service_dir,
)
from movements.onion.balance import OB_CONFIG_FILE, write_frontend
from movements.onion.client_auth import parse_authorized_client

SYSTEM_HIDDEN_SERVICE_DIR = Path("/var/lib/tor/movements")
SYSTEM_STAFF_DIR = Path("/var/lib/tor/movements-staff")
SYSTEM_SOCKET = "/run/movements/app.sock"
SYSTEM_STAFF_SOCKET = "/run/movements/staff/staff.sock"  # a folder only tor may enter


def _fail(message: str) -> int:
    print(f"movements onion: {message}", file=sys.stderr)
    return 1


def cmd_address(args) -> int:
    """The address from a system tor's HiddenServiceDir, or else from the instance's key."""
    if args.hidden_service_dir:
        hostname = Path(args.hidden_service_dir) / "hostname"
        try:
            print(hostname.read_text().strip())
        except OSError as error:
            return _fail(f"cannot read {hostname}: {error.strerror}")
        return 0
    key_path = onion_service.public_key_path(instance_of(args))
    try:
        print(f"{load_key(key_path).address}.onion")
    except OnionError as error:
        return _fail(str(error))
    return 0


def _print_supervisor(instance: Path) -> None:
    """What the running server's supervisor sees: the only view of a tor it is restarting."""
    view = onion_service.read_supervisor_view(instance)
    if view is None:
        print("supervisor: none (no server with an onion is running on this instance)")
        return
    if view["state"] == "restarting" and view["restarting_since"]:
        since = time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime(view["restarting_since"]))
        print(f"supervisor: restarting since {since} ({view['attempts']} failed attempts)")
    else:
        print(f"supervisor: {view['state']}")
    print(f"restarts: {view['restarts']}")
    if view["last_error"]:
        print(f"last error: {view['last_error']}")


def cmd_status(args) -> int:
    instance = instance_of(args)
    control = args.tor_control or str(instance / onion_service.TOR_DATA_DIR / "control")
    try:
        address = load_key(onion_service.public_key_path(instance)).address
    except OnionError as error:
        return _fail(f"no onion key in this instance yet ({error})")
    try:
        version = tor_version()
    except OnionError:
        version = "not installed (apt-get install tor)"
    print(f"tor version: {version}")
    print(f"address: http://{address}.onion/")
    _print_supervisor(instance)
    try:
        status = probe_status(control, [address])
    except OnionError as error:
        print(f"tor: not reachable at {control} ({error})")
        print("published: no")
        return 1
    bootstrap = status.bootstrap
    print(f"bootstrap: {f'{bootstrap.progress}% {bootstrap.summary}' if bootstrap else 'unknown'}")
    print(f"published: {'yes' if status.published else 'no'}")
    return 0 if status.published else 1


def cmd_torrc(args) -> int:
    instance = instance_of(args)
    staff = onion_service.staff_onion_wanted(instance)
    print(
        render_torrc(
            Path(args.hidden_service_dir),
            args.socket or [SYSTEM_SOCKET],
            staff_dir=Path(args.staff_dir) if staff else None,
            staff_socket_path=args.staff_socket,
            onionbalance_instance=args.onionbalance_instance,
        ),
        end="",
    )
    return 0


def cmd_balance(args) -> int:
    """Write an Onionbalance frontend's folder; the instance's onion becomes the master address.

    The address people already know stays theirs: the instance's key is the master key, and
    each backend serves under a new key of its own.
    """
    instance = instance_of(args)
    master = load_or_create_key(onion_service.public_key_path(instance))
    try:
        config = write_frontend(Path(args.path), master, args.backends, overwrite=args.force)
    except (OnionError, FileExistsError) as error:
        return _fail(f"{error} (use --force to replace the folder's master key)")
    print(f"master address: http://{master.address}.onion/")
    print(f"frontend configuration: {config}")
    print(f"on each backend, before its tor starts, copy {Path(args.path) / OB_CONFIG_FILE} into")
    print("its HiddenServiceDir and add --onionbalance-instance to `movements onion torrc`;")
    print("set MOVEMENTS_ONION_ADDRESS to the master address there. On the frontend, with a tor")
    print("that has bootstrapped: onionbalance -c " + str(config))
    print("Stop serving the master key anywhere else: it now lives in the frontend folder only.")
    return 0


def cmd_import_key(args) -> int:
    """Take the key of a tor HiddenServiceDir, so the embedded tor serves the same address."""
    destination = onion_service.public_key_path(instance_of(args))
    try:
        key = read_hidden_service_key(Path(args.path))
        save_key(key, destination, overwrite=args.force)
    except (OnionError, FileExistsError) as error:
        return _fail(f"{error} (use --force to replace the instance's key)")
    print(f"imported: {key.address}.onion")
    return 0


def cmd_export_key(args) -> int:
    """Write the instance's key as a tor HiddenServiceDir, for the system tor.

    With --staff, the staff onion's key and its authorized clients are exported instead.
    """
    instance = instance_of(args)
    key_path = (onion_service.staff_key_path if args.staff else onion_service.public_key_path)(
        instance
    )
    try:
        key = load_key(key_path)
        directory = Path(args.path)
        write_hidden_service_dir(key, directory, overwrite=args.force)
        if args.staff:
            clients = read_authorized_clients(onion_service.staff_clients_dir(instance))
            for name in clients:
                source = onion_service.staff_clients_dir(instance) / f"{name}.auth"
                add_authorized_client(
                    directory / "authorized_clients",
                    name,
                    parse_authorized_client(source.read_text()),
                )
    except (OnionError, FileExistsError) as error:
        return _fail(str(error))
    print(f"exported {key.address}.onion to {args.path}")
    return 0


def cmd_staff_auth_add(args) -> int:
    """A new client key for one staff member; only the public half is kept."""
    instance = instance_of(args)
    staff_address = load_or_create_key(onion_service.staff_key_path(instance)).address
    pair = ClientAuthKeyPair.generate()
    try:
        add_authorized_client(onion_service.staff_clients_dir(instance), args.name, pair.public_key)
    except (OnionError, FileExistsError) as error:
        return _fail(str(error))
    print("Give this line to the staff member, once, over a safe channel. Tor Browser asks for it")
    print("on the first visit to the staff onion; it is not stored here and cannot be shown again:")
    print(pair.credential(staff_address))
    print("Restart `movements serve` (or the system tor) for the change to take effect.")
    return 0


def cmd_staff_auth_remove(args) -> int:
    if not remove_authorized_client(onion_service.staff_clients_dir(instance_of(args)), args.name):
        return _fail(f"no staff client named {args.name}")
    print(f"revoked {args.name}; restart `movements serve` (or the system tor) to apply it")
    return 0


def add_commands(commands: Commands) -> None:
    group = commands.group("onion", "the onion service: status, address, torrc, keys")
    status = commands.add(
        "status", cmd_status, "tor version, address, the server's supervisor, published", group
    )
    status.add_argument("--tor-control", help="the tor to ask: PATH or HOST:PORT")
    address = commands.add("address", cmd_address, "print the onion address", group)
    address.add_argument("--hidden-service-dir", default="", help="a system tor's service dir")
    torrc = commands.add("torrc", cmd_torrc, "print a hardened torrc for the system tor", group)
    torrc.add_argument("--hidden-service-dir", default=str(SYSTEM_HIDDEN_SERVICE_DIR))
    torrc.add_argument(
        "--socket",
        action="append",
        help=f"the app's socket (default {SYSTEM_SOCKET}); repeat it for several instances",
    )
    torrc.add_argument(
        "--onionbalance-instance",
        action="store_true",
        help="make this tor a backend of an Onionbalance frontend (see `onion balance`)",
    )
    balance = commands.add(
        "balance",
        cmd_balance,
        "write an Onionbalance frontend's folder over several backends' onions",
        group,
    )
    balance.add_argument("path", help="the frontend's folder (master key, config.yaml)")
    balance.add_argument("backends", nargs="+", metavar="BACKEND.onion")
    balance.add_argument("--force", action="store_true", help="replace the folder's master key")
    torrc.add_argument("--staff-dir", default=str(SYSTEM_STAFF_DIR))
    torrc.add_argument("--staff-socket", default=SYSTEM_STAFF_SOCKET)
    import_key = commands.add(
        "import-key", cmd_import_key, "use a tor HiddenServiceDir's key", group
    )
    export_key = commands.add("export-key", cmd_export_key, "write a tor HiddenServiceDir", group)
    for sub in (import_key, export_key):
        sub.add_argument("path")
        sub.add_argument("--force", action="store_true", help="replace what is there")
    export_key.add_argument(
        "--staff", action="store_true", help="the staff onion's key and authorized clients"
    )
    staff = group.add_parser("staff-auth", help="client keys for the staff onion")
    staff_commands = staff.add_subparsers(dest="staff_auth_command", required=True)
    for name, handler, text in (
        ("add", cmd_staff_auth_add, "create a key pair; print the credential once"),
        ("remove", cmd_staff_auth_remove, "revoke a staff member's key"),
    ):
        sub = commands.add(name, handler, text, staff_commands)
        sub.add_argument("name")
