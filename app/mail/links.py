"""The addresses mail links to, and the tokens those links carry.

Mail is written by the sender, outside any request, so links are built from the configured
site address (the clearnet mirror, where people read mail, or else the onion), never from a
Host header. A token is 256 random bits; the database keeps its SHA-256 to find it again.
"""

import hashlib
import re
import secrets

from flask import current_app

CONFIRM_PATH = "/email/confirm/"
UNSUBSCRIBE_PATH = "/email/unsubscribe/"
NOTIFICATIONS_PATH = "/notifications"
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str | None:
    """The hash to look a token up by; None for what no token of ours can look like."""
    if not TOKEN.fullmatch(token or ""):
        return None
    return hashlib.sha256(token.encode()).hexdigest()


def site_url() -> str:
    config = current_app.config
    if config.get("MIRROR_HOST"):
        return f"https://{config['MIRROR_HOST']}"
    return f"http://{config['ONION_ADDRESS']}"


def confirm_url(token: str) -> str:
    return site_url() + CONFIRM_PATH + token


def unsubscribe_url(token: str) -> str:
    return site_url() + UNSUBSCRIBE_PATH + token


def notifications_url() -> str:
    return site_url() + NOTIFICATIONS_PATH
