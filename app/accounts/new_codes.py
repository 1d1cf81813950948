"""Recovery codes waiting to be shown: from the moment they are made until their holder says
they are saved.

The codes live only in the signed session cookie of the browser that made them, never in the
database (which keeps each code only as a key wrapped under it): sign-up and sign-in redirect
to a page that reads them from there, so reloading that page shows them again rather than
sending the form again, and the page offers them as a file. Ticking "I have saved them" drops
them; so does signing out, and closing the browser, since the cookie lasts only for the visit.
SECURITY.md says why the cookie rather than the database.
"""

from dataclasses import dataclass

from flask import session

from movements.app.core.models import User

KEY = "new_codes"
NEW, UPGRADED, KEYS_LOST = "new", "upgraded", "keys_lost"


@dataclass(frozen=True)
class WaitingCodes:
    codes: list[str]
    why: str  # NEW at sign-up; UPGRADED or KEYS_LOST when a sign-in replaced the old ones


def keep_to_show(user: User, codes: list[str], why: str = NEW) -> None:
    """Call after `sign_in`, which starts the session afresh."""
    session[KEY] = {"user": user.id, "codes": list(codes), "why": why}


def waiting_for(user: User | None) -> WaitingCodes | None:
    held = session.get(KEY)
    if user is None or not isinstance(held, dict) or held.get("user") != user.id:
        return None
    return WaitingCodes(list(held["codes"]), held["why"])


def drop() -> None:
    session.pop(KEY, None)
