"""Private files and directories: how keys and tor's state reach the disk.

Everything here is about not leaking a secret through the file system: directories are 0700,
files are created 0600 from the first byte, written atomically (temporary file, fsync, rename
or link) so a crash never leaves half a key, never silently overwritten, and refused on read if
other users could have read them too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from .errors import KeyFileError


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_private_dir(directory: Path) -> Path:
    """Create ``directory`` (and parents) if needed and make it 0700; return it.

    tor refuses data and service directories that others can read, and the key must not be
    listable by other users either.
    """
    directory = Path(directory)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    return directory


def write_private_file(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600.

    The bytes go to a temporary file in the same directory (created 0600, so they are never
    readable by others even for a moment), are flushed to disk, and then appear under the final
    name in one step: a crash leaves either the old file or the new one, never half a key.
    Without ``overwrite`` an existing file is kept and :class:`KeyFileError` is raised, also
    when another process wins a race to create it.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)  # fails if the name exists: create-if-absent in one step
            except FileExistsError:
                raise KeyFileError(f"{path} already exists; refusing to overwrite it") from None
        _fsync_dir(path.parent)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def read_private_file(path: Path, *, max_size: int = 4096) -> bytes:
    """Read a small secret file, refusing symlinks, non-files and group/other permissions."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist") from None
    except OSError as exc:
        raise KeyFileError(f"cannot open {path}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise KeyFileError(f"{path} is not a regular file")
        if mode & 0o077:
            raise KeyFileError(
                f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); "
                f"run: chmod 600 {path}"
            )
        return handle.read(max_size + 1)
