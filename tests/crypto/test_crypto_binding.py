import pytest

from movements.crypto import associated_data


def test_parts_are_length_prefixed():
    assert associated_data("contact", "value", 7) == (
        b"\x00\x00\x00\x07contact\x00\x00\x00\x05value\x00\x00\x00\x017"
    )


@pytest.mark.parametrize(
    ("left", "right"),
    [
        (("a|b", "c"), ("a", "b|c")),
        (("ab", "c"), ("a", "bc")),
        (("contact", "value", 12), ("contact", "value", 1, 2)),
        (("contact", "value", ""), ("contact", "value")),
        (("message", "body", 4), ("message", "body4")),
    ],
)
def test_different_parts_never_collide(left, right):
    assert associated_data(*left) != associated_data(*right)


def test_a_row_id_means_the_same_as_int_or_str():
    assert associated_data("contact", "value", 5) == associated_data("contact", "value", "5")
    assert associated_data(b"x") == associated_data("x")


def test_unicode_parts_are_utf8():
    assert associated_data("ключ") == len("ключ".encode()).to_bytes(4, "big") + "ключ".encode()


def test_no_parts_or_a_bool_is_refused():
    with pytest.raises(ValueError):
        associated_data()
    with pytest.raises(TypeError):
        associated_data("contact", True)
    with pytest.raises(TypeError):
        associated_data("contact", 1.5)
