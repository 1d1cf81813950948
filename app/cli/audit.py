"""`movements audit verify`: recompute the staff log's hash chain from the database."""

import sys

from movements.app.audit.chain import verify
from movements.app.cli.main import open_instance
from movements.app.core.db import database


def cmd_verify(args) -> int:
    open_instance(args)
    with database.connection_context():
        verdict = verify(args.head)
    if verdict.intact:
        print(f"staff log intact: {verdict.entries} entries; head {verdict.head}")
        return 0
    where = f"entry {verdict.broken_at}" if verdict.broken_at else "the log"
    print(f"staff log broken at {where}: {verdict.problem}", file=sys.stderr)
    return 1


def add_commands(commands) -> None:
    audit = commands.group("audit", "check the staff log")
    check = commands.add(
        "verify", cmd_verify, "recompute the staff log's hash chain; non-zero if broken", audit
    )
    check.add_argument(
        "--head", help="a head hash printed earlier: also fail if that entry is no longer there"
    )
