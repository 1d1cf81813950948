"""v3 onion addresses: derivation from a key, and validation of what people paste."""

from __future__ import annotations

import base64
import hashlib

import pytest

from movements.onion import ed25519
from movements.onion.address import (
    address_from_public_key,
    is_valid_address,
    normalize_address,
    public_key_from_address,
)
from movements.onion.errors import InvalidOnionAddress

# RFC 8032 section 7.1, test 1: this public key, and the address tor's own unit tests expect
# for it (test_hs_common.c, test_build_address).
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
RFC8032_ADDRESS = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"


def test_address_of_rfc8032_key_matches_tor_test_vector():
    assert address_from_public_key(RFC8032_PUBLIC) == RFC8032_ADDRESS


def test_address_layout_follows_rend_spec():
    raw = base64.b32decode(RFC8032_ADDRESS.upper())
    assert raw[:32] == RFC8032_PUBLIC
    assert raw[34:] == b"\x03"
    expected = hashlib.sha3_256(b".onion checksum" + RFC8032_PUBLIC + b"\x03").digest()[:2]
    assert raw[32:34] == expected


def test_public_key_round_trips_through_the_address():
    assert public_key_from_address(RFC8032_ADDRESS + ".onion") == RFC8032_PUBLIC


@pytest.mark.parametrize(
    "text",
    [
        RFC8032_ADDRESS,
        RFC8032_ADDRESS + ".onion",
        RFC8032_ADDRESS.upper() + ".ONION",
        f"  {RFC8032_ADDRESS}.onion\n",
    ],
)
def test_accepts_address_with_or_without_suffix_in_any_case(text):
    assert normalize_address(text) == RFC8032_ADDRESS


def _with_checksum_and_version(public_key: bytes, version: bytes = b"\x03") -> str:
    checksum = hashlib.sha3_256(b".onion checksum" + public_key + version).digest()[:2]
    return base64.b32encode(public_key + checksum + version).decode().lower()


def _small_order_key() -> bytes:
    # The point (0, -1) has order 2: a valid encoding, but not a prime-order key.
    return (ed25519.P - 1).to_bytes(32, "little")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "duckduckgo.com",
        RFC8032_ADDRESS[:-1],  # too short
        RFC8032_ADDRESS + "a",  # too long
        RFC8032_ADDRESS[:-1] + "1",  # "1" is not in the base32 alphabet
        RFC8032_ADDRESS[:10] + "b" + RFC8032_ADDRESS[11:],  # checksum no longer matches
        _with_checksum_and_version(RFC8032_PUBLIC, b"\x04"),  # wrong version
        _with_checksum_and_version(_small_order_key()),  # torsion key
        "expyuzz4wqqyqhjn.onion",  # a retired v2 address
        "http://" + RFC8032_ADDRESS + ".onion",
    ],
)
def test_rejects_what_is_not_a_v3_address(text):
    assert not is_valid_address(text)
    with pytest.raises(InvalidOnionAddress):
        normalize_address(text)


def test_base_point_is_the_standard_one():
    assert ed25519._recover_x(ed25519.BASE[1], 0) == ed25519.BASE[0]
    assert ed25519.points_equal(ed25519.scalar_mult(ed25519.L, ed25519.BASE), ed25519.IDENTITY)
