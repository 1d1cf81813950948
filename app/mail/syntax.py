"""What an e-mail address may look like here: plain, short, and unable to carry a header.

Stricter than RFC 5321 on purpose: no quoted local parts, comments, spaces or control
characters (so never a CR or LF that would start a header of its own), ASCII only, at most 254
characters. Every address people actually use for notices fits.
"""

import re

ADDRESS_MAX = 254
LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def is_valid_address(text: str) -> bool:
    if not text or len(text) > ADDRESS_MAX or not text.isascii():
        return False
    local, at, domain = text.rpartition("@")
    if not at or len(local) > 64 or not LOCAL_PART.fullmatch(local):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(LABEL.fullmatch(label) for label in labels)
