"""The `movements` command: one entry point for operators."""

import argparse
import sys
from pathlib import Path

from .config import UnsafeConfiguration, default_instance_path

LOOPBACK_HOSTS = {"127.0.0.1", "::1", "localhost"}


def _instance(args) -> Path:
    return Path(args.instance).resolve() if args.instance else default_instance_path()


def cmd_serve(args) -> int:
    from . import create_app
    from .server import quiet_logging, serve

    if args.host not in LOOPBACK_HOSTS and not args.unix_socket:
        print(f"refusing to listen on {args.host}: the app serves loopback only", file=sys.stderr)
        return 2
    quiet_logging()
    app = create_app(instance_path=_instance(args))
    if args.unix_socket:
        print(f"serving on unix socket {args.unix_socket}", flush=True)
    else:
        print(f"serving on http://{args.host}:{args.port}/", flush=True)
    serve(app, args.host, args.port, args.unix_socket)
    return 0


def cmd_init_db(args) -> int:
    from . import create_app

    create_app(instance_path=_instance(args))
    print(f"instance ready at {_instance(args)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="movements", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name, handler, help_text):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument(
            "--instance", help="instance folder (default ./instance or $MOVEMENTS_INSTANCE)"
        )
        sub.set_defaults(handler=handler)
        return sub

    serve = command("serve", cmd_serve, "serve the site (and publish it as an onion service)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--unix-socket", help="serve on this unix socket instead of TCP")
    serve.add_argument("--no-onion", action="store_true", help="serve loopback only, without tor")
    command("init-db", cmd_init_db, "create the instance folder and database, or upgrade them")
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
