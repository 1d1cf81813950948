"""Words as alerts compare them: folded the same way for an alert and for a request's text.

Case and accents are set aside ("Détenu" is "detenu"), as the full-text search of /requests
sets them aside, so an alert for words finds what a search for the same words finds. It is done
here rather than by the SQLite index because an alert's words are stored to be looked up by
index (AlertWord) on both databases, and PostgreSQL has no such index.
"""

import re
import unicodedata

from movements.app.core.models.alerts import WORD_MAX_LENGTH

ALERT_WORDS_MAX = 8  # as many as a search of /requests reads
COMBINING_MARKS = {"Mn", "Me"}
WORD = re.compile(r"[^\W_]+")  # letters and digits: "_" parts words, as in the index


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) not in COMBINING_MARKS)
    return bare[:WORD_MAX_LENGTH]


def terms(text: str, limit: int | None = None) -> list[str]:
    """The distinct folded words of `text`, in order, at most `limit` of them."""
    found: dict[str, None] = {}
    for word in WORD.findall(text):
        folded = fold(word)
        if folded:
            found.setdefault(folded)
            if limit is not None and len(found) >= limit:
                break
    return list(found)
