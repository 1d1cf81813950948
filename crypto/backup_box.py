"""Backup files: a byte stream encrypted under a passphrase, in chunks, with a versioned header.

A backup holds the whole instance (database and every key), so it is the most valuable file
an operator has. The key is derived from the passphrase with argon2id under a random salt;
the data is cut into chunks, each encrypted with AES-256-GCM, so a backup of any size can be
written and read in bounded memory and no single GCM call nears its size limit.

Format "MOVBAK01" (all sizes in bytes; integers big-endian):

    0   8   b"MOVBAK01"
    8   4   argon2id time cost (passes)
    12  4   argon2id memory cost (KiB)
    16  4   argon2id parallelism (lanes)
    20  16  salt, random
    36  4   chunk size c (plaintext bytes per chunk)
    40      chunks: AES-256-GCM ciphertext and 16-byte tag of each c plaintext bytes; the
            last chunk holds 0 to c bytes

Every chunk's associated data is the 40-byte header, so no parameter can be changed. Chunk i
has the nonce i (11 bytes) followed by 1 for the last chunk and 0 for the others: chunks
cannot be reordered, dropped, or cut off at a chunk boundary without failing to open. The
salt is fresh for every backup, so every backup has its own key and counter nonces never
repeat under one key. Parameters and chunk size read from a file are bounded, so a forged
header cannot make a restore allocate gigabytes.
"""

import os
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DecryptionError
from .userkeys import (
    ENCODED_KDF_SIZE,
    KDF_PARAMETERS,
    MAX_KDF_PARAMETERS,
    KdfParameters,
    argon2id_key,
)

MAGIC = b"MOVBAK01"
SALT_SIZE = 16
TAG_SIZE = 16
HEADER_SIZE = len(MAGIC) + ENCODED_KDF_SIZE + SALT_SIZE + 4
CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE, MAX_CHUNK_SIZE = 1, 16 * 1024 * 1024
# A backup opens everything, offline and forever: refuse a passphrase that is easy to guess.
MIN_PASSPHRASE_LENGTH = 16
MAX_PASSPHRASE_LENGTH = 1024
_COUNTER_SIZE = 11
_MAX_CHUNKS = 2 ** (8 * _COUNTER_SIZE)


def _passphrase_bytes(passphrase: str, minimum: int) -> bytes:
    if not isinstance(passphrase, str):
        raise TypeError("the passphrase must be a str")
    if not minimum <= len(passphrase) <= MAX_PASSPHRASE_LENGTH:
        raise ValueError(
            f"a backup passphrase has {MIN_PASSPHRASE_LENGTH} to {MAX_PASSPHRASE_LENGTH} characters"
        )
    return passphrase.encode("utf-8")


def _nonce(index: int, last: bool) -> bytes:
    if index >= _MAX_CHUNKS:
        raise OverflowError("too many chunks for one backup")
    return index.to_bytes(_COUNTER_SIZE, "big") + (b"\x01" if last else b"\x00")


class BackupWriter:
    """Encrypts what is written to it into `out`; `close()` writes the last chunk.

    A writer that is never closed leaves a file that does not open, rather than one that
    silently ends early. `salt` is an argument only so known-answer tests can pin bytes.
    """

    def __init__(
        self,
        out: BinaryIO,
        passphrase: str,
        parameters: KdfParameters = KDF_PARAMETERS,
        *,
        chunk_size: int = CHUNK_SIZE,
        salt: bytes | None = None,
    ) -> None:
        secret = _passphrase_bytes(passphrase, MIN_PASSPHRASE_LENGTH)
        if not parameters.within(MAX_KDF_PARAMETERS):
            raise ValueError("KDF parameters beyond the allowed maximum")
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size out of bounds")
        salt = os.urandom(SALT_SIZE) if salt is None else salt
        if len(salt) != SALT_SIZE:
            raise ValueError(f"the salt has {SALT_SIZE} bytes")
        self._header = MAGIC + parameters.encode() + salt + chunk_size.to_bytes(4, "big")
        self._aead = AESGCM(argon2id_key(secret, salt, parameters))
        self._out = out
        self._chunk_size = chunk_size
        self._buffer = bytearray()
        self._index = 0
        self._closed = False
        out.write(self._header)

    def write(self, data: bytes) -> int:
        if self._closed:
            raise ValueError("write to a closed backup")
        self._buffer += data
        # keep at least one byte back: only close() knows which chunk is the last
        while len(self._buffer) > self._chunk_size:
            self._emit(bytes(self._buffer[: self._chunk_size]), last=False)
            del self._buffer[: self._chunk_size]
        return len(data)

    def close(self) -> None:
        if not self._closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
            self._closed = True

    def _emit(self, chunk: bytes, last: bool) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._index, last), chunk, self._header))
        self._index += 1

    def __enter__(self) -> "BackupWriter":
        return self

    def __exit__(self, kind, _value, _traceback) -> None:
        if kind is None:
            self.close()


def _parse_header(header: bytes) -> tuple[KdfParameters, bytes, int]:
    if len(header) != HEADER_SIZE or not header.startswith(MAGIC):
        raise DecryptionError("not a backup file, or a format this version does not know")
    at = len(MAGIC)
    parameters = KdfParameters.decode(header[at : at + ENCODED_KDF_SIZE])
    at += ENCODED_KDF_SIZE
    salt = header[at : at + SALT_SIZE]
    chunk_size = int.from_bytes(header[-4:], "big")
    if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
        raise DecryptionError("chunk size out of bounds")
    return parameters, salt, chunk_size


class BackupReader:
    """A readable stream of a backup's plaintext; each byte is authenticated before it is read.

    The first chunk is opened on construction, so a wrong passphrase is known before the
    caller does anything. Any fault, including a file cut short, raises `DecryptionError`
    from the read that reaches it: a caller writes what it reads somewhere temporary and
    keeps it only once a read has returned b"" (the end, verified).
    """

    def __init__(self, src: BinaryIO, passphrase: str) -> None:
        try:
            secret = _passphrase_bytes(passphrase, 1)
        except ValueError:
            raise DecryptionError("wrong passphrase") from None
        self._header = _read_exactly(src, HEADER_SIZE)
        parameters, salt, chunk_size = _parse_header(self._header)
        self._aead = AESGCM(argon2id_key(secret, salt, parameters))
        self._src = src
        self._sealed_size = chunk_size + TAG_SIZE
        self._index = 0
        self._next = _read_exactly(src, self._sealed_size)
        self._plain = bytearray()
        self._done = False
        self._open_next()

    def _open_next(self) -> None:
        current = self._next
        self._next = _read_exactly(self._src, self._sealed_size)
        last = not self._next
        if len(current) < TAG_SIZE or (not last and len(current) != self._sealed_size):
            raise DecryptionError("the backup is cut short or damaged")
        try:
            plain = self._aead.decrypt(_nonce(self._index, last), current, self._header)
        except InvalidTag:
            raise DecryptionError("wrong passphrase, or the backup is damaged") from None
        self._index += 1
        self._plain += plain
        self._done = last

    def read(self, size: int = -1) -> bytes:
        while not self._done and (size < 0 or len(self._plain) < size):
            self._open_next()
        if size < 0:
            size = len(self._plain)
        data = bytes(self._plain[:size])
        del self._plain[:size]
        return data


def _read_exactly(src: BinaryIO, size: int) -> bytes:
    """Up to `size` bytes, fewer only at the end of the stream."""
    parts, wanted = [], size
    while wanted:
        part = src.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)
