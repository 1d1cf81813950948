"""Opening an authenticated control connection to a tor: ours or the operator's.

A control endpoint is written the way an operator would type it on the command line: a path to
a control socket (``/run/tor/control``, or ``unix:/run/tor/control``), ``HOST:PORT``
(``127.0.0.1:9051``, ``[::1]:9051``) or a bare port meaning 127.0.0.1. Authentication is
whatever tor offers: the cookie file when we can read it, or a password for
``HashedControlPassword``. Failures become :class:`TorControlError` with the fix in the message.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import stem
import stem.connection
from stem.control import Controller

from .errors import OnionConfigError, TorControlError

_BOOTSTRAP_PROGRESS = re.compile(r"PROGRESS=(\d+)")
_BOOTSTRAP_TAG = re.compile(r"TAG=(\S+)")
_BOOTSTRAP_SUMMARY = re.compile(r'SUMMARY="([^"]*)"')


@dataclass(frozen=True)
class ControlEndpoint:
    """Where a tor control interface listens: a unix socket path, or an IP address and port."""

    socket_path: Path | None = None
    host: str | None = None
    port: int | None = None

    def __str__(self) -> str:
        if self.socket_path is not None:
            return f"unix:{self.socket_path}"
        host = f"[{self.host}]" if self.host and ":" in self.host else self.host
        return f"{host}:{self.port}"


def parse_control_endpoint(text: str) -> ControlEndpoint:
    """Parse ``PATH``, ``unix:PATH``, ``HOST:PORT``, ``[IPV6]:PORT`` or ``PORT``.

    Hosts must be IP literals (``localhost`` is read as 127.0.0.1): a control port speaks
    in clear text and should never be reached through name resolution.
    """
    spec = text.strip()
    if not spec:
        raise OnionConfigError("empty tor control endpoint")
    if spec.startswith("unix:"):
        return ControlEndpoint(socket_path=Path(spec.removeprefix("unix:")))
    if "/" in spec:
        return ControlEndpoint(socket_path=Path(spec))
    if spec.isdigit():
        host, port_text = "127.0.0.1", spec
    else:
        host, sep, port_text = spec.rpartition(":")
        if not sep:
            raise OnionConfigError(f"tor control endpoint is PATH or HOST:PORT, not {text!r}")
        host = host.removeprefix("[").removesuffix("]")
        if host == "localhost":
            host = "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise OnionConfigError(f"tor control host must be an IP address, not {host!r}") from None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise OnionConfigError(f"bad tor control port in {text!r}")
    return ControlEndpoint(host=host, port=int(port_text))


def connect(endpoint: ControlEndpoint | str, *, password: str | None = None) -> Controller:
    """Return an authenticated stem Controller for ``endpoint``.

    If this process started that tor with ``take_ownership``, stem also sends TAKEOWNERSHIP, so
    tor exits when this connection closes (wanted for our own tor, never for an operator's).
    """
    if isinstance(endpoint, str):
        endpoint = parse_control_endpoint(endpoint)
    _check_reachable(endpoint)
    try:
        if endpoint.socket_path is not None:
            controller = Controller.from_socket_file(str(endpoint.socket_path))
        else:
            controller = Controller.from_port(address=endpoint.host, port=endpoint.port)
    except stem.SocketError as exc:
        raise TorControlError(f"cannot connect to tor's control {endpoint}: {exc}") from exc
    try:
        controller.authenticate(password=password)
    except stem.connection.MissingPassword:
        controller.close()
        raise TorControlError(
            f"tor's control {endpoint} requires a password (HashedControlPassword)"
        ) from None
    except stem.connection.PasswordAuthFailed:
        controller.close()
        raise TorControlError(f"tor refused the control password for {endpoint}") from None
    except stem.connection.UnreadableCookieFile as exc:
        controller.close()
        raise TorControlError(
            f"cannot read tor's auth cookie {exc.cookie_path}; run as a user who may read it "
            "(on Debian: a member of the debian-tor group) or use a control password"
        ) from None
    except (stem.connection.AuthenticationFailure, stem.SocketError) as exc:
        controller.close()
        raise TorControlError(f"cannot authenticate to tor's control {endpoint}: {exc}") from exc
    return controller


def _check_reachable(endpoint: ControlEndpoint, timeout: float = 10.0) -> None:
    """Fail early, with our message, if nothing listens (stem leaks its socket when it fails)."""
    try:
        if endpoint.socket_path is not None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                probe.settimeout(timeout)
                probe.connect(str(endpoint.socket_path))
        else:
            with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout):
                pass
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise TorControlError(f"cannot connect to tor's control {endpoint}: {reason}") from None


@dataclass(frozen=True)
class Bootstrap:
    """tor's bootstrap state, from ``GETINFO status/bootstrap-phase``."""

    progress: int
    tag: str
    summary: str

    @property
    def done(self) -> bool:
        return self.progress >= 100


def parse_bootstrap_phase(text: str) -> Bootstrap:
    """Parse ``NOTICE BOOTSTRAP PROGRESS=100 TAG=done SUMMARY="Done"``."""
    progress = _BOOTSTRAP_PROGRESS.search(text)
    tag = _BOOTSTRAP_TAG.search(text)
    summary = _BOOTSTRAP_SUMMARY.search(text)
    return Bootstrap(
        progress=int(progress.group(1)) if progress else 0,
        tag=tag.group(1) if tag else "unknown",
        summary=summary.group(1) if summary else text,
    )


def get_bootstrap(controller: Controller) -> Bootstrap:
    """Ask tor how far it has bootstrapped."""
    try:
        return parse_bootstrap_phase(controller.get_info("status/bootstrap-phase"))
    except (stem.ControllerError, stem.SocketError) as exc:
        raise TorControlError(f"cannot read tor's bootstrap state: {exc}") from exc
