"""What a help request is filed under, as words in its full-text index (SQLite only).

Each skill, language, country and urgency of a request becomes one word of lowercase letters
and digits in the `facets` column of the index ("skilldigitalsecurity", "countryir"), a column
that never holds anyone's text. One MATCH then finds the requests that have every chosen
filter, and every searched word in their title or description, by intersecting the index's
sorted lists of rows: how long it takes depends on how many requests match, not on how many
there are. Status, visibility and expiry change without an edit, so they are read from the
request itself, after the index has narrowed it down.
"""

SKILL, LANGUAGE, COUNTRY, URGENCY = "skill", "language", "country", "urgency"


def word(facet: str, code: str) -> str:
    """One code as one word: no separator for the tokenizer to cut at, nothing to escape."""
    return facet + "".join(ch for ch in code.lower() if ch.isascii() and ch.isalnum())


def words(skills: list[str], languages: list[str], country: str, urgency: str) -> str:
    """The `facets` text of a request."""
    filed = [word(SKILL, code) for code in skills]
    filed += [word(LANGUAGE, code) for code in languages]
    filed += [word(COUNTRY, country), word(URGENCY, urgency)]
    return " ".join(filed)


def match_expression(chosen: dict[str, str], text_words: list[str]) -> str:
    """An FTS5 query: every chosen facet in `facets`, every word in the title or description.

    Facet words hold only letters and digits, and text words are quoted, so nothing a visitor
    types is ever read as query syntax.
    """
    parts = [f"facets : {word(facet, code)}" for facet, code in chosen.items() if code]
    quoted = " ".join(f'"{text_word}"' for text_word in text_words)
    if quoted:
        parts.append(f"{{title description}} : ({quoted})")
    return " AND ".join(parts)
