"""The filters of the /requests page being shown, carried into the links that keep them."""

from flask import request, url_for

FILTERS = ("q", "skill", "country", "language", "urgency", "status")


def filter_arguments() -> dict[str, str]:
    return {name: request.args[name] for name in FILTERS if request.args.get(name)}


def requests_feed_url() -> str:
    """The public feed of the /requests page being shown, with the same filters."""
    return url_for("feeds.requests", **filter_arguments())
