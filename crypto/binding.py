"""Canonical associated data: what a ciphertext is bound to.

A contact value is bound to its table, column and row, so copying its ciphertext into
another row or column makes it fail to open. Each part is length-prefixed, so the parts
("a|b", "c") and ("a", "b|c") give different bytes; joining with a separator would not.
"""

from ._blob import as_bytes

_MAX_PART = 2**32 - 1


def associated_data(*parts: str | bytes | int) -> bytes:
    """Encode `parts` as a sequence of (4-byte big-endian length, bytes).

    str is UTF-8, int is its decimal digits (so a row id may be given as 5 or "5" and means
    the same row), bytes are taken as they are.
    """
    if not parts:
        raise ValueError("associated data needs at least one part")
    out = bytearray()
    for part in parts:
        encoded = _encode(part)
        if len(encoded) > _MAX_PART:
            raise ValueError("associated data part too long")
        out += len(encoded).to_bytes(4, "big") + encoded
    return bytes(out)


def _encode(part: str | bytes | int) -> bytes:
    if isinstance(part, bool):
        raise TypeError("a bool is not a meaningful associated data part")
    if isinstance(part, int):
        return str(part).encode("ascii")
    if isinstance(part, str):
        return part.encode("utf-8")
    return as_bytes(part, "associated data part")
