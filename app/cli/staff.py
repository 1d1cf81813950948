"""`movements staff add|list|remove|promote`: the operator manages staff accounts."""

import sys

from movements.app.cli.main import open_instance
from movements.app.core.db import database
from movements.app.core.errors import RuleViolation
from movements.app.staff import accounts


def _run(args, action) -> int:
    open_instance(args)
    with database.connection_context():
        try:
            action()
        except RuleViolation as error:
            print(f"movements: {error.message}", file=sys.stderr)
            return 1
    return 0


def cmd_add(args) -> int:
    def add():
        user, password, codes = accounts.add_staff(args.name, admin=args.admin)
        print(f"staff account {user.username} created{' (admin)' if args.admin else ''}")
        print(f"password: {password}")
        print("it must be changed at the first sign-in")
        print("recovery codes (each works once; keep them offline):")
        for code in codes:
            print(f"  {code}")

    return _run(args, add)


def cmd_list(args) -> int:
    def show():
        for user in accounts.staff_members():
            level = "admin" if user.admin else "staff"
            first = "  (has not signed in yet)" if user.must_change_password else ""
            print(f"{user.username}\t{level}\tsince {user.joined_on.isoformat()}{first}")

    return _run(args, show)


def cmd_remove(args) -> int:
    def remove():
        accounts.remove_staff(args.name)
        print(f"staff account {args.name} removed")

    return _run(args, remove)


def cmd_promote(args) -> int:
    def promote():
        accounts.promote_to_admin(args.name)
        print(f"{args.name} is now an admin")

    return _run(args, promote)


def add_commands(commands) -> None:
    staff = commands.group("staff", "staff (moderator) accounts")
    add = commands.add("add", cmd_add, "create a staff account; prints a one-time password", staff)
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="an admin, who may also reinstate")
    commands.add("list", cmd_list, "list staff accounts", staff)
    remove = commands.add("remove", cmd_remove, "delete a staff account", staff)
    remove.add_argument("name")
    promote = commands.add("promote", cmd_promote, "make a staff member an admin", staff)
    promote.add_argument("name")
    promote.add_argument("--admin", action="store_true", required=True, help="to admin")
