"""Backing an instance up into one encrypted file, and putting it back.

A backup is a tar stream of every regular file in the instance folder (the secret key, the
keyring, onion service keys...) with a consistent snapshot of the SQLite database in place of
the live database files, encrypted under a passphrase (crypto/backup_box.py). The snapshot is
taken with SQLite's online backup API into memory while the app keeps serving, so no
plaintext copy of the database ever touches a disk. A PostgreSQL database is not in the file:
pg_dump backs it up.

Per-user keys need nothing special: their wrapped copies are rows of the database, and a
password still unwraps them on the restored instance.
"""

import contextlib
import io
import os
import secrets
import shutil
import sqlite3
import stat
import tarfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

from movements.app.core.config import DATABASE_FILE, SECRET_KEY_FILE, load_config
from movements.crypto import DecryptionError
from movements.crypto.backup_box import (
    KDF_PARAMETERS,
    MAX_PASSPHRASE_LENGTH,
    MIN_PASSPHRASE_LENGTH,
    BackupReader,
    BackupWriter,
)

# the cost of deriving a backup's key; tests make it cheap, like the per-user keys'
KDF = KDF_PARAMETERS
LIVE_DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")
COPY_BUFFER = 1024 * 1024


class BackupError(Exception):
    """Something the operator must fix; the message says what, and nothing was changed."""


@dataclass
class BackupReport:
    files: list[str] = field(default_factory=list)  # instance files, relative to the folder
    skipped: list[str] = field(default_factory=list)  # not regular files: links, sockets
    database: bool = False  # a SQLite snapshot is inside


def check_passphrase(passphrase: str) -> None:
    if not MIN_PASSPHRASE_LENGTH <= len(passphrase) <= MAX_PASSPHRASE_LENGTH:
        raise BackupError(
            f"a backup passphrase has {MIN_PASSPHRASE_LENGTH} to {MAX_PASSPHRASE_LENGTH} "
            "characters: it alone protects every key and account in the backup"
        )


def sqlite_path(database_url: str) -> Path | None:
    """The database file of a `sqlite:///` URL; None for any other database."""
    parsed = urlparse(database_url)
    return Path(parsed.path) if parsed.scheme == "sqlite" else None


def snapshot_sqlite(path: Path) -> bytes:
    """A consistent copy of a live database, made with the online backup API, in memory."""
    if not path.is_file():
        raise BackupError(f"no database at {path}")
    # mode=rw: never create an empty database where the real one was expected
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        with contextlib.closing(sqlite3.connect(":memory:")) as copy:
            source.backup(copy)
            return copy.serialize()
    finally:
        source.close()


def _live_database_files(instance: Path, database: Path | None) -> set[Path]:
    names = {instance / f"{DATABASE_FILE}{suffix}" for suffix in LIVE_DATABASE_SUFFIXES}
    if database is not None:
        names |= {Path(f"{database}{suffix}") for suffix in LIVE_DATABASE_SUFFIXES}
    return {path.resolve() for path in names}


def _instance_files(instance: Path, excluded: set[Path], report: BackupReport) -> list[Path]:
    files = []
    for folder, directories, names in os.walk(instance):
        directories.sort()
        for name in sorted(names):
            path = Path(folder) / name
            relative = path.relative_to(instance).as_posix()
            if path.resolve() in excluded:
                continue
            if stat.S_ISREG(path.lstat().st_mode):
                files.append(path)
                report.files.append(relative)
            else:
                report.skipped.append(relative)
    return files


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    """One member with no owner, time or mode of the machine it came from."""
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def write_backup(
    instance: Path, out: Path, passphrase: str, *, force: bool = False
) -> BackupReport:
    """Write the instance's backup to `out` (mode 0600), never over a file unless `force`."""
    check_passphrase(passphrase)
    if not (instance / SECRET_KEY_FILE).is_file():
        raise BackupError(f"no instance at {instance}")
    if out.exists() and not force:
        raise BackupError(f"{out} exists; choose another name, or replace it with --force")
    database = sqlite_path(load_config(instance)["DATABASE_URL"])
    report = BackupReport()
    files = _instance_files(instance, _live_database_files(instance, database), report)
    snapshot = snapshot_sqlite(database) if database is not None else None
    report.database = snapshot is not None
    temporary = out.with_name(f".{out.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            with (
                BackupWriter(handle, passphrase, KDF) as sealed,
                tarfile.open(fileobj=sealed, mode="w|") as archive,
            ):
                if snapshot is not None:
                    _add(archive, DATABASE_FILE, snapshot)
                for path in files:
                    _add(archive, path.relative_to(instance).as_posix(), path.read_bytes())
            handle.flush()
            os.fsync(handle.fileno())
        _publish(temporary, out, force)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return report


def _publish(temporary: Path, out: Path, force: bool) -> None:
    try:
        if force:
            os.replace(temporary, out)
        else:
            os.link(temporary, out)  # fails rather than replace a file made in the meantime
    except OSError as error:
        raise BackupError(f"cannot write {out}: {error.strerror}") from None


@dataclass
class RestoreReport:
    files: list[str] = field(default_factory=list)
    database: bool = False


def _member_path(member: tarfile.TarInfo) -> PurePosixPath:
    """A member's path, refused unless it is a plain file strictly inside the folder."""
    path = PurePosixPath(member.name)
    parts = path.parts
    if (
        not member.isfile()
        or path.is_absolute()
        or not parts
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise BackupError(f"the backup holds an entry that cannot be restored: {member.name!r}")
    return path


def _write_private(path: Path, source) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as handle:
        os.fchmod(handle.fileno(), 0o600)
        shutil.copyfileobj(source, handle, COPY_BUFFER)
        handle.flush()
        os.fsync(handle.fileno())


def _private_directories(root: Path, relative: PurePosixPath) -> Path:
    folder = root
    for part in relative.parts[:-1]:
        folder = folder / part
        if not folder.is_dir():
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
    return folder / relative.name


def _unpack(reader: BackupReader, target: Path, report: RestoreReport) -> None:
    with tarfile.open(fileobj=reader, mode="r|") as archive:
        for member in archive:
            relative = _member_path(member)
            _write_private(_private_directories(target, relative), archive.extractfile(member))
            report.files.append(relative.as_posix())
    # the tar stream may end before the file does: read on, so every byte is authenticated
    while reader.read(COPY_BUFFER):
        pass
    report.database = DATABASE_FILE in report.files


def _is_empty(folder: Path) -> bool:
    return not folder.exists() or (folder.is_dir() and not any(folder.iterdir()))


def restore_backup(
    backup: Path, instance: Path, passphrase: str, *, force: bool = False
) -> RestoreReport:
    """Put a backup back as the instance folder, all or nothing.

    Files are written (0600, folders 0700) into a temporary folder beside the instance and
    renamed into place only once the whole backup has been read and authenticated; a wrong
    passphrase or a damaged file leaves the instance as it was.
    """
    if instance.exists() and not instance.is_dir():
        raise BackupError(f"{instance} is not a folder")
    if not _is_empty(instance) and not force:
        raise BackupError(f"{instance} is not empty; restore elsewhere, or replace it with --force")
    try:
        source = backup.open("rb")
    except OSError as error:
        raise BackupError(f"cannot read {backup}: {error.strerror}") from None
    report = RestoreReport()
    with source:
        try:
            reader = BackupReader(source, passphrase)
        except DecryptionError:
            raise BackupError(
                "wrong passphrase, or the file is damaged or not a backup; nothing was restored"
            ) from None
        instance.parent.mkdir(parents=True, exist_ok=True)
        staging = instance.with_name(f".{instance.name}.restoring-{secrets.token_hex(8)}")
        staging.mkdir(mode=0o700)
        try:
            os.chmod(staging, 0o700)
            _unpack(reader, staging, report)
            _swap_in(staging, instance)
        except DecryptionError:
            raise BackupError("the backup is damaged; nothing was restored") from None
        except tarfile.TarError:
            raise BackupError("the backup is not readable; nothing was restored") from None
        except OSError as error:
            raise BackupError(f"cannot restore: {error}; nothing was restored") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return report


def _swap_in(staging: Path, instance: Path) -> None:
    if not instance.exists():
        os.rename(staging, instance)
        return
    replaced = instance.with_name(f".{instance.name}.replaced-{secrets.token_hex(8)}")
    os.rename(instance, replaced)
    try:
        os.rename(staging, instance)
    except OSError:
        os.rename(replaced, instance)
        raise
    shutil.rmtree(replaced, ignore_errors=True)
