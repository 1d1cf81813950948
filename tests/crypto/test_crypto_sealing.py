import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from movements.crypto import (
    DecryptionError,
    associated_data,
    generate_keypair,
    open_sealed,
    seal,
    sealing,
)

# RFC 7748 section 6.1: Alice is the recipient, Bob's key serves as the ephemeral key.
ALICE = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
ALICE_PUBLIC = bytes.fromhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
BOB = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
BOB_PUBLIC = bytes.fromhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
SHARED = bytes.fromhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")

KAT_NONCE = bytes.fromhex("0f0e0d0c0b0a090807060504")
KAT_PLAINTEXT = b"meet at the usual place"
KAT_CONTEXT = associated_data("message", "body", 42, "to", 1)
KAT_BLOB = bytes.fromhex(
    "5331300c9c9603b92a4bde9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78"
    "674dadfc7e146f882b4f0f0e0d0c0b0a0908070605046d7a42db1984421a287e"
    "b6798c485b8f07f2b8e666aee2c7d3f54fc8e75428399ad71db12ab7d49e2a45"
    "3cc4847c80d4c15c4097f19a186cad511a0a8ce6af5e041180c90537d37cdbc8"
    "287a5a0ab1e1318852fc9f30ded5efe562a4adebde9783d3064b972ea5177895"
    "8d14585c8de7eabeb16d32d5d6d62c6d26a177af542777a861e8b6ab43597d85"
    "f474d8db5575130c8aaaea68933fe829ef442e020eabdb145028c90f578f1359"
    "99d1d6492772aa46d641bd3bcfd1ed10086ab46a9561228c002c084a9069d920"
    "b3c9b6e31e493edf1284e2b6c18f4fe7cfef1f9a8a36b363b041b52b14695411"
    "d01384ffc17ffaad53ffcf83e1ef2ac80c41685d2f325e0102c4ecc998612ebb"
    "02daa64671e7"
)

CONTEXT = associated_data("contact", "value", 7, "to", 1)


def _alice():
    return X25519PrivateKey.from_private_bytes(ALICE)


@pytest.fixture
def recipient():
    return generate_keypair()


# -- the format


def test_known_answer_blob_is_pinned():
    blob = sealing._seal_v1(
        KAT_PLAINTEXT,
        ALICE_PUBLIC,
        KAT_CONTEXT,
        X25519PrivateKey.from_private_bytes(BOB),
        KAT_NONCE,
    )
    assert blob == KAT_BLOB


def test_known_answer_blob_opens_with_the_recipients_key():
    assert open_sealed(KAT_BLOB, _alice(), KAT_CONTEXT) == KAT_PLAINTEXT


def test_layout_rebuilt_from_the_primitives():
    """RFC 7748's shared secret, HKDF-SHA256 and AES-GCM composed by hand give the same bytes."""
    key_id = hashlib.sha256(ALICE_PUBLIC).digest()[:8]
    header = b"S1" + key_id + BOB_PUBLIC + KAT_NONCE
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=BOB_PUBLIC + ALICE_PUBLIC,
        info=b"movements-onion seal S1\x00" + KAT_CONTEXT,
    ).derive(SHARED)
    padded = KAT_PLAINTEXT + b"\x80" + bytes(256 - len(KAT_PLAINTEXT) - 1)
    assert header + AESGCM(key).encrypt(KAT_NONCE, padded, header + KAT_CONTEXT) == KAT_BLOB
    assert len(KAT_BLOB) == 2 + 8 + 32 + 12 + 256 + 16


# -- round trips and lengths


@pytest.mark.parametrize("plaintext", [b"", b"@activist:matrix.org", "信号".encode(), bytes(700)])
def test_round_trip(recipient, plaintext):
    private_key, public = recipient
    assert open_sealed(seal(plaintext, public, CONTEXT), private_key, CONTEXT) == plaintext


def test_ciphertext_length_hides_length_within_a_bucket(recipient):
    _, public = recipient
    one, full = seal(b"x", public, CONTEXT), seal(b"x" * 255, public, CONTEXT)
    assert len(one) == len(full) == 2 + 8 + 32 + 12 + 256 + 16
    assert len(seal(b"x" * 256, public, CONTEXT)) == len(one) + 256


def test_each_seal_uses_a_fresh_ephemeral_key(recipient):
    _, public = recipient
    one, two = seal(b"same", public, CONTEXT), seal(b"same", public, CONTEXT)
    assert one[10:42] != two[10:42]
    assert one != two


def test_a_message_sealed_to_both_parties_opens_for_each():
    activist, provider = generate_keypair(), generate_keypair()
    copies = {
        who: seal(b"hello", public, associated_data("message", "body", 9, "to", who))
        for who, (_, public) in (("activist", activist), ("provider", provider))
    }
    for who, (private_key, _) in (("activist", activist), ("provider", provider)):
        context = associated_data("message", "body", 9, "to", who)
        assert open_sealed(copies[who], private_key, context) == b"hello"


def test_bad_recipient_key_is_a_programming_error(recipient):
    _, public = recipient
    with pytest.raises(ValueError):
        seal(b"x", public[:31], CONTEXT)
    with pytest.raises(ValueError):  # a low-order point would give an all-zero secret
        seal(b"x", bytes(32), CONTEXT)


# -- every tamper case fails closed


def test_every_flipped_bit_fails_closed(recipient):
    private_key, public = recipient
    blob = seal(b"@activist:matrix.org", public, CONTEXT)
    for position in range(len(blob) * 8):
        tampered = bytearray(blob)
        tampered[position // 8] ^= 1 << (position % 8)
        with pytest.raises(DecryptionError):
            open_sealed(bytes(tampered), private_key, CONTEXT)


def test_every_truncation_fails_closed(recipient):
    private_key, public = recipient
    blob = seal(b"value", public, CONTEXT)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            open_sealed(blob[:length], private_key, CONTEXT)


@pytest.mark.parametrize("extra", [b"\x00", bytes(16), bytes(256)])
def test_extended_blob_fails_closed(recipient, extra):
    private_key, public = recipient
    with pytest.raises(DecryptionError):
        open_sealed(seal(b"value", public, CONTEXT) + extra, private_key, CONTEXT)


@pytest.mark.parametrize(
    "other",
    [
        associated_data("contact", "value", 8, "to", 1),  # another row
        associated_data("contact", "label", 7, "to", 1),  # another column
        associated_data("message", "value", 7, "to", 1),  # another table
        associated_data("contact", "value", 7, "to", 2),  # another recipient
        b"",
    ],
)
def test_blob_moved_to_another_context_fails_closed(recipient, other):
    private_key, public = recipient
    with pytest.raises(DecryptionError):
        open_sealed(seal(b"value", public, CONTEXT), private_key, other)


def test_blob_sealed_to_another_user_fails_closed(recipient):
    _, public = recipient
    stranger, _ = generate_keypair()
    with pytest.raises(DecryptionError, match="another key"):  # refused before any work
        open_sealed(seal(b"value", public, CONTEXT), stranger, CONTEXT)


def test_blob_relabelled_for_another_user_still_fails_closed(recipient):
    """Rewriting the key id to the stranger's passes the first check, not the tag."""
    _, public = recipient
    stranger, stranger_public = generate_keypair()
    blob = seal(b"value", public, CONTEXT)
    relabelled = b"S1" + sealing.key_id(stranger_public) + blob[10:]
    with pytest.raises(DecryptionError):
        open_sealed(relabelled, stranger, CONTEXT)


def test_low_order_ephemeral_key_fails_closed(recipient):
    private_key, public = recipient
    blob = seal(b"value", public, CONTEXT)
    with pytest.raises(DecryptionError):
        open_sealed(blob[:10] + bytes(32) + blob[42:], private_key, CONTEXT)


@pytest.mark.parametrize("version", [b"S0", b"S2", b"K1", b"W1"])
def test_unknown_version_fails_closed(recipient, version):
    private_key, public = recipient
    blob = seal(b"value", public, CONTEXT)
    with pytest.raises(DecryptionError):
        open_sealed(version + blob[2:], private_key, CONTEXT)


def test_keyring_blob_is_not_a_sealed_blob(recipient, keyring):
    private_key, _ = recipient
    with pytest.raises(DecryptionError):
        open_sealed(keyring.encrypt(b"value", CONTEXT), private_key, CONTEXT)
