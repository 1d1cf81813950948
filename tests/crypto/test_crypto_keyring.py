import os
import stat

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from movements.crypto import DecryptionError, Keyring, KeyringError, associated_data
from movements.crypto import keyring as keyring_module

AD = associated_data("contact", "value", 7)

# Known answer: key bytes(range(32)), key id 0a0b0c0d, nonce 00..0b, the AD above.
KAT_KEY = bytes(range(32))
KAT_KEY_ID = bytes.fromhex("0a0b0c0d")
KAT_NONCE = bytes.fromhex("000102030405060708090a0b")
KAT_PLAINTEXT = b"signal: +1 555 0100"
KAT_BLOB = bytes.fromhex(
    "4b310a0b0c0d000102030405060708090a0b346bb175a489f83ba670b7be84dc"
    "585db2e6b7b4f07b5f7c3867e5851d6900b20110aefcafc1129874a47fed8887"
    "2838ee59608d5ad6a3da3f972a1918e3f5eef03cc67ad3d126611c54aa6eef8f"
    "0ee8388ac96276635368fdfd9ecc78f0b98dcbf859e6a441c81a9e1c3eb24875"
    "217fba6762abe3c5259a4dff57cd82e66e0ebb5200c6b4d7cb5308e148a13dda"
    "4cc236f4e3353511934a8c5fe877fad2e9ee93979e15e9ffcc7ea763ddfadf80"
    "86bb9dceca228bab73bc65dfc0c771c5b7f3134c8afa0dddd6c93756d3e6ba41"
    "d984e17ef8763d00baf171919ac741488ffa4323d4afe62003255247b808b511"
    "7c51a893b9759d3089a5176b67738b9c4281050228d7be0301fe14c0db44c068"
    "4538"
)


def _kat_keyring(directory):
    """A keyring directory holding only the known-answer key, written as an operator would."""
    directory.mkdir(mode=0o700)
    for name, data in (("0a0b0c0d.key", KAT_KEY), ("active", b"0a0b0c0d\n")):
        path = directory / name
        path.write_bytes(data)
        path.chmod(0o600)
    return Keyring.open(directory, create=False)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


# -- the format


def test_known_answer_blob_is_pinned():
    blob = keyring_module._encrypt_v1(AESGCM(KAT_KEY), KAT_KEY_ID, KAT_NONCE, KAT_PLAINTEXT, AD)
    assert blob == KAT_BLOB


def test_known_answer_blob_opens_with_a_keyring_holding_that_key(tmp_path):
    assert _kat_keyring(tmp_path / "keys").decrypt(KAT_BLOB, AD) == KAT_PLAINTEXT


def test_layout_is_header_then_gcm_over_padded_plaintext_with_header_in_the_ad():
    header = b"K1" + KAT_KEY_ID + KAT_NONCE
    padded = KAT_PLAINTEXT + b"\x80" + bytes(256 - len(KAT_PLAINTEXT) - 1)
    expected = header + AESGCM(KAT_KEY).encrypt(KAT_NONCE, padded, header + AD)
    assert expected == KAT_BLOB
    assert len(KAT_BLOB) == 2 + 4 + 12 + 256 + 16


# -- round trips and lengths


@pytest.mark.parametrize("plaintext", [b"", b"x", "حقوق الإنسان".encode(), bytes(range(256)) * 3])
def test_round_trip(keyring, plaintext):
    assert keyring.decrypt(keyring.encrypt(plaintext, AD), AD) == plaintext


def test_ciphertext_length_hides_length_within_a_bucket(keyring):
    one, full = keyring.encrypt(b"x", AD), keyring.encrypt(b"x" * 255, AD)
    assert len(one) == len(full) == 2 + 4 + 12 + 256 + 16
    assert len(keyring.encrypt(b"x" * 256, AD)) == len(one) + 256


def test_same_value_encrypts_differently_each_time(keyring):
    assert keyring.encrypt(b"same", AD) != keyring.encrypt(b"same", AD)


def test_database_drivers_memoryview_is_accepted(keyring):
    blob = keyring.encrypt(b"value", AD)
    assert keyring.decrypt(memoryview(blob), AD) == b"value"


def test_a_str_blob_is_a_programming_error(keyring):
    with pytest.raises(TypeError):
        keyring.decrypt("not bytes", AD)


# -- every tamper case fails closed


def test_every_flipped_bit_fails_closed(keyring):
    blob = keyring.encrypt(b"signal: +1 555 0100", AD)
    for position in range(len(blob) * 8):
        tampered = bytearray(blob)
        tampered[position // 8] ^= 1 << (position % 8)
        with pytest.raises(DecryptionError):
            keyring.decrypt(bytes(tampered), AD)


def test_every_truncation_fails_closed(keyring):
    blob = keyring.encrypt(b"value", AD)
    for length in range(len(blob)):
        with pytest.raises(DecryptionError):
            keyring.decrypt(blob[:length], AD)


@pytest.mark.parametrize("extra", [b"\x00", bytes(16), bytes(256), b"\x80" + bytes(255)])
def test_extended_blob_fails_closed(keyring, extra):
    blob = keyring.encrypt(b"value", AD)
    with pytest.raises(DecryptionError):
        keyring.decrypt(blob + extra, AD)


@pytest.mark.parametrize(
    "other_ad",
    [
        associated_data("contact", "value", 8),  # another row
        associated_data("contact", "label", 7),  # another column
        associated_data("message", "value", 7),  # another table
        associated_data("contact", "value", "7", "extra"),
        b"",
    ],
)
def test_value_moved_to_another_row_column_or_table_fails_closed(keyring, other_ad):
    blob = keyring.encrypt(b"value", AD)
    with pytest.raises(DecryptionError):
        keyring.decrypt(blob, other_ad)


def test_ciphertexts_swapped_between_rows_fail_closed(keyring):
    row_1, row_2 = associated_data("contact", "value", 1), associated_data("contact", "value", 2)
    blob_1, blob_2 = keyring.encrypt(b"one", row_1), keyring.encrypt(b"two", row_2)
    for blob, ad in ((blob_1, row_2), (blob_2, row_1)):
        with pytest.raises(DecryptionError):
            keyring.decrypt(blob, ad)


def test_another_keyrings_blob_fails_closed(keyring, tmp_path):
    other = Keyring.open(tmp_path / "other")
    with pytest.raises(DecryptionError):
        keyring.decrypt(other.encrypt(b"value", AD), AD)


def test_same_key_id_with_a_different_key_fails_closed(tmp_path):
    kat = _kat_keyring(tmp_path / "keys")
    impostor = keyring_module._encrypt_v1(
        AESGCM(bytes(32)), KAT_KEY_ID, KAT_NONCE, KAT_PLAINTEXT, AD
    )
    with pytest.raises(DecryptionError):
        kat.decrypt(impostor, AD)


@pytest.mark.parametrize("version", [b"K0", b"K2", b"S1", b"W1", b"\x00\x00"])
def test_unknown_version_fails_closed(keyring, version):
    blob = keyring.encrypt(b"value", AD)
    with pytest.raises(DecryptionError):
        keyring.decrypt(version + blob[2:], AD)


def test_unknown_key_id_fails_closed(keyring):
    blob = keyring.encrypt(b"value", AD)
    unknown = b"K1" + bytes(4) + blob[6:]
    assert keyring.key_id_of(unknown) == "00000000"
    with pytest.raises(DecryptionError):
        keyring.decrypt(unknown, AD)


# -- rotation


def test_rotate_adds_an_active_key_and_old_blobs_still_open(keyring):
    first = keyring.active_key_id
    old = keyring.encrypt(b"old", AD)
    second = keyring.rotate()
    assert second != first
    assert keyring.active_key_id == second
    assert keyring.key_ids() == sorted([first, second])
    new = keyring.encrypt(b"new", AD)
    assert (keyring.key_id_of(old), keyring.key_id_of(new)) == (first, second)
    assert keyring.decrypt(old, AD) == b"old"
    assert keyring.decrypt(new, AD) == b"new"


def test_reencrypt_moves_a_value_to_the_active_key(keyring):
    old = keyring.encrypt(b"value", AD)
    new_id = keyring.rotate()
    moved = keyring.reencrypt(old, AD)
    assert keyring.key_id_of(moved) == new_id
    assert keyring.decrypt(moved, AD) == b"value"


def test_reencrypt_returns_a_value_already_under_the_active_key_unchanged(keyring):
    blob = keyring.encrypt(b"value", AD)
    assert keyring.reencrypt(blob, AD) == blob


def test_reencrypt_refuses_a_tampered_value(keyring):
    blob = bytearray(keyring.encrypt(b"value", AD))
    blob[-1] ^= 1
    keyring.rotate()
    with pytest.raises(DecryptionError):
        keyring.reencrypt(bytes(blob), AD)


def test_retire_refuses_while_values_still_use_the_key(keyring):
    old_id = keyring.active_key_id
    keyring.rotate()
    with pytest.raises(KeyringError, match="still use"):
        keyring.retire(old_id, remaining_uses=3)
    assert old_id in keyring.key_ids()


def test_retire_refuses_the_active_key_and_unknown_ids(keyring):
    with pytest.raises(KeyringError, match="active"):
        keyring.retire(keyring.active_key_id, remaining_uses=0)
    with pytest.raises(KeyringError):
        keyring.retire("00000000", remaining_uses=0)
    with pytest.raises(KeyringError):
        keyring.retire("../active", remaining_uses=0)


def test_rotate_reencrypt_retire_leaves_only_the_new_key(keyring, tmp_path):
    rows = {row: keyring.encrypt(f"value {row}".encode(), _row(row)) for row in range(5)}
    old_id = keyring.active_key_id
    new_id = keyring.rotate()
    rows = {row: keyring.reencrypt(blob, _row(row)) for row, blob in rows.items()}
    remaining = sum(keyring.key_id_of(blob) == old_id for blob in rows.values())
    keyring.retire(old_id, remaining_uses=remaining)
    assert keyring.key_ids() == [new_id]
    assert not (tmp_path / "keys" / f"{old_id}.key").exists()
    assert all(
        keyring.decrypt(blob, _row(row)) == f"value {row}".encode() for row, blob in rows.items()
    )


def test_a_retired_keys_blobs_no_longer_open(keyring):
    old_id = keyring.active_key_id
    blob = keyring.encrypt(b"value", AD)
    keyring.rotate()
    keyring.retire(old_id, remaining_uses=0)  # the caller's claim is wrong: this blob remains
    with pytest.raises(DecryptionError):
        keyring.decrypt(blob, AD)


def test_another_process_sees_a_rotation_without_restarting(tmp_path):
    app, command = Keyring.open(tmp_path / "keys"), Keyring.open(tmp_path / "keys")
    new_id = command.rotate()
    from_command = command.encrypt(b"re-encrypted", AD)
    assert app.decrypt(from_command, AD) == b"re-encrypted"
    assert app.key_id_of(app.encrypt(b"written after", AD)) == new_id


def _row(row):
    return associated_data("contact", "value", row)


# -- the directory on disk


def test_new_keyring_is_private_on_disk(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    directory = tmp_path / "keys"
    assert _mode(directory) == 0o700
    assert _mode(directory / "active") == 0o600
    assert _mode(directory / f"{keyring.active_key_id}.key") == 0o600
    assert len((directory / f"{keyring.active_key_id}.key").read_bytes()) == 32
    assert {p.name for p in directory.iterdir()} == {f"{keyring.active_key_id}.key", "active"}


def test_new_keyring_is_private_whatever_the_umask(tmp_path):
    previous = os.umask(0)
    try:
        keyring = Keyring.open(tmp_path / "keys")
    finally:
        os.umask(previous)
    assert _mode(tmp_path / "keys") == 0o700
    assert _mode(tmp_path / "keys" / f"{keyring.active_key_id}.key") == 0o600


def test_reopening_keeps_the_keys(tmp_path):
    first = Keyring.open(tmp_path / "keys")
    blob = first.encrypt(b"value", AD)
    again = Keyring.open(tmp_path / "keys")
    assert again.active_key_id == first.active_key_id
    assert again.decrypt(blob, AD) == b"value"


def test_missing_keyring_is_not_created_when_told_not_to(tmp_path):
    with pytest.raises(KeyringError):
        Keyring.open(tmp_path / "keys", create=False)
    assert not (tmp_path / "keys").exists()


def test_directory_open_to_others_is_refused(tmp_path):
    Keyring.open(tmp_path / "keys")
    (tmp_path / "keys").chmod(0o750)
    with pytest.raises(KeyringError, match="chmod 700"):
        Keyring.open(tmp_path / "keys")


def test_key_file_open_to_others_is_refused(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    (tmp_path / "keys" / f"{keyring.active_key_id}.key").chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        Keyring.open(tmp_path / "keys")


def test_symlinked_key_file_is_refused(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    key_path = tmp_path / "keys" / f"{keyring.active_key_id}.key"
    elsewhere = tmp_path / "elsewhere"
    key_path.rename(elsewhere)
    key_path.symlink_to(elsewhere)
    with pytest.raises(KeyringError):
        Keyring.open(tmp_path / "keys")


def test_key_file_of_the_wrong_size_is_refused(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    (tmp_path / "keys" / f"{keyring.active_key_id}.key").write_bytes(bytes(31))
    with pytest.raises(KeyringError):
        Keyring.open(tmp_path / "keys")


def test_missing_active_key_is_refused(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    (tmp_path / "keys" / f"{keyring.active_key_id}.key").unlink()
    with pytest.raises(KeyringError, match="missing"):
        Keyring.open(tmp_path / "keys")


def test_crash_before_the_first_active_pointer_is_repaired(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    key_id = keyring.active_key_id
    (tmp_path / "keys" / "active").unlink()
    assert Keyring.open(tmp_path / "keys").active_key_id == key_id


def test_several_keys_without_an_active_one_is_refused(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    keyring.rotate()
    (tmp_path / "keys" / "active").unlink()
    with pytest.raises(KeyringError, match="no active"):
        Keyring.open(tmp_path / "keys")


def test_leftover_temporary_files_are_ignored(tmp_path):
    keyring = Keyring.open(tmp_path / "keys")
    leftover = tmp_path / "keys" / ".deadbeef.key.0123456789abcdef.tmp"
    leftover.write_bytes(b"half")
    leftover.chmod(0o600)
    assert Keyring.open(tmp_path / "keys").key_ids() == keyring.key_ids()


def test_repr_names_no_key_material(keyring):
    assert "active=" in repr(keyring)
    assert keyring.active_key_id in repr(keyring)


def test_keyring_broken_at_runtime_turns_reads_into_decryption_errors(tmp_path):
    app, command = Keyring.open(tmp_path / "keys"), Keyring.open(tmp_path / "keys")
    command.rotate()
    blob = command.encrypt(b"value", AD)
    (tmp_path / "keys").chmod(0o755)
    with pytest.raises(DecryptionError):
        app.decrypt(blob, AD)
