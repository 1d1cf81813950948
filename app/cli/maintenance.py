"""Operator commands that keep an instance small and safe: `purge`, `backup`, `restore`."""

import getpass
import os
import stat
import sys
from pathlib import Path

from movements.app.cli.main import Commands, instance_of, open_instance

PASSPHRASE_ENV = "MOVEMENTS_BACKUP_PASSPHRASE"  # noqa: S105 -- a variable's name, not a secret


def cmd_purge(args) -> int:
    from movements.app.cli.purge import Retention, end_expired_state, purge
    from movements.app.core.db import database
    from movements.app.core.models import today, utcnow

    app = open_instance(args)
    with app.app_context(), database.connection_context():
        ended = end_expired_state(utcnow())
        counts = purge(today(), Retention.from_config(app.config))
    print(f"expired sessions and counters deleted: {ended}")
    print(f"requests expired: {counts.requests_expired}")
    print(f"accounts warned: {counts.notices_sent}")
    print(f"accounts deleted: {counts.accounts_deleted}")
    if not counts.wal_emptied:
        print("the database was busy: its write-ahead log is emptied at the next run")
    return 0


def read_passphrase(args, *, confirm: bool) -> str:
    """From --passphrase-file, else $MOVEMENTS_BACKUP_PASSPHRASE, else asked at the terminal."""
    from movements.app.cli.backup import BackupError

    if args.passphrase_file:
        path = Path(args.passphrase_file)
        try:
            if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise BackupError(f"{path} is open to other users; fix it with: chmod 600 {path}")
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise BackupError(f"cannot read {path}: {error.strerror}") from None
    if os.environ.get(PASSPHRASE_ENV):
        return os.environ[PASSPHRASE_ENV]
    if not sys.stdin.isatty():
        raise BackupError(f"no passphrase: use --passphrase-file or ${PASSPHRASE_ENV}")
    passphrase = getpass.getpass("backup passphrase: ")
    if confirm and getpass.getpass("the same passphrase again: ") != passphrase:
        raise BackupError("the two passphrases differ")
    return passphrase


def cmd_backup(args) -> int:
    from movements.app.cli.backup import BackupError, write_backup

    try:
        report = write_backup(
            instance_of(args),
            Path(args.out).absolute(),
            read_passphrase(args, confirm=True),
            force=args.force,
        )
    except BackupError as error:
        print(f"movements backup: {error}", file=sys.stderr)
        return 1
    for name in report.skipped:
        print(f"skipped (not a regular file): {name}", file=sys.stderr)
    if report.database:
        print("database: a consistent snapshot of the SQLite database")
    else:
        print("database: NOT in this backup. It is in PostgreSQL: back it up with pg_dump.")
    print(f"instance files: {len(report.files)}")
    print(f"written to {args.out}; keep the passphrase apart from it")
    return 0


def cmd_restore(args) -> int:
    from movements.app.cli.backup import BackupError, restore_backup

    instance = instance_of(args)
    try:
        report = restore_backup(
            Path(args.backup), instance, read_passphrase(args, confirm=False), force=args.force
        )
    except BackupError as error:
        print(f"movements restore: {error}", file=sys.stderr)
        return 1
    print(f"restored {len(report.files)} files into {instance}")
    if not report.database:
        print("this backup holds no database: restore PostgreSQL from its pg_dump")
    return 0


def _passphrase_option(command) -> None:
    command.add_argument(
        "--passphrase-file",
        help=f"read the passphrase from this file (mode 0600); else ${PASSPHRASE_ENV}, else ask",
    )
    command.add_argument("--force", action="store_true", help="replace what is there")


def add_commands(commands: Commands) -> None:
    commands.add(
        "purge", cmd_purge, "expire old requests and sessions; warn, then delete, unused accounts"
    )
    backup = commands.add("backup", cmd_backup, "write an encrypted backup of the instance")
    backup.add_argument("out", help="the backup file to write")
    _passphrase_option(backup)
    restore = commands.add("restore", cmd_restore, "put an instance back from a backup")
    restore.add_argument("backup", help="the backup file to read")
    _passphrase_option(restore)
