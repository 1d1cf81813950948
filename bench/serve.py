"""The servers the benchmarks measure, both through the production `app.server.serve`.

python -m bench.serve app INSTANCE PORT    the real app on an instance folder
python -m bench.serve hello PORT           a bare Flask app that answers "hello"
"""

import sys
from pathlib import Path

from flask import Flask

from movements.app.cli.server import serve
from movements.app.factory import create_app


def hello_app() -> Flask:
    """The least a Flask app can do: the baseline the real app is compared with."""
    hello = Flask("hello")
    hello.add_url_rule("/", "hello", lambda: "hello")
    return hello


def main() -> None:
    kind, *arguments = sys.argv[1:]
    if kind == "hello":
        serve(hello_app(), (("127.0.0.1", int(arguments[0])), None))
    else:
        instance, port = arguments
        serve(create_app(instance_path=Path(instance)), (("127.0.0.1", int(port)), None))


if __name__ == "__main__":
    main()
