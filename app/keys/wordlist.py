"""The word list recovery codes are drawn from: the EFF's large diceware list.

The list is read from the `diceware` package, which ships it unchanged (7,776 words, one for
each roll of five dice), so this repository holds no copy to drift. Four hyphenated words
("drop-down", "t-shirt"...) are left out, so a code reads the same whatever separates its
words; 7,772 words still give 12.9 random bits a word.
"""

import math
import re
from functools import cache
from importlib import resources

PACKAGE, LIST = "diceware", "wordlists/wordlist_en_eff.txt"
EFF_LARGE_LIST_SIZE = 7776
WORD = re.compile(r"[a-z]+")


@cache
def words() -> tuple[str, ...]:
    text = resources.files(PACKAGE).joinpath(LIST).read_text("utf-8")
    rolls = [line.split() for line in text.splitlines() if line.strip()]
    if len(rolls) != EFF_LARGE_LIST_SIZE:
        raise RuntimeError(f"{PACKAGE} ships {len(rolls)} words, not the EFF large list")
    return tuple(word for _roll, word in rolls if WORD.fullmatch(word))


@cache
def known() -> frozenset[str]:
    return frozenset(words())


def bits_per_word() -> float:
    return math.log2(len(words()))
