import io

import pytest
from argon2.low_level import Type, hash_secret_raw
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from movements.crypto import DecryptionError, KdfParameters
from movements.crypto.backup_box import HEADER_SIZE, BackupReader, BackupWriter

PASSPHRASE = "correct horse battery staple"
CHEAP = KdfParameters(time_cost=1, memory_cost=8, parallelism=1)
CHUNK = 16

# Known answer: t=1 m=8 KiB p=1, salt 00..0f, 16-byte chunks, this plaintext.
KAT_SALT = bytes(range(16))
KAT_PLAINTEXT = b"movements onion backup, pinned"
KAT_BACKUP = bytes.fromhex(
    "4d4f5642414b3031000000010000000800000001000102030405060708090a0b0c0d0e0f00000010"
    "6746f99a9113bc0ffa54ad9cb680b838e1a2b98a368d6fcb6153e7e81be5eea3"
    "6c3ba1f0dd39b45f81bef88e755ad97a8bcc156883d2ce1f5ef81330d96c"
)


def sealed(plaintext: bytes, passphrase: str = PASSPHRASE, **options) -> bytes:
    out = io.BytesIO()
    with BackupWriter(
        out, passphrase, CHEAP, chunk_size=options.pop("chunk_size", CHUNK), **options
    ) as writer:
        writer.write(plaintext)
    return out.getvalue()


def opened(backup: bytes, passphrase: str = PASSPHRASE) -> bytes:
    return BackupReader(io.BytesIO(backup), passphrase).read()


def chunks_of(backup: bytes) -> list[bytes]:
    body = backup[HEADER_SIZE:]
    size = CHUNK + 16
    return [body[at : at + size] for at in range(0, len(body), size)]


# -- the format


def test_known_answer_backup_is_pinned():
    assert sealed(KAT_PLAINTEXT, salt=KAT_SALT) == KAT_BACKUP


def test_known_answer_backup_opens():
    assert opened(KAT_BACKUP) == KAT_PLAINTEXT


def test_layout_is_header_then_gcm_chunks_with_counter_and_last_flag_nonces():
    header = (
        b"MOVBAK01"
        + b"".join(value.to_bytes(4, "big") for value in (1, 8, 1))
        + KAT_SALT
        + CHUNK.to_bytes(4, "big")
    )
    key = hash_secret_raw(PASSPHRASE.encode(), KAT_SALT, 1, 8, 1, 32, Type.ID, 0x13)
    first = AESGCM(key).encrypt(bytes(11) + b"\x00", KAT_PLAINTEXT[:16], header)
    last = AESGCM(key).encrypt((1).to_bytes(11, "big") + b"\x01", KAT_PLAINTEXT[16:], header)
    assert header + first + last == KAT_BACKUP


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 5])
def test_round_trip_at_every_chunk_boundary(size):
    plaintext = bytes(range(256)) * 2
    assert opened(sealed(plaintext[:size])) == plaintext[:size]


def test_written_in_pieces_reads_back_in_pieces():
    out = io.BytesIO()
    with BackupWriter(out, PASSPHRASE, CHEAP, chunk_size=CHUNK) as writer:
        for piece in (b"abc", b"", b"d" * 40, b"e"):
            writer.write(piece)
    reader = BackupReader(io.BytesIO(out.getvalue()), PASSPHRASE)
    assert reader.read(2) + reader.read(30) + reader.read() == b"abc" + b"d" * 40 + b"e"
    assert reader.read() == b""


def test_every_backup_has_its_own_salt_and_so_its_own_key():
    assert sealed(b"same") != sealed(b"same")


def test_default_chunks_are_a_mebibyte():
    plaintext = b"x" * (1024 * 1024 + 1)
    out = io.BytesIO()
    with BackupWriter(out, PASSPHRASE, CHEAP) as writer:
        writer.write(plaintext)
    assert len(out.getvalue()) == HEADER_SIZE + len(plaintext) + 2 * 16
    assert BackupReader(io.BytesIO(out.getvalue()), PASSPHRASE).read() == plaintext


# -- refusals


@pytest.mark.parametrize("passphrase", ["", "short", "fifteen chars!!", "x" * 1025])
def test_a_weak_or_absurd_passphrase_is_refused_when_writing(passphrase):
    with pytest.raises(ValueError):
        BackupWriter(io.BytesIO(), passphrase, CHEAP)


def test_parameters_beyond_the_maximum_are_refused_when_writing():
    with pytest.raises(ValueError):
        BackupWriter(io.BytesIO(), PASSPHRASE, KdfParameters(1, 4 * 1024 * 1024, 1))


def test_writing_after_close_is_refused():
    writer = BackupWriter(io.BytesIO(), PASSPHRASE, CHEAP)
    writer.close()
    with pytest.raises(ValueError):
        writer.write(b"more")


# -- failures to open: all DecryptionError


@pytest.mark.parametrize("passphrase", ["correct horse battery stapler", "", "x" * 5000])
def test_a_wrong_passphrase_fails_before_anything_is_read(passphrase):
    with pytest.raises(DecryptionError):
        BackupReader(io.BytesIO(KAT_BACKUP), passphrase)


@pytest.mark.parametrize("at", range(0, len(KAT_BACKUP)))
def test_any_flipped_bit_is_caught(at):
    damaged = bytearray(KAT_BACKUP)
    damaged[at] ^= 0x01
    with pytest.raises(DecryptionError):
        opened(bytes(damaged))


def test_a_backup_cut_at_a_chunk_boundary_is_caught():
    backup = sealed(b"y" * (3 * CHUNK))
    cut = HEADER_SIZE + 2 * (CHUNK + 16)
    with pytest.raises(DecryptionError):
        opened(backup[:cut])


@pytest.mark.parametrize("keep", [0, HEADER_SIZE - 1, HEADER_SIZE, HEADER_SIZE + 10])
def test_a_backup_cut_anywhere_else_is_caught(keep):
    with pytest.raises(DecryptionError):
        opened(KAT_BACKUP[:keep])


def test_chunks_cannot_be_reordered_dropped_or_repeated():
    backup = sealed(bytes(range(3 * CHUNK)) + b"end")
    header, (first, second, third, last) = backup[:HEADER_SIZE], chunks_of(backup)
    for body in (
        [second, first, third, last],
        [first, third, last],
        [first, second, third, third, last],
        [first, second, third, last, last],
    ):
        with pytest.raises(DecryptionError):
            opened(header + b"".join(body))


def test_bytes_appended_after_the_last_chunk_are_caught():
    with pytest.raises(DecryptionError):
        opened(KAT_BACKUP + b"\x00")


def test_a_writer_that_was_never_closed_leaves_a_backup_that_does_not_open():
    out = io.BytesIO()
    writer = BackupWriter(out, PASSPHRASE, CHEAP, chunk_size=CHUNK)
    writer.write(b"z" * (2 * CHUNK + 3))
    with pytest.raises(DecryptionError):
        opened(out.getvalue())


def test_damage_in_a_later_chunk_surfaces_before_the_end_is_reported():
    backup = bytearray(sealed(b"w" * (3 * CHUNK)))
    backup[-1] ^= 0x01
    reader = BackupReader(io.BytesIO(bytes(backup)), PASSPHRASE)
    assert reader.read(CHUNK) == b"w" * CHUNK  # authenticated on its own
    with pytest.raises(DecryptionError):
        reader.read()


@pytest.mark.parametrize(
    "fields",
    [
        (1, 4 * 1024 * 1024, 1),  # 4 GiB of memory: refused before any is allocated
        (0, 8, 1),
        (1, 8, 0),
    ],
)
def test_a_forged_header_cannot_make_a_restore_spend_without_bound(fields):
    header = bytearray(KAT_BACKUP[:HEADER_SIZE])
    header[8:20] = b"".join(value.to_bytes(4, "big") for value in fields)
    with pytest.raises(DecryptionError):
        BackupReader(io.BytesIO(bytes(header) + KAT_BACKUP[HEADER_SIZE:]), PASSPHRASE)


@pytest.mark.parametrize("chunk_size", [0, 64 * 1024 * 1024])
def test_a_forged_chunk_size_is_refused(chunk_size):
    forged = KAT_BACKUP[: HEADER_SIZE - 4] + chunk_size.to_bytes(4, "big")
    with pytest.raises(DecryptionError):
        BackupReader(io.BytesIO(forged + KAT_BACKUP[HEADER_SIZE:]), PASSPHRASE)


def test_another_file_is_not_a_backup():
    with pytest.raises(DecryptionError):
        opened(b"SQLite format 3\x00" + bytes(100))
