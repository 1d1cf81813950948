"""Usernames that cannot impersonate: one script per name, unique by confusable skeleton.

The skeleton follows UTS #39: each character is replaced by the prototype it can be confused
with (Cyrillic "а" by Latin "a", the digit "0" by "O", "m" by "rn"), using the Unicode
confusables data shipped with confusable-homoglyphs. Before that, and after each step, the name
is decomposed (NFKD) and its combining marks dropped, since a reader passes over an accent or a
dot as easily as over a look-alike letter ("ṕaypal" is "paypal"). Two names with the same
skeleton, after case folding, are the same name.

Skeletons are stored (User.username_skeleton, unique); a change to how they are computed comes
with a step in app/schema.py that recomputes the stored ones.
"""

import json
import unicodedata
from functools import cache
from importlib import resources

from confusable_homoglyphs import categories

# Scripts that are written together in one name (UTS #39 "highly restrictive" combinations).
ALLOWED_SCRIPT_SETS = [
    {"HAN", "HIRAGANA", "KATAKANA", "LATIN"},
    {"HAN", "HANGUL", "LATIN"},
    {"HAN", "BOPOMOFO", "LATIN"},
]
NEUTRAL_SCRIPTS = {"COMMON", "INHERITED"}
BIDI_MARKS = {"\u200e", "\u200f"}
COMBINING_MARKS = {"Mn", "Me"}  # nonspacing and enclosing: accents, dots, circles drawn over


def _clean(text: str) -> str:
    return "".join(ch for ch in text if ch not in BIDI_MARKS)


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character mapped to its prototype.

    The data lists, for every character, the characters it is confused with in both directions.
    confusables.txt maps each source to one prototype and no prototype is itself a source, so
    the single-character pairs form stars: each star's centre (the character with the most
    partners) is the prototype of every other character in it.
    """
    table = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    partners = {
        _clean(char): {_clean(entry["c"]) for entry in entries}
        for char, entries in table.items()
        if len(_clean(char)) == 1
    }
    mapping: dict[str, str] = {}
    for char, others in partners.items():
        single = {o for o in others if len(o) == 1}
        multiple = [o for o in others if len(o) > 1]
        if multiple and not single:
            mapping[char] = min(multiple)  # e.g. "m" -> "rn"
            continue
        star = {char, *single}
        centre = max(star, key=lambda c: (len(partners.get(c, ())), -ord(c)))
        if centre != char:
            mapping[char] = centre
    return mapping


def _skeleton_once(text: str) -> str:
    mapping = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(mapping.get(ch, ch) for ch in decomposed))


def _without_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in COMBINING_MARKS)


def skeleton(name: str) -> str:
    """The key under which two look-alike names collide, whatever their case, width or marks."""
    once = _without_marks(_skeleton_once(_without_marks(name)).casefold())
    return _without_marks(_skeleton_once(once))


def scripts_of(name: str) -> set[str]:
    return categories.unique_aliases(name) - NEUTRAL_SCRIPTS


def is_mixed_script(name: str) -> bool:
    used = scripts_of(name)
    return len(used) > 1 and not any(used <= allowed for allowed in ALLOWED_SCRIPT_SETS)


def normalise_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def username_key(name: str) -> str:
    """What makes two names the same name: NFKC, then case folded."""
    return unicodedata.normalize("NFKC", normalise_username(name).casefold())
