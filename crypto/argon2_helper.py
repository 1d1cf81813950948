"""One argon2 helper process: runs argon2id for the serving process that started it.

Started by crypto/argon2_processes.py as a fresh interpreter running this file alone (`python -I
-B argon2_helper.py`), so it imports nothing but argon2 and the standard library: about 14 MiB
at rest, and 64 MiB more only while it hashes. It runs at the lowest CPU priority (nice 19), and
libargon2's own threads inherit it, so a hash takes only what the serving threads leave.

It reads one request at a time from standard input and writes the answer to standard output
(frames below), until its input ends: the serving process closed it or died. SIGINT and SIGTERM
are ignored, so Ctrl-C or systemd's stop reaches the server, which answers what is in flight
before closing this helper's input.

    request   >IIIHH  passes, KiB, lanes, length of the secret, length of the salt;
              then the secret, then the salt
    answer    >BH     status (0 the hash, 1 an error), length; then the hash, or the error
"""

import os
import signal
import struct
import sys

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw

REQUEST = struct.Struct(">IIIHH")
ANSWER = struct.Struct(">BH")
HASHED, FAILED = 0, 1
HASH_LENGTH = 32
ARGON2_VERSION = 0x13
NICENESS = 19


def read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd`, or None if it ends first."""
    chunks, wanted = [], size
    while wanted:
        chunk = os.read(fd, wanted)
        if not chunk:
            return None
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def argon2id_raw(secret: bytes, salt: bytes, passes: int, kib: int, lanes: int) -> bytes:
    """The one argon2id run, in a helper or in the serving process alike (crypto/userkeys.py):
    32 bytes, version 0x13 pinned, since the stored formats depend on it."""
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=passes,
        memory_cost=kib,
        parallelism=lanes,
        hash_len=HASH_LENGTH,
        type=Type.ID,
        version=ARGON2_VERSION,
    )


def answer(request: bytes, read) -> bytes:
    passes, kib, lanes, secret_length, salt_length = REQUEST.unpack(request)
    secret, salt = read(secret_length), read(salt_length)
    if secret is None or salt is None:
        raise EOFError
    try:
        hashed = argon2id_raw(secret, salt, passes, kib, lanes)
    except HashingError as error:
        message = str(error).encode("utf-8", "replace")[:1000]
        return ANSWER.pack(FAILED, len(message)) + message
    return ANSWER.pack(HASHED, len(hashed)) + hashed


def main() -> int:
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    try:
        os.setpriority(os.PRIO_PROCESS, 0, NICENESS)
    except OSError:
        print("argon2 helper: runs at normal priority, setpriority was refused", file=sys.stderr)
    source, sink = sys.stdin.fileno(), sys.stdout.fileno()

    def read(size: int) -> bytes | None:
        return read_exactly(source, size)

    while (request := read(REQUEST.size)) is not None:
        try:
            write_all(sink, answer(request, read))
        except (EOFError, BrokenPipeError):
            break
    return 0


if __name__ == "__main__":
    sys.exit(main())
