"""Exceptions raised by the onion package.

Every failure a caller might want to explain to an operator has its own type, so the CLI can
print one clear line (and the install command, where that is the fix) instead of a traceback.
All of them derive from :class:`OnionError`, so "serve loopback only when tor fails" is one
``except`` clause.
"""

from __future__ import annotations

INSTALL_COMMAND = "apt-get install tor"


class OnionError(Exception):
    """Base class of every error raised by this package."""


class InvalidOnionAddress(OnionError, ValueError):
    """A string is not a well-formed v3 onion address (length, alphabet, version, checksum)."""


class InvalidKey(OnionError, ValueError):
    """Bytes or text that should hold a key do not (wrong length, encoding or form)."""


class KeyFileError(OnionError):
    """A key file is missing, unreadable, malformed, or readable by other users."""


class TorNotInstalled(OnionError):
    """The tor executable cannot be found.

    The message carries the install command so a caller can print it as is.
    """

    def __init__(self, tor_cmd: str = "tor") -> None:
        super().__init__(
            f"tor is not installed ({tor_cmd!r} not found); install it: {INSTALL_COMMAND}"
        )
        self.tor_cmd = tor_cmd
        self.install_command = INSTALL_COMMAND


class TorLaunchError(OnionError):
    """tor was found but did not start (bad option, locked data directory, timeout)."""


class TorControlError(OnionError):
    """The control connection could not be opened or authenticated, or was lost."""


class OnionPublishError(OnionError):
    """tor refused ADD_ONION or DEL_ONION, or publication was not confirmed in time."""


class OnionConfigError(OnionError, ValueError):
    """Parameters that cannot produce a safe service (e.g. client auth with no clients)."""
