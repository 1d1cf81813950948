"""The real app on the production server, for tests that need a browser to reach it.

    python -m tests.browser.server INSTANCE PORT

Production settings throughout (argon2 at full cost, waitress through `app.server.serve`),
on loopback only. The tests start it in a subprocess so it has its own database handle.
"""

import sys
from pathlib import Path

from app import create_app
from app.server import serve


def main() -> None:
    instance, port = Path(sys.argv[1]), int(sys.argv[2])
    serve(create_app(instance_path=instance), (("127.0.0.1", port), None))


if __name__ == "__main__":
    main()
