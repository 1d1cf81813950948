import pytest
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from movements.crypto import (
    KDF_PARAMETERS,
    DecryptionError,
    KdfParameters,
    associated_data,
    current_kdf_parameters,
    generate_keypair,
    kdf_parameters_of,
    needs_rewrap,
    private_bytes,
    private_from_bytes,
    public_bytes,
    unwrap_private_key,
    use_kdf_parameters,
    userkeys,
    wrap_private_key,
)

PASSWORD = "correct horse battery"

# Known answer: RFC 7748's Alice as the private key, t=1 m=8 KiB p=1, salt 00..0f,
# nonce a0..ab, no context.
KAT_PRIVATE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
KAT_SALT = bytes(range(16))
KAT_NONCE = bytes.fromhex("a0a1a2a3a4a5a6a7a8a9aaab")
KAT_BLOB = bytes.fromhex(
    "5731000000010000000800000001000102030405060708090a0b0c0d0e0fa0a1"
    "a2a3a4a5a6a7a8a9aaab62be9ea82f149a58050727728b8545438ea885f674eb"
    "87676c94cf1c5f52ae938e1e27832de98eccf27c0b7b8e4b2db9"
)


def _same_key(a: X25519PrivateKey, b: X25519PrivateKey) -> bool:
    return private_bytes(a) == private_bytes(b)


# -- parameters


def test_production_parameters_are_rfc_9106_low_memory():
    assert (KDF_PARAMETERS.time_cost, KDF_PARAMETERS.memory_cost, KDF_PARAMETERS.parallelism) == (
        3,
        64 * 1024,
        4,
    )


def test_tests_run_with_cheap_parameters(cheap_kdf):
    assert current_kdf_parameters() == cheap_kdf != KDF_PARAMETERS


@pytest.mark.parametrize(
    "fields", [(0, 8, 1), (1, 0, 1), (1, 8, 0), (1, 8, 2), (1, True, 1), (1.0, 8, 1)]
)
def test_invalid_parameters_are_refused(fields):
    with pytest.raises(ValueError):
        KdfParameters(*fields)


def test_parameters_beyond_the_maximum_cannot_be_set():
    with pytest.raises(ValueError):
        use_kdf_parameters(KdfParameters(time_cost=3, memory_cost=4 * 1024 * 1024, parallelism=4))


# -- the format


def test_known_answer_blob_is_pinned(cheap_kdf):
    blob = userkeys._wrap_v1(KAT_PRIVATE, PASSWORD.encode(), cheap_kdf, KAT_SALT, KAT_NONCE, b"")
    assert blob == KAT_BLOB


def test_known_answer_blob_unwraps():
    assert private_bytes(unwrap_private_key(KAT_BLOB, PASSWORD)) == KAT_PRIVATE


def test_layout_is_header_with_parameters_salt_nonce_then_gcm():
    parameters = b"".join(value.to_bytes(4, "big") for value in (1, 8, 1))
    header = b"W1" + parameters + KAT_SALT + KAT_NONCE
    key = hash_secret_raw(PASSWORD.encode(), KAT_SALT, 1, 8, 1, 32, Type.ID, 0x13)
    assert header + AESGCM(key).encrypt(KAT_NONCE, KAT_PRIVATE, header) == KAT_BLOB
    assert len(KAT_BLOB) == 90


def test_parameters_are_stored_in_the_blob_and_old_blobs_still_open(cheap_kdf):
    private_key, _ = generate_keypair()
    old = wrap_private_key(private_key, PASSWORD)
    stronger = KdfParameters(time_cost=2, memory_cost=16, parallelism=2)
    use_kdf_parameters(stronger)
    assert kdf_parameters_of(old) == cheap_kdf
    assert needs_rewrap(old)
    assert _same_key(unwrap_private_key(old, PASSWORD), private_key)
    new = wrap_private_key(private_key, PASSWORD)
    assert kdf_parameters_of(new) == stronger
    assert not needs_rewrap(new)


# -- round trips


def test_keypair_public_bytes_match_the_private_key():
    private_key, public = generate_keypair()
    assert len(public) == 32
    assert public == public_bytes(private_key)


def test_private_bytes_round_trip_for_the_session_store():
    private_key, _ = generate_keypair()
    raw = private_bytes(private_key)
    assert len(raw) == 32
    assert _same_key(private_from_bytes(raw), private_key)
    assert _same_key(private_from_bytes(memoryview(raw)), private_key)
    with pytest.raises(ValueError):
        private_from_bytes(raw[:31])


@pytest.mark.parametrize("secret", [PASSWORD, "пароль-очень-длинный", "x", "a" * 1024])
def test_wrap_unwrap_round_trip(secret):
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, secret)
    assert len(blob) == 90
    assert _same_key(unwrap_private_key(blob, secret), private_key)


def test_each_wrap_has_its_own_salt_and_nonce():
    private_key, _ = generate_keypair()
    one, two = wrap_private_key(private_key, PASSWORD), wrap_private_key(private_key, PASSWORD)
    assert one[14:42] != two[14:42]


def test_password_and_recovery_code_wrap_the_same_key_independently():
    private_key, _ = generate_keypair()
    by_password = wrap_private_key(private_key, PASSWORD)
    by_code = wrap_private_key(private_key, "0a1b2c3d4e5f6a7b8c9d")
    assert _same_key(unwrap_private_key(by_password, PASSWORD), private_key)
    assert _same_key(unwrap_private_key(by_code, "0a1b2c3d4e5f6a7b8c9d"), private_key)
    with pytest.raises(DecryptionError):
        unwrap_private_key(by_code, PASSWORD)


def test_context_binds_the_blob_to_its_slot():
    private_key, _ = generate_keypair()
    slot = associated_data("user", 1, "password")
    blob = wrap_private_key(private_key, PASSWORD, context=slot)
    assert _same_key(unwrap_private_key(blob, PASSWORD, context=slot), private_key)
    for wrong in (b"", associated_data("user", 2, "password"), associated_data("user", 1, "code")):
        with pytest.raises(DecryptionError):
            unwrap_private_key(blob, PASSWORD, context=wrong)


# -- failures


@pytest.mark.parametrize(
    "wrong", ["correct horse batterY", "correct horse battery ", "", "a" * 1025]
)
def test_wrong_secret_fails_closed(wrong):
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, PASSWORD)
    with pytest.raises(DecryptionError):
        unwrap_private_key(blob, wrong)


def test_empty_or_overlong_secret_cannot_wrap():
    private_key, _ = generate_keypair()
    for secret in ("", "a" * 1025):
        with pytest.raises(ValueError):
            wrap_private_key(private_key, secret)
    with pytest.raises(TypeError):
        wrap_private_key(private_key, PASSWORD.encode())


def test_every_flipped_bit_fails_closed(monkeypatch):
    # Flipping a high bit of the memory field asks argon2 for up to 1 GiB, which the
    # production maximum allows; a small maximum keeps this test's memory modest while
    # still checking that every flip either is refused or fails authentication.
    monkeypatch.setattr(userkeys, "MAX_KDF_PARAMETERS", KdfParameters(16, 4096, 16))
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, PASSWORD)
    for position in range(len(blob) * 8):
        tampered = bytearray(blob)
        tampered[position // 8] ^= 1 << (position % 8)
        with pytest.raises(DecryptionError):
            unwrap_private_key(bytes(tampered), PASSWORD)


def test_every_truncation_and_extension_fails_closed():
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, PASSWORD)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            unwrap_private_key(blob[:length], PASSWORD)
    for extra in (b"\x00", bytes(16), bytes(256)):
        with pytest.raises(DecryptionError):
            unwrap_private_key(blob + extra, PASSWORD)


@pytest.mark.parametrize("version", [b"W0", b"W2", b"K1", b"S1"])
def test_unknown_version_fails_closed(version):
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, PASSWORD)
    with pytest.raises(DecryptionError):
        unwrap_private_key(version + blob[2:], PASSWORD)


@pytest.mark.parametrize(
    "fields",
    [
        (3, 4 * 1024 * 1024, 4),  # 4 GiB of memory
        (1000, 8, 1),
        (1, 8 * 255, 255),
        (0, 8, 1),
        (1, 8, 0),
        (1, 8, 2),  # less than 8 KiB per lane
    ],
)
def test_absurd_stored_parameters_are_refused_before_any_work(fields):
    private_key, _ = generate_keypair()
    blob = wrap_private_key(private_key, PASSWORD)
    header = b"W1" + b"".join(field.to_bytes(4, "big") for field in fields)
    with pytest.raises(DecryptionError):
        unwrap_private_key(header + blob[14:], PASSWORD)


def test_blob_wrapped_for_one_user_does_not_unwrap_anothers_key():
    alice, _ = generate_keypair()
    bob, _ = generate_keypair()
    alice_blob = wrap_private_key(alice, PASSWORD)
    bob_blob = wrap_private_key(bob, "bob's own password")
    assert not _same_key(unwrap_private_key(alice_blob, PASSWORD), bob)
    with pytest.raises(DecryptionError):
        unwrap_private_key(bob_blob, PASSWORD)
