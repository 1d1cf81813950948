"""The `movements` command: one entry point for operators."""

import argparse
import importlib
import sys
from pathlib import Path

from .config import UnsafeConfiguration, default_instance_path

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}
INSTANCE_HELP = "instance folder (default ./instance or $MOVEMENTS_INSTANCE)"

# Each module here defines add_commands(commands: Commands) for its own area.
COMMAND_MODULES: list[str] = ["app.operator_cli"]


def instance_of(args) -> Path:
    return Path(args.instance).resolve() if args.instance else default_instance_path()


def open_instance(args):
    """The app for an instance folder, for commands that work on its database and keys."""
    from . import create_app

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
    from .server import quiet_logging, serve

    if args.host not in LOOPBACK_HOSTS and not args.unix_socket:
        print(f"refusing to listen on {args.host}: the app serves loopback only", file=sys.stderr)
        return 2
    quiet_logging()
    app = open_instance(args)
    if args.unix_socket:
        print(f"serving on unix socket {args.unix_socket}", flush=True)
    else:
        print(f"serving on http://{args.host}:{args.port}/", flush=True)
    serve(app, args.host, args.port, args.unix_socket)
    return 0


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


if __name__ == "__main__":
    sys.exit(main())
