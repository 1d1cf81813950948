"""Padding plaintexts to 256-byte buckets, so a ciphertext's length says little.

A plaintext of n bytes becomes 256 * (n // 256 + 1) bytes: the data, one 0x80 byte, then
zeros (the ISO/IEC 7816-4 scheme). The last non-zero byte marks where the data ends, so the
encoding is unambiguous and costs one byte: everything from 0 to 255 bytes fills one bucket.
Padding is always applied inside the authenticated encryption, so `unpad` only ever sees
bytes that were authenticated; it is strict anyway and rejects any non-canonical padding.
"""

from ._blob import as_bytes
from .errors import DecryptionError

BUCKET_SIZE = 256
_MARKER = b"\x80"


def padded_length(length: int) -> int:
    """The size of the bucket a plaintext of `length` bytes lands in."""
    if length < 0:
        raise ValueError("length must not be negative")
    return (length // BUCKET_SIZE + 1) * BUCKET_SIZE


def pad(data: bytes) -> bytes:
    data = as_bytes(data, "plaintext")
    zeros = padded_length(len(data)) - len(data) - 1
    return data + _MARKER + bytes(zeros)


def unpad(padded: bytes) -> bytes:
    padded = as_bytes(padded, "padded data")
    if not padded or len(padded) % BUCKET_SIZE:
        raise DecryptionError("padded length is not a whole number of buckets")
    stripped = padded.rstrip(b"\x00")
    if not stripped.endswith(_MARKER):
        raise DecryptionError("padding marker missing")
    data = stripped[:-1]
    if padded_length(len(data)) != len(padded):
        raise DecryptionError("padding longer than one bucket")
    return data
