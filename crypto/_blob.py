"""Small helpers shared by the blob formats."""


def as_bytes(value: object, what: str) -> bytes:
    """Accept what database drivers hand back (psycopg2 gives memoryview) but never an int.

    `bytes(5)` would silently be five zero bytes, and a str is a caller's mistake; both raise
    TypeError rather than being treated as a blob that fails to open.
    """
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
