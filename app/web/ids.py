"""Numeric ids as the database hands them out: counted up from 1, so never past 18 digits.

The database holds signed 64-bit integers (19 digits); a longer number from a URL or a form
would make the driver raise an overflow, a 500. A number of more than 18 digits is the id of
nothing, so it is a 404. The bound is in the converter's pattern, not only in its range check,
so such a path matches no route at all (a range check alone answers 405 where another method
has a route of that shape). IdConverter takes the place of Werkzeug's `int`, so every
`<int:...>` in any blueprint is bounded without having to ask.
"""

from flask import Flask
from werkzeug.routing import IntegerConverter

ID_DIGITS = 18
ID_MAX = 10**ID_DIGITS - 1


class IdConverter(IntegerConverter):
    regex = rf"\d{{1,{ID_DIGITS}}}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


def parse_id(text: str) -> int | None:
    """The id written in `text`, or None when it cannot be the id of anything."""
    if not (text.isascii() and text.isdigit()) or len(text) > ID_DIGITS:
        return None
    number = int(text)
    return number if number <= ID_MAX else None


def init_app(app: Flask) -> None:
    """Before any blueprint is registered: the converter is chosen as each rule is added."""
    app.url_map.converters["int"] = IdConverter
