"""Rendered pages kept in memory for visitors who are not signed in.

The busiest pages (the list of requests, a request, the front page, the directory) look the
same to every anonymous visitor, and rendering them is most of what they cost. So the first
rendering is kept, briefly, and served again to the next anonymous visitor asking for the
same page in the same language on the same face.

What keeps this safe:
- only the endpoints in CACHEABLE, only GET, only 200 responses, only for a visitor with no
  account and no message waiting, and never a page carrying a form token or changing the
  session;
- never a search: the words people look for are not kept, not even in memory;
- every change made through the site (a POST that succeeds) empties it, and an
  entry lives at most PAGE_CACHE_SECONDS, which bounds what changes with time (expiry) or
  from another process (the command line);
- it holds at most MAX_ENTRIES pages, dropping the least recently used.
"""

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale

from movements.app.web.faces import face_of_request
from movements.app.web.kept import KeptCopies

CACHEABLE = {"requests.browse", "requests.show", "main.index", "directory.index"}
MAX_ENTRIES = 512
MAX_QUERY_BYTES = 256
FORM_TOKEN = b'name="csrf_token"'
CHANGING_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _key_for_this_request() -> tuple | None:
    """The page's identity for an anonymous visitor, or None when it must be rendered."""
    if request.method != "GET" or request.endpoint not in CACHEABLE:
        return None
    if g.get("user") is not None or "_flashes" in session:
        return None
    query = request.query_string
    if request.args.get("q") or len(query) > MAX_QUERY_BYTES:
        return None
    return (face_of_request(), request.host, str(get_locale()), request.path, query)


def init_app(app: Flask) -> None:
    """Call after the hook that finds the signed-in user: the lookup depends on it."""
    cache = KeptCopies(MAX_ENTRIES)
    app.extensions["page_cache"] = cache

    @app.before_request
    def _serve_kept_page():
        max_age = current_app.config["PAGE_CACHE_SECONDS"]
        key = _key_for_this_request() if max_age > 0 else None
        if key is None:
            return None
        body = cache.get(key, max_age)
        if body is None:
            g.page_cache_key = key
            return None
        return Response(body, mimetype="text/html")

    @app.after_request
    def _keep_page(response):
        if request.method in CHANGING_METHODS and response.status_code < 400:
            cache.clear()
        key = g.pop("page_cache_key", None)
        if (
            key is not None
            and response.status_code == 200
            and not response.direct_passthrough
            and not session.modified
        ):
            body = response.get_data()
            if FORM_TOKEN not in body:
                cache.put(key, body)
        return response
