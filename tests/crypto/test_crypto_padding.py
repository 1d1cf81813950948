import pytest

from movements.crypto import BUCKET_SIZE, DecryptionError, pad, padded_length, unpad


@pytest.mark.parametrize(
    ("length", "bucket"),
    [(0, 256), (1, 256), (255, 256), (256, 512), (511, 512), (512, 768), (4000, 4096)],
)
def test_plaintext_lands_in_the_next_256_byte_bucket(length, bucket):
    assert padded_length(length) == bucket
    assert len(pad(b"x" * length)) == bucket


def test_padding_is_the_data_a_marker_and_zeros():
    assert pad(b"abc") == b"abc\x80" + bytes(252)


@pytest.mark.parametrize("length", [*range(0, 520), 1023, 1024, 1025])
def test_unpad_returns_exactly_what_was_padded(length):
    data = bytes((i * 7 + 3) % 256 for i in range(length))
    assert unpad(pad(data)) == data


def test_trailing_zeros_and_marker_bytes_in_the_data_survive():
    for data in (b"\x00", b"\x80", b"a\x80\x00\x00", b"\x00" * 255, b"\x80" * 255):
        assert unpad(pad(data)) == data


@pytest.mark.parametrize(
    "padded",
    [
        b"",
        b"\x80",
        b"abc\x80" + bytes(251),  # not a whole bucket
        bytes(256),  # no marker
        b"abc" + bytes(253),  # no marker
        b"abc\x80\x01" + bytes(251),  # something after the marker
        b"abc\x80" + bytes(508),  # a whole bucket of padding too many
        b"\xff" * 256,
    ],
)
def test_malformed_padding_is_refused(padded):
    with pytest.raises(DecryptionError):
        unpad(padded)


def test_bucket_size_is_256():
    assert BUCKET_SIZE == 256


def test_a_str_is_a_programming_error_not_a_decryption_failure():
    with pytest.raises(TypeError):
        pad("text")
    with pytest.raises(TypeError):
        unpad("text")
