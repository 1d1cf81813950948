"""Operator commands for keys and accounts: `movements keys rotate`, `movements users ...`."""

import secrets
import sys

from movements.app.cli.main import Commands, open_instance

BAR_WIDTH = 30


def _progress_bar(total: int):
    def show(done: int) -> None:
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        print(f"\rre-encrypting [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)

    return show


def cmd_keys_rotate(args) -> int:
    from movements.app.cli import rotation
    from movements.app.core.db import database

    open_instance(args)
    with database.connection_context():
        total = rotation.total_rows()
        active, retired = rotation.rotate(_progress_bar(total))
    print(file=sys.stderr)
    print(f"active key: {active}")
    print(f"retired: {', '.join(retired) if retired else 'none'}")
    return 0


def cmd_reset_password(args) -> int:
    """A forced reset: the old key cannot be recovered, so sealed data is lost and the user told."""
    from movements.app.accounts.rules import replace_lost_keys
    from movements.app.core.db import database
    from movements.app.core.members import find_account
    from movements.app.core.models import LoginSession
    from movements.app.keys import passwords

    open_instance(args)
    with database.connection_context():
        user = find_account(args.name)
        if user is None:
            print(f"no such user: {args.name}", file=sys.stderr)
            return 1
        password = secrets.token_urlsafe(12)
        fresh = passwords.new_password(password)
        with database.atomic():
            replace_lost_keys(user, fresh)
            LoginSession.delete().where(LoginSession.user == user).execute()
    print(f"password: {password}")
    print("their sealed contact details and their copies of messages cannot be recovered;")
    print("they will be told at their next sign-in and given new recovery codes")
    return 0


def add_commands(commands: Commands) -> None:
    keys = commands.group("keys", "the server keyring")
    commands.add("rotate", cmd_keys_rotate, "new key; re-encrypt; retire unused keys", keys)
    users = commands.group("users", "operator actions on accounts")
    reset = commands.add(
        "reset-password", cmd_reset_password, "set a one-time password (sealed data is lost)", users
    )
    reset.add_argument("name")
