"""Owner-only files, created atomically: the only way key material reaches the disk.

A key file is written to a temporary name, flushed, then hard-linked to its final name, so
a reader never sees a half-written key and an existing key is never overwritten. Files are
opened without following symlinks and refused unless they belong to this user with no
group or other permission bits.
"""

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .errors import KeyringError

_MAX_FILE_SIZE = 4096


def ensure_private_directory(directory: Path) -> None:
    """Create `directory` with mode 0700, or check an existing one is private."""
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    else:
        os.chmod(directory, 0o700)  # mkdir's mode is masked by the umask
    check_private_directory(directory)


def check_private_directory(directory: Path) -> None:
    try:
        st = os.stat(directory)
    except FileNotFoundError:
        raise KeyringError(f"{directory} does not exist") from None
    if not stat.S_ISDIR(st.st_mode):
        raise KeyringError(f"{directory} is not a directory")
    _check_owner_only(directory, st, "700")


def read_private_file(path: Path) -> bytes:
    """The contents of a small owner-only regular file; FileNotFoundError if it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except OSError as error:  # ELOOP: a symlink where a key should be
        raise KeyringError(f"cannot open {path}: {error.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyringError(f"{path} is not a regular file")
        _check_owner_only(path, st, "600")
        chunks = []
        size = 0
        while chunk := os.read(fd, _MAX_FILE_SIZE):
            chunks.append(chunk)
            size += len(chunk)
            if size > _MAX_FILE_SIZE:
                raise KeyringError(f"{path} is too large to be a key file")
        return b"".join(chunks)
    finally:
        os.close(fd)


def write_private_file(path: Path, data: bytes, *, replace: bool) -> None:
    """Write `data` to `path` (mode 0600) atomically.

    With replace=False the call fails with FileExistsError if `path` exists, so two
    processes can never both believe they created the same file.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(
        temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600
    )
    try:
        try:
            os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        if replace:
            os.replace(temporary, path)
        else:
            os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    fsync_directory(path.parent)


def remove_file(path: Path) -> None:
    """Unlink `path` and make the removal durable.

    This does not erase the bytes from the medium: journaling file systems and flash
    storage keep old blocks. Full-disk encryption is what protects deleted keys.
    """
    os.unlink(path)
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_owner_only(path: Path, st: os.stat_result, mode: str) -> None:
    if st.st_uid != os.geteuid():
        raise KeyringError(f"{path} belongs to another user; it must belong to this one")
    if st.st_mode & 0o077:
        raise KeyringError(f"{path} is open to other users; fix it with: chmod {mode} {path}")
