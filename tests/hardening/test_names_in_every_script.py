"""Names as people write them in their own script, vowel signs and all, can be chosen."""

import pytest

from movements.app.accounts import rules as accounts
from movements.app.core.errors import RuleViolation
from movements.app.core.models import User
from tests.support.accounts import PASSWORD

WRITTEN_WITH_MARKS = [
    "สมศักดิ์",  # Thai: vowel signs above and below, a silencer
    "မောင်မောင်",  # Burmese: vowel signs before and after, the killer
    "محمّد",  # Arabic with a shadda
    "आदित्य",  # Devanagari: a vowel sign and a virama
    "ጌታቸው",  # Ethiopic, no marks: unchanged
]


@pytest.mark.parametrize("name", WRITTEN_WITH_MARKS)
def test_a_name_written_with_its_scripts_vowel_signs_can_sign_up(app, name):
    signed_in, _codes = accounts.register(name, PASSWORD, "provider", "")
    assert User.get_by_id(signed_in.user.id).username == name


@pytest.mark.parametrize(
    "name",
    [
        "\u0e34abc",  # a mark with no letter under it
        "ab_\u0301c",  # a mark on punctuation
        "ana\u0300\u0301\u0302\u0303\u0304\u0306",  # six marks stacked on one letter
        "ana\ufe0f",  # a variation selector: draws nothing
        "an\u034fna",  # the grapheme joiner: draws nothing
    ],
)
def test_a_mark_that_decorates_rather_than_writes_is_refused(app, name):
    with pytest.raises(RuleViolation, match="letters, digits"):
        accounts.register(name, PASSWORD, "provider", "")
    assert User.select().count() == 0


def test_a_name_in_marks_collides_with_the_same_letters_bare(app):
    accounts.register("สมศักดิ์", PASSWORD, "provider", "")
    with pytest.raises(RuleViolation):
        accounts.register("สมศกด", PASSWORD, "provider", "")
    assert User.select().count() == 1
