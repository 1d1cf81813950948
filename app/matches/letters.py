"""What is sealed in a match message: its text, and the time of day it was sent.

The database keeps only the date a message was sent (Message.sent_on), as it does for every
stored time; the hour and minute travel inside the sealed copies, where only the two parties
can read them. A message sealed before times were kept is its bare text.
"""

import datetime
import json

VERSION = 1


def seal_form(text: str, sent_at: datetime.datetime) -> str:
    """The plaintext to seal: the text with its time of day (UTC, to the minute)."""
    return json.dumps({"v": VERSION, "at": sent_at.strftime("%H:%M"), "text": text})


def read_form(plaintext: str, sent_on: datetime.date) -> tuple[str, datetime.datetime | None]:
    """The text and, when it was kept, the moment it was sent (naive UTC)."""
    try:
        held = json.loads(plaintext)
    except ValueError:
        return plaintext, None
    if not (
        isinstance(held, dict) and held.get("v") == VERSION and isinstance(held.get("text"), str)
    ):
        return plaintext, None
    try:
        at = datetime.datetime.strptime(held.get("at", ""), "%H:%M").time()
    except (TypeError, ValueError):
        return held["text"], None
    return held["text"], datetime.datetime.combine(sent_on, at)
