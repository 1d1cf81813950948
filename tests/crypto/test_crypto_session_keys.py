import secrets

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from movements.crypto import (
    DecryptionError,
    associated_data,
    generate_keypair,
    open_session_key,
    private_bytes,
    seal_session_key,
    session_keys,
)

SECRET = bytes.fromhex("a5" * 32)
CONTEXT = associated_data("login_session", "sealed_key", "ab" * 32, 7, b"\x01" * 32)

KAT_TOKEN = "q" * 43
KAT_KEY = bytes(range(32))
KAT_NONCE = bytes.fromhex("0f0e0d0c0b0a090807060504")


@pytest.fixture
def key():
    return private_bytes(generate_keypair()[0])


@pytest.fixture
def token():
    return secrets.token_urlsafe(32)


def sealed(key, token, *, secret=SECRET, context=CONTEXT):
    return seal_session_key(key, token, server_secret=secret, context=context)


def opened(blob, token, *, secret=SECRET, context=CONTEXT):
    return open_session_key(blob, token, server_secret=secret, context=context)


def test_the_cookie_token_opens_what_was_sealed_at_sign_in(key, token):
    assert opened(sealed(key, token), token) == key


def test_the_layout_rebuilt_from_hkdf_and_aes_gcm_gives_the_same_bytes():
    blob = session_keys._seal_c1(KAT_KEY, KAT_TOKEN, SECRET, CONTEXT, KAT_NONCE)
    aes_key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=SECRET,
        info=b"movements-onion session key C1\x00" + CONTEXT,
    ).derive(KAT_TOKEN.encode())
    header = b"C1" + KAT_NONCE
    assert blob == header + AESGCM(aes_key).encrypt(KAT_NONCE, KAT_KEY, header + CONTEXT)
    assert len(blob) == 62


def test_another_cookie_opens_nothing(key, token):
    with pytest.raises(DecryptionError):
        opened(sealed(key, token), secrets.token_urlsafe(32))


def test_the_same_cookie_without_the_server_secret_opens_nothing(key, token):
    with pytest.raises(DecryptionError):
        opened(sealed(key, token), token, secret=bytes.fromhex("5a" * 32))


@pytest.mark.parametrize(
    "other",
    [
        associated_data("login_session", "sealed_key", "cd" * 32, 7, b"\x01" * 32),
        associated_data("login_session", "sealed_key", "ab" * 32, 8, b"\x01" * 32),
        associated_data("login_session", "sealed_key", "ab" * 32, 7, b"\x02" * 32),
    ],
    ids=["another session", "another user", "another key pair"],
)
def test_a_blob_moved_to_another_session_user_or_key_pair_opens_nothing(key, token, other):
    with pytest.raises(DecryptionError):
        opened(sealed(key, token), token, context=other)


def test_every_flipped_bit_is_refused(key, token):
    blob = sealed(key, token)
    for index in range(len(blob)):
        for bit in (0, 7):
            damaged = bytearray(blob)
            damaged[index] ^= 1 << bit
            with pytest.raises(DecryptionError):
                opened(bytes(damaged), token)


@pytest.mark.parametrize("cut", [0, 1, 14, 61])
def test_truncated_or_extended_blobs_are_refused(key, token, cut):
    blob = sealed(key, token)
    with pytest.raises(DecryptionError):
        opened(blob[:cut], token)
    with pytest.raises(DecryptionError):
        opened(blob + b"\x00", token)


def test_the_blob_holds_neither_the_key_nor_the_token(key, token):
    blob = sealed(key, token)
    assert key not in blob and token.encode() not in blob
    assert sealed(key, token) != blob  # a fresh nonce each time


def test_weak_tokens_and_secrets_are_refused(key, token):
    for weak in ("", "short", "a" * 31):
        with pytest.raises(ValueError):
            sealed(key, weak)
        with pytest.raises(ValueError):
            opened(sealed(key, token), weak)
    with pytest.raises(ValueError):
        sealed(key, token, secret=b"too short")


def test_only_a_private_key_is_sealed(token):
    for wrong in (b"", b"k" * 31, b"k" * 33):
        with pytest.raises(ValueError):
            sealed(wrong, token)
    with pytest.raises(TypeError):
        sealed("a str is a mistake", token)
