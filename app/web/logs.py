"""One logging configuration: errors only, in UTC, and nothing about visitors, ever.

The onion supervisor's warnings pass too: "onion back after N failed attempts" is how an operator
learns that tor was down and came back by itself.

Every log record is redacted when it is created, whichever logger or handler it goes to:
IP addresses, onion addresses, and any value taken from the current request's headers or query
string are replaced before the message exists anywhere.
"""

import logging
import re
import time

from flask import has_request_context, request

IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
IPV6 = re.compile(
    r"(?<![0-9A-Fa-f:])(?:(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{0,4}"
    r"|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*::(?:[0-9A-Fa-f]{1,4}:?)*)(?![0-9A-Fa-f:])"
)
ONION = re.compile(r"\b[a-z2-7]{16,56}\.onion\b", re.IGNORECASE)
SHORTEST_REDACTED_VALUE = 4
QUIET_LOGGERS = ("waitress", "waitress.queue", "werkzeug", "stem", "peewee")


def _request_values() -> list[str]:
    """What this request carries about the visitor, read only to scrub it out of the record."""
    if not has_request_context():
        return []
    values = [value for _name, value in request.headers.items()]
    values += [value for _name, value in request.args.items(multi=True)]
    values += [request.full_path, request.url]
    return sorted((v for v in values if len(v) >= SHORTEST_REDACTED_VALUE), key=len, reverse=True)


def redact(text: str) -> str:
    for value in _request_values():
        text = text.replace(value, "[request data]")
    text = ONION.sub("[onion]", text)
    text = IPV4.sub("[address]", text)
    return IPV6.sub("[address]", text)


def _redacting_factory(base):
    def make_record(*args, **kwargs):
        record = base(*args, **kwargs)
        record.msg, record.args = redact(record.getMessage()), ()
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    make_record.redacting = True
    return make_record


def install_redaction() -> None:
    base = logging.getLogRecordFactory()
    if not getattr(base, "redacting", False):
        logging.setLogRecordFactory(_redacting_factory(base))


def configure_logging(level: int = logging.ERROR) -> None:
    """Errors only to standard error, with UTC times; no access log from any server."""
    install_redaction()
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("movements.onion").setLevel(logging.WARNING)
