"""Where a visitor goes back to after signing in: the one check of every `next` value.

The value is judged in the form it will be sent in, since the header writer changes it on
the way (it drops tabs and newlines, so `/<tab>/evil.example` would leave as `//evil.example`).
Only a path on this site passes, without control or white-space characters of any kind, and
only to a page: a form sent to an address that takes POST alone (a message, after a restart
ended the session) brings its sender back to the page the form was on, never to a 405.
"""

from urllib.parse import unquote, urlsplit

from flask import current_app, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.urls import iri_to_uri


def _plain(text: str) -> bool:
    """No control, format or white-space character, which browsers and headers may drop."""
    return all(ch.isprintable() and not ch.isspace() for ch in text)


def _local_path(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and "\\" not in location


def page_of(path: str) -> str:
    """`path` (as sent) if it shows a page, or the nearest address above it that does.

    Forms that post elsewhere post below their page (/matches/<id>/messages is on
    /matches/<id>, /account/contacts on /account); failing that, the start page.
    """
    adapter = current_app.create_url_adapter(request)
    segments = path.split("/")
    while len(segments) > 1:
        candidate = "/".join(segments) or "/"
        try:
            adapter.match(unquote(candidate), method="GET")
        except HTTPException:
            segments.pop()
        else:
            return candidate
    return url_for("main.index")


def checked_next(target: str | None) -> str:
    """`target` as it will be sent, if it is a page on this site; otherwise the start page."""
    if not target or not _plain(target) or not _local_path(target):
        return url_for("main.index")
    sent = iri_to_uri(target)
    parts = urlsplit(sent)
    if parts.scheme or parts.netloc or not _plain(sent) or not _local_path(sent):
        return url_for("main.index")
    page = page_of(parts.path)
    return sent if page == parts.path else page


def login_url() -> str:
    """Sign-in, and then back here: to this page, or to the page this form was sent from."""
    return url_for("accounts.login", next=checked_next(request.full_path.rstrip("?")))
