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
# Signed-in users' keys, limits and kept state live in the database, so any worker (or
# machine) serves any visitor: one process per core by default.
DEFAULT_WORKERS = os.cpu_count() or 1

# Each module here defines add_commands(commands: Commands) for its own area.
COMMAND_MODULES: list[str] = [
    "movements.app.cli.onion",
    "movements.app.cli.operator",
    "movements.app.cli.staff",
    "movements.app.cli.audit",
    "movements.app.cli.maintenance",
    "movements.app.cli.mail",
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
    from movements.app.cli import onion_service, startup
    from movements.app.cli.server import bind, serve
    from movements.app.cli.workers import serve_with_workers
    from movements.app.mail.sender import start_sender
    from movements.app.web.logs import configure_logging
    from movements.onion import OnionError, TorNotInstalled

    if args.host not in LOOPBACK_HOSTS and not args.unix_socket:
        print(f"refusing to listen on {args.host}: the app serves loopback only", file=sys.stderr)
        return 2
    if args.workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
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
    staff_listener = None
    if args.staff_socket:  # a system tor's staff onion forwards here, with or without ours
        staff_listener = (None, args.staff_socket)
    elif staff_target is not None:
        staff_listener = ((args.host, staff_port), None)
    public_socket = bind(((args.host, args.port), args.unix_socket))
    staff_socket = bind(staff_listener) if staff_listener is not None else None
    # redirects name the port this server was told to listen on, never a Host's (app/web/faces.py)
    if not args.unix_socket:
        app.config["LOOPBACK_PORT"] = args.port
    if staff_listener is not None and staff_listener[0] is not None:
        app.config["STAFF_LOOPBACK_PORT"] = staff_port
    tor = None
    announcer = startup.OnionAnnouncer()
    if not args.no_onion and not (args.unix_socket and not args.tor_control):
        tor = onion_service.supervisor(
            instance,
            public_target,
            staff_target=staff_target,
            tor_control=args.tor_control,
            tor_password=_read_secret(args.tor_password_file),
            retry_max_seconds=app.config["TOR_RETRY_MAX_SECONDS"],
            on_change=announcer.heard,
        )
        try:
            address = tor.start()
        except TorNotInstalled:
            print(
                "tor is not installed: serving on loopback only. "
                "Install it with: sudo apt-get install tor",
                flush=True,
            )
            tor = None
        except OnionError as error:
            print(
                f"tor could not publish the onion ({error}): serving on loopback only", flush=True
            )
            tor = None
        else:
            app.config["ONION_ADDRESS"] = f"{address}.onion"
            if staff_target is not None:
                app.config["STAFF_ONION_ADDRESS"] = f"{tor.addresses['staff']}.onion"
    onion = f"http://{app.config['ONION_ADDRESS']}/" if tor is not None else None
    staff_onion = app.config["STAFF_ONION_ADDRESS"] if tor is not None and staff_target else None
    local = (
        f"unix socket {args.unix_socket}"
        if args.unix_socket
        else f"http://{args.host}:{args.port}/"
    )

    mail_senders = []

    def on_ready() -> None:
        # one sender for the whole server, started once the workers (if any) are forked
        mail_senders.append(start_sender(app))  # None when no SMTP server is configured
        status = tor.status() if tor is not None else None
        text = startup.ready_text(
            local=local,
            workers=args.workers,
            instance=instance,
            onion=onion,
            status=status,
            staff_onion=f"http://{staff_onion}/" if staff_onion else None,
        )
        print(text, flush=True)
        if tor is not None:
            announcer.heard(status)  # what the text just said is not news
            announcer.start(tor, onion)

    try:
        if args.workers == 1:
            serve(app, public_socket, staff_socket, on_ready=on_ready)
            return 0
        faces = {
            "MOVEMENTS_ONION_ADDRESS": app.config["ONION_ADDRESS"],
            "MOVEMENTS_STAFF_ONION_ADDRESS": app.config["STAFF_ONION_ADDRESS"],
            "MOVEMENTS_LOOPBACK_PORT": str(app.config["LOOPBACK_PORT"] or ""),
            "MOVEMENTS_STAFF_LOOPBACK_PORT": str(app.config["STAFF_LOOPBACK_PORT"] or ""),
        }
        environment = {name: value for name, value in faces.items() if value}
        return serve_with_workers(
            args.workers, instance, public_socket, staff_socket, environment, on_ready
        )
    finally:
        for sender in filter(None, mail_senders):
            sender.stop()
        announcer.stop()
        if tor is not None:
            tor.stop()


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
    serve.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"processes serving requests (default {DEFAULT_WORKERS})",
    )
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
