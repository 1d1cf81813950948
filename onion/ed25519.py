"""Just enough Edwards25519 arithmetic to get a public key out of tor's expanded secret key.

Why this exists: tor stores an onion service key as the 64-byte *expanded* secret key
(``a || prefix``: the clamped scalar and the nonce prefix, RFC 8032 section 5.1.5), not the
32-byte seed it came from, and the seed cannot be recovered. ``cryptography`` only builds keys
from seeds, so deriving the address of an imported key needs the scalar multiplication
``A = a·B`` done here. It is written for reading, not speed (a few milliseconds per key), and it
only ever handles a key the operator already holds, so constant time is not a concern here:
nothing secret is computed on behalf of a remote party.

Points use extended twisted Edwards coordinates (X, Y, Z, T) with x = X/Z, y = Y/Z, x·y = T/Z,
and the unified addition formula from Hisil–Wong–Carter–Dawson 2008 (for a = -1), which is
complete on this curve, so the same function also doubles.
"""

from __future__ import annotations

from .errors import InvalidKey

#: The field prime 2^255 - 19.
P = 2**255 - 19
#: The order of the base point (prime).
L = 2**252 + 27742317777372353535851937790883648493
#: The curve constant d = -121665/121666 of -x^2 + y^2 = 1 + d·x^2·y^2.
D = -121665 * pow(121666, -1, P) % P
#: A square root of -1 in the field, used when recovering x from y.
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = tuple[int, int, int, int]

#: The neutral element (0, 1).
IDENTITY: Point = (0, 1, 1, 0)


def _recover_x(y: int, sign: int) -> int | None:
    """Return the x with the given parity for which (x, y) is on the curve, or None."""
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, -1, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P != 0:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P != 0:
        return None
    if x & 1 != sign:
        x = P - x
    return x


_BASE_Y = 4 * pow(5, -1, P) % P
_BASE_X = 15112221349535400772501151409588531511454012693041857206046113283949847762202
#: The standard base point B (y = 4/5, x even).
BASE: Point = (_BASE_X, _BASE_Y, 1, _BASE_X * _BASE_Y % P)


def point_add(p: Point, q: Point) -> Point:
    """Add two points (also correct when p == q, so it doubles too)."""
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * D * t1 * t2 % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def scalar_mult(k: int, p: Point) -> Point:
    """Return k·p by double-and-add from the most significant bit."""
    result = IDENTITY
    for bit in bin(k)[2:] if k > 0 else "":
        result = point_add(result, result)
        if bit == "1":
            result = point_add(result, p)
    return result


def points_equal(p: Point, q: Point) -> bool:
    """Compare two points in projective form (X1/Z1 == X2/Z2 and Y1/Z1 == Y2/Z2)."""
    x1, y1, z1, _ = p
    x2, y2, z2, _ = q
    return (x1 * z2 - x2 * z1) % P == 0 and (y1 * z2 - y2 * z1) % P == 0


def encode_point(p: Point) -> bytes:
    """Encode a point as 32 bytes: y little-endian with the parity of x in the top bit."""
    x, y, z, _ = p
    z_inv = pow(z, -1, P)
    x, y = x * z_inv % P, y * z_inv % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def decode_point(data: bytes) -> Point:
    """Decode 32 bytes into a point, raising :class:`InvalidKey` if they are not one."""
    if len(data) != 32:
        raise InvalidKey("an ed25519 point is 32 bytes")
    value = int.from_bytes(data, "little")
    y, sign = value & ((1 << 255) - 1), value >> 255
    x = _recover_x(y, sign)
    if x is None:
        raise InvalidKey("bytes are not an ed25519 point")
    return (x, y, 1, x * y % P)


def is_valid_public_key(data: bytes) -> bool:
    """True if ``data`` is a point of the prime-order subgroup, as tor requires of a service key.

    tor refuses onion addresses whose key has a small-order (torsion) component, because such
    a key would let several addresses name one service; L·A must be the identity.
    """
    try:
        point = decode_point(data)
    except InvalidKey:
        return False
    return points_equal(scalar_mult(L, point), IDENTITY)


def public_key_from_scalar(scalar: bytes) -> bytes:
    """Return the 32-byte public key A = a·B for the 32-byte little-endian scalar ``a``."""
    if len(scalar) != 32:
        raise InvalidKey("an ed25519 scalar is 32 bytes")
    return encode_point(scalar_mult(int.from_bytes(scalar, "little"), BASE))
