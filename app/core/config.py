"""Configuration as a pure function of the environment and the instance folder.

The secret key lives in a file the operator never has to see. We refuse to start when
that file is readable by others rather than silently serving with a leaked key.
"""

import os
import secrets
import stat
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105 -- a file name, not a secret
DATABASE_FILE = "movements.sqlite3"
MAX_REQUEST_BYTES = 64 * 1024


class UnsafeConfiguration(Exception):
    """The instance is set up in a way we will not serve from."""


def default_instance_path() -> Path:
    return Path(os.environ.get("MOVEMENTS_INSTANCE", "instance")).resolve()


def prepare_instance(path: Path) -> None:
    """Create the instance folder (0700) and its secret key file (0600) on first run."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    key_file = path / SECRET_KEY_FILE
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))


def read_secret_key(path: Path) -> str:
    key_file = path / SECRET_KEY_FILE
    mode = key_file.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise UnsafeConfiguration(
            f"{key_file} is readable by other users; fix it with: chmod 600 {key_file}"
        )
    key = key_file.read_text().strip()
    if len(key) < 32:
        raise UnsafeConfiguration(f"{key_file} holds too short a key; delete it to make a new one")
    return key


def _seconds(text: str) -> int:
    try:
        seconds = int(text)
    except ValueError:
        message = f"MOVEMENTS_PAGE_CACHE_SECONDS is not a whole number: {text!r}"
        raise UnsafeConfiguration(message) from None
    if not 0 <= seconds <= 300:
        raise UnsafeConfiguration("MOVEMENTS_PAGE_CACHE_SECONDS must be between 0 and 300")
    return seconds


def _retry_seconds(text: str) -> float:
    """The longest wait between two attempts to bring tor back (tests make it short)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0.05 <= seconds <= 3600:
        raise UnsafeConfiguration("MOVEMENTS_TOR_RETRY_MAX_SECONDS must be between 0.05 and 3600")
    return seconds


def load_config(instance_path: Path, overrides: dict | None = None) -> dict:
    """Everything the app needs, with secure defaults; `overrides` wins (tests, CLI)."""
    overrides = dict(overrides or {})
    prepare_instance(instance_path)
    database_url = overrides.pop("DATABASE_URL", None) or os.environ.get(
        "MOVEMENTS_DATABASE_URL", f"sqlite:///{instance_path / DATABASE_FILE}"
    )
    config = {
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": read_secret_key(instance_path),
        "DATABASE_URL": database_url,
        "MAX_CONTENT_LENGTH": MAX_REQUEST_BYTES,
        "MAX_FORM_MEMORY_SIZE": MAX_REQUEST_BYTES,
        "SESSION_COOKIE_NAME": "movements_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": False,  # the onion is plain HTTP; the mirror's proxy adds TLS
        "SESSION_LIFETIME_HOURS": 12,
        "SESSION_IDLE_MINUTES": 30,
        "WTF_CSRF_TIME_LIMIT": None,  # the token is bound to the session, which expires itself
        "REQUEST_EXPIRY_DAYS": 90,
        # accounts unused this long are deleted (app/cli/purge.py), after an in-app notice
        "ACCOUNT_RETENTION_DAYS": 365,
        "ACCOUNT_PURGE_NOTICE_DAYS": 30,
        # flood limits (app/web/throttle.py); none keys on an address
        "SIGNUPS_PER_MINUTE": 10,
        "SIGNUPS_PER_HOUR": 200,
        "REQUESTS_PER_DAY": 5,
        "OFFERS_PER_DAY": 20,
        "MESSAGES_PER_MINUTE": 10,
        "PAGE_SIZE": 20,
        # anonymous visitors' copies of the busiest pages (app/web/pagecache.py); 0 turns it off.
        # Tests call the rules directly, behind the site's back, so they opt in where they check it
        "PAGE_CACHE_SECONDS": 0
        if overrides.get("TESTING")
        else _seconds(os.environ.get("MOVEMENTS_PAGE_CACHE_SECONDS", "10")),
        "SEND_FILE_MAX_AGE_DEFAULT": 365 * 24 * 3600,
        "BABEL_DEFAULT_LOCALE": "en",
        # the faces (app/web/faces.py): the public onion, the staff onion, the clearnet mirror
        "ONION_ADDRESS": os.environ.get("MOVEMENTS_ONION_ADDRESS") or None,
        "STAFF_ONION_ADDRESS": os.environ.get("MOVEMENTS_STAFF_ONION_ADDRESS") or None,
        "MIRROR_HOST": os.environ.get("MOVEMENTS_MIRROR_HOST") or None,
        # the loopback ports `movements serve` listens on, for absolute redirects (faces.py)
        # set by `movements serve` (and passed to its workers): the ports redirects name
        "LOOPBACK_PORT": _port_from("MOVEMENTS_LOOPBACK_PORT"),
        "STAFF_LOOPBACK_PORT": _port_from("MOVEMENTS_STAFF_LOOPBACK_PORT"),
        # the onion supervisor retries a lost tor forever, waiting at most this long in between
        "TOR_RETRY_MAX_SECONDS": _retry_seconds(
            os.environ.get("MOVEMENTS_TOR_RETRY_MAX_SECONDS", "60")
        ),
        # opt-in e-mail, only with an SMTP server (checked by app/mail/settings.py)
        "SMTP_URL": os.environ.get("MOVEMENTS_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MOVEMENTS_MAIL_FROM") or None,
        "SMTP_CA_FILE": os.environ.get("MOVEMENTS_SMTP_CA_FILE") or None,
        "MAIL_SEND_SECONDS": os.environ.get("MOVEMENTS_MAIL_SEND_SECONDS", "30"),
        "MAIL_RETRY_SECONDS": os.environ.get("MOVEMENTS_MAIL_RETRY_SECONDS", "60"),
        # confirmation mails to new addresses, for everyone together (app/mail/addresses.py)
        "MAIL_CONFIRMATIONS_PER_HOUR": 60,
    }
    config.update(overrides)
    return config


def _port_from(variable: str) -> int | None:
    value = os.environ.get(variable, "")
    return int(value) if value.isdigit() else None
