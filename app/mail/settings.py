"""The operator's SMTP server, read from the environment and checked when the app starts.

    MOVEMENTS_SMTP_URL      smtp://USER:PASSWORD@HOST:587  STARTTLS, required before anything
                            smtps://USER:PASSWORD@HOST:465 TLS from the first byte
                            (USER and PASSWORD percent-encoded, and optional)
    MOVEMENTS_MAIL_FROM     the From address, such as notices@example.org
    MOVEMENTS_SMTP_CA_FILE  optional: trust this certificate (or CA) instead of the system's

Mail never goes out in clear text, and the server's certificate is always checked. Without
MOVEMENTS_SMTP_URL there is no e-mail at all: the option is not offered. Links in mail name the
clearnet mirror, or else the onion, so one of them must be configured.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from flask import Flask

from movements.app.core.config import UnsafeConfiguration
from movements.app.mail.syntax import is_valid_address

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
SHORTEST_WAIT_SECONDS = 0.05
LONGEST_WAIT_SECONDS = 3600.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    implicit_tls: bool  # smtps: TLS from the first byte; smtp: STARTTLS, never plain
    username: str | None
    password: str | None
    sender: str
    ca_file: str | None
    send_seconds: float  # how often `movements serve` looks for mail that is due
    retry_seconds: float  # the first wait after a failure; it doubles up to an hour

    def __repr__(self) -> str:
        # never the password, in a traceback or a log line
        return f"MailSettings({self.host}:{self.port})"


_current: list[MailSettings | None] = [None]


def _seconds(text: str, name: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not SHORTEST_WAIT_SECONDS <= seconds <= LONGEST_WAIT_SECONDS:
        raise UnsafeConfiguration(f"{name} must be between 0.05 and 3600 seconds")
    return seconds


def parse(config: dict) -> MailSettings | None:
    """The settings in the app's configuration, None without an SMTP URL; refuses a bad one."""
    url = config.get("SMTP_URL")
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeConfiguration("MOVEMENTS_SMTP_URL is not a valid URL") from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise UnsafeConfiguration(
            "MOVEMENTS_SMTP_URL must be smtp://HOST:PORT (STARTTLS) or smtps://HOST:PORT (TLS)"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise UnsafeConfiguration("MOVEMENTS_SMTP_URL takes no path or query")
    sender = config.get("MAIL_FROM") or ""
    if not is_valid_address(sender):
        raise UnsafeConfiguration("MOVEMENTS_MAIL_FROM must be the address mail comes from")
    if not (config.get("MIRROR_HOST") or config.get("ONION_ADDRESS")):
        raise UnsafeConfiguration(
            "links in e-mail need the site's address: set MOVEMENTS_MIRROR_HOST or "
            "MOVEMENTS_ONION_ADDRESS (`movements onion address` prints it)"
        )
    return MailSettings(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        implicit_tls=parts.scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        sender=sender,
        ca_file=config.get("SMTP_CA_FILE") or None,
        send_seconds=_seconds(str(config.get("MAIL_SEND_SECONDS", "30")), "MAIL_SEND_SECONDS"),
        retry_seconds=_seconds(str(config.get("MAIL_RETRY_SECONDS", "60")), "MAIL_RETRY_SECONDS"),
    )


def init_app(app: Flask) -> None:
    """Bind this process's settings, like the keyring: notices are queued outside requests too."""
    _current[0] = parse(app.config)


def settings() -> MailSettings | None:
    return _current[0]


def enabled() -> bool:
    return _current[0] is not None
