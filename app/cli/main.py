"""The `movements` command: one entry point for operators."""

import argparse
import importlib
import os
import sys
from pathlib import Path

from movements.app.core.config import UnsafeConfiguration, default_instance_path
from movements.app.core.outages import describe, outage_cause, probe_writes

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
EXIT_TEMPORARY_FAILURE = 75  # sysexits.h EX_TEMPFAIL: an outage; the same command works later
INSTANCE_HELP = "instance folder (default ./instance or $MOVEMENTS_INSTANCE)"

# Each module here defines add_commands(commands: Commands) for its own area.
COMMAND_MODULES: list[str] = [
    "movements.app.cli.onion",
    "movements.app.cli.operator",
    "movements.app.cli.staff",
    "movements.app.cli.audit",
    "movements.app.cli.maintenance",
]


def instance_of(args) -> Path:
    return Path(args.instance).resolve() if args.instance else default_instance_path()


def open_instance(args):
    """The app for an instance folder, for commands that work on its database and keys."""
    from movements.app.factory import create_app

    return create_app(instance_path=instance_of(args))


class Commands:
    """Adds subcommands that all take --instance; areas add theirs through `add_commands`."""

    def __init__(self, subparsers):
        self._subparsers = subparsers

    def add(self, name, handler, help_text, parent=None):
        target = parent if parent is not None else self._subparsers
        sub = target.add_parser(name, help=help_text)
        sub.add_argument("--instance", help=INSTANCE_HELP)
        sub.set_defaults(handler=handler)
        return sub

    def group(self, name, help_text):
        """A command with subcommands of its own, like `movements staff add`."""
        sub = self._subparsers.add_parser(name, help=help_text)
        return sub.add_subparsers(dest=f"{name}_command", required=True)


def cmd_serve(args) -> int:
    from movements.app.cli import onion_service
    from movements.app.cli.server import serve
    from movements.app.web.logs import configure_logging
    from movements.onion import OnionError, TorNotInstalled

    if args.host not in LOOPBACK_HOSTS and not args.unix_socket:
        print(f"refusing to listen on {args.host}: the app serves loopback only", file=sys.stderr)
        return 2
    configure_logging()
    os.umask(0o077)  # everything the server writes is for its own user only
    instance = instance_of(args)
    app = open_instance(args)
    probe_writes(instance)  # a full or read-only folder is refused now, not at the first visit
    public_target = f"unix:{args.unix_socket}" if args.unix_socket else args.port
    staff_port = args.staff_port or args.port + 1
    staff_target = None
    if onion_service.staff_onion_wanted(instance) and not args.no_onion:
        staff_target = f"unix:{args.staff_socket}" if args.staff_socket else staff_port
    tor = None
    if not args.no_onion and not (args.unix_socket and not args.tor_control):
        tor = onion_service.supervisor(
            instance,
            public_target,
            staff_target=staff_target,
            tor_control=args.tor_control,
            tor_password=_read_secret(args.tor_password_file),
            retry_max_seconds=app.config["TOR_RETRY_MAX_SECONDS"],
        )
        try:
            address = tor.start()
        except TorNotInstalled:
            print(
                "tor is not installed: serving on loopback only. "
                "Install it with: sudo apt-get install tor",
                flush=True,
            )
            tor, staff_target = None, None
        except OnionError as error:
            print(
                f"tor could not publish the onion ({error}): serving on loopback only", flush=True
            )
            tor, staff_target = None, None
        else:
            app.config["ONION_ADDRESS"] = f"{address}.onion"
            print(f"onion: http://{address}.onion/", flush=True)
            if staff_target is not None:
                staff_address = f"{tor.addresses['staff']}.onion"
                app.config["STAFF_ONION_ADDRESS"] = staff_address
                print(f"staff onion: http://{staff_address}/ (client authorization)", flush=True)
    if args.unix_socket:
        print(f"serving on unix socket {args.unix_socket}", flush=True)
    else:
        app.config["LOOPBACK_PORT"] = args.port  # redirects name it (app/web/faces.py)
        print(f"serving on http://{args.host}:{args.port}/", flush=True)
    staff_listener = None
    if args.staff_socket:  # a system tor's staff onion forwards here, with or without ours
        staff_listener = (None, args.staff_socket)
    elif staff_target is not None:
        staff_listener = ((args.host, staff_port), None)
        app.config["STAFF_LOOPBACK_PORT"] = staff_port
    try:
        serve(app, ((args.host, args.port), args.unix_socket), staff_listener)
    finally:
        if tor is not None:
            tor.stop()
    return 0


def _read_secret(path: str | None) -> str | None:
    return Path(path).read_text().strip() if path else None


def cmd_init_db(args) -> int:
    open_instance(args)
    print(f"instance ready at {instance_of(args)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="movements", description=__doc__)
    commands = Commands(parser.add_subparsers(dest="command", required=True))
    serve = commands.add("serve", cmd_serve, "serve the site and publish it as an onion service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--unix-socket", help="serve on this unix socket instead of TCP")
    serve.add_argument("--no-onion", action="store_true", help="serve loopback only, without tor")
    serve.add_argument("--tor-control", help="publish through a running tor: PATH or HOST:PORT")
    serve.add_argument("--tor-password-file", help="file holding that tor's control password")
    serve.add_argument("--staff-port", type=int, help="loopback port of the staff onion's listener")
    serve.add_argument("--staff-socket", help="unix socket of the staff onion's listener")
    commands.add("init-db", cmd_init_db, "create the instance folder and database, or upgrade them")
    for module in COMMAND_MODULES:
        importlib.import_module(module).add_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except UnsafeConfiguration as error:
        print(f"movements: {error}", file=sys.stderr)
        return 2
    except Exception as error:
        from movements.app.core.db import sqlite_folder

        cause = outage_cause(error, sqlite_folder())
        if cause is None:
            raise
        print(f"movements: {cause}: {describe(error)}", file=sys.stderr)
        return EXIT_TEMPORARY_FAILURE


if __name__ == "__main__":
    sys.exit(main())
