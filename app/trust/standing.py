"""A person's trust stars in words, so someone deciding in a hurry need not know the scale.

The words follow what the stars rest on (app/trust/stars.py): nothing at 0, more confirmed
information for each star up to 4, and at 5 a person staff know and trust.
"""

from flask_babel import lazy_gettext as _l

STANDING = {
    0: _l("Not verified yet"),
    1: _l("Some information confirmed"),
    2: _l("More information confirmed"),
    3: _l("Much information confirmed"),
    4: _l("Confirmed in several ways"),
    5: _l("Known and trusted by staff"),
}


def standing_of(stars: int) -> str:
    """The words for a number of stars; out-of-range numbers read as the nearest level."""
    return STANDING[min(max(stars, 0), 5)]
