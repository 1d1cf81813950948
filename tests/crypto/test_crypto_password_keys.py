"""P1 password records and W2 wrapped keys: one argon2id run, two independent keys."""

import base64

import pytest
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from movements.crypto import (
    DecryptionError,
    KdfParameters,
    check_password,
    generate_keypair,
    new_password_keys,
    private_bytes,
    record_parameters,
    unwrap_with_key,
    userkeys,
    wrap_with_key,
)

PASSWORD = "correct horse battery"


def _unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def test_the_record_is_argon2id_then_hkdf_as_documented(cheap_kdf):
    keys = new_password_keys(PASSWORD)
    prefix, costs, salt, verifier = keys.record.rsplit("$", 3)
    assert prefix == "$argon2id-hkdf-v1" and costs == "m=8,t=1,p=1"
    stretched = hash_secret_raw(PASSWORD.encode(), _unb64(salt), 1, 8, 1, 32, Type.ID, version=0x13)

    def expand(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(stretched)

    assert _unb64(verifier) == expand(b"movements password record v1: verifier")
    assert keys.wrapping_key == expand(b"movements password record v1: wrapping key")
    assert keys.wrapping_key != _unb64(verifier)


def test_the_right_password_gives_the_wrapping_key_and_a_wrong_one_nothing(cheap_kdf):
    keys = new_password_keys(PASSWORD)
    assert check_password(keys.record, PASSWORD) == keys.wrapping_key
    assert check_password(keys.record, PASSWORD + " ") is None
    assert check_password(keys.record, "") is None


def test_each_record_has_its_own_salt(cheap_kdf):
    first, second = new_password_keys(PASSWORD), new_password_keys(PASSWORD)
    assert first.record != second.record and first.wrapping_key != second.wrapping_key


def test_the_record_names_its_cost_so_a_higher_one_later_still_checks(cheap_kdf):
    keys = new_password_keys(PASSWORD)
    stronger = KdfParameters(time_cost=2, memory_cost=16, parallelism=1)
    assert record_parameters(new_password_keys(PASSWORD, stronger).record) == stronger
    assert record_parameters(keys.record) == cheap_kdf
    assert check_password(keys.record, PASSWORD) == keys.wrapping_key


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: r.replace("m=8", "m=4194304"),  # 4 GiB: beyond what a record may ask
        lambda r: r.replace("t=1", "t=0"),
        lambda r: r[:-1],
        lambda r: r[:-2] + ("A" if r[-2] != "A" else "B") + r[-1],
        lambda r: r.replace("$argon2id-hkdf-v1$", "$argon2id-hkdf-v2$"),
        lambda r: r + "$",
        lambda _r: "",
    ],
)
def test_a_damaged_or_tampered_record_matches_no_password(cheap_kdf, damage, monkeypatch):
    record = damage(new_password_keys(PASSWORD).record)
    assert check_password(record, PASSWORD) is None


def test_a_record_beyond_the_bounds_runs_no_argon2(cheap_kdf, monkeypatch):
    record = new_password_keys(PASSWORD).record.replace("m=8", "m=4194304")
    ran = []
    monkeypatch.setattr(userkeys, "argon2id_raw", lambda *a, **k: ran.append(a))
    assert check_password(record, PASSWORD) is None and ran == []


def test_the_wrapped_key_opens_with_its_record_and_context_only(cheap_kdf):
    private, _public = generate_keypair()
    keys = new_password_keys(PASSWORD)
    blob = wrap_with_key(private, keys.wrapping_key, context=b"user 7")
    assert blob.startswith(b"W2") and len(blob) == 62
    opened = unwrap_with_key(blob, check_password(keys.record, PASSWORD), context=b"user 7")
    assert private_bytes(opened) == private_bytes(private)
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, keys.wrapping_key, context=b"user 8")
    with pytest.raises(DecryptionError):
        unwrap_with_key(blob, new_password_keys(PASSWORD).wrapping_key, context=b"user 7")
    tampered = blob[:20] + bytes([blob[20] ^ 1]) + blob[21:]
    with pytest.raises(DecryptionError):
        unwrap_with_key(tampered, keys.wrapping_key, context=b"user 7")
    with pytest.raises(DecryptionError):
        unwrap_with_key(b"W1" + blob[2:], keys.wrapping_key, context=b"user 7")
