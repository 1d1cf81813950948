"""What ``movements onion status`` reports: tor's version, bootstrap, and each service's state.

The supervisor builds an :class:`OnionStatus` from its own connection. Another process (the CLI
asking about a running server) can only :func:`probe_status`: tor shows an ephemeral service
only to the control connection that added it, so from outside a service counts as published
once tor holds a descriptor for it (``GETINFO hs/service/desc/id/ADDR``), which needs a network.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import stem
from stem.control import Controller

from .address import normalize_address
from .control import Bootstrap, ControlEndpoint, connect, get_bootstrap
from .errors import TorControlError
from .publish import current_onions


@dataclass(frozen=True)
class ServiceStatus:
    """One onion service as tor sees it."""

    name: str
    address: str
    #: tor holds the service (ADD_ONION accepted and not removed).
    published: bool
    #: at least one directory accepted its descriptor since it was added (needs a network).
    descriptor_uploaded: bool = False
    #: why the last upload failed, while none has succeeded yet (tor keeps trying)
    upload_error: str | None = None

    @property
    def url(self) -> str:
        return f"http://{self.address}.onion"


@dataclass(frozen=True)
class OnionStatus:
    """A snapshot of the tor side of the application."""

    mode: str  # "embedded", "attached" or "probe"
    state: str  # "stopped", "running" or "restarting"
    tor_version: str | None = None
    bootstrap: Bootstrap | None = None
    services: tuple[ServiceStatus, ...] = ()
    restarts: int = 0
    last_error: str | None = None
    #: while restarting: when the onion went down (``time.time()``)
    restarting_since: float | None = None
    #: failed attempts to bring it back, in the current (or the last) outage
    attempts: int = 0

    @property
    def address(self) -> str | None:
        """The first (public) service's address."""
        return self.services[0].address if self.services else None

    @property
    def published(self) -> bool:
        """True when every service is published."""
        return bool(self.services) and all(s.published for s in self.services)


def tor_facts(controller: Controller) -> tuple[str | None, Bootstrap | None]:
    """Return (version, bootstrap) from a live controller, or Nones if it does not answer."""
    try:
        version = str(controller.get_version())
        return version, get_bootstrap(controller)
    except (TorControlError, stem.ControllerError, stem.SocketError):
        return None, None


def has_descriptor(controller: Controller, address: str) -> bool:
    """True if this tor hosts ``address`` and has built its descriptor."""
    try:
        return bool(controller.get_info(f"hs/service/desc/id/{normalize_address(address)}"))
    except (stem.ControllerError, stem.SocketError):
        return False


def probe_status(
    endpoint: ControlEndpoint | str,
    addresses: Sequence[str] = (),
    *,
    password: str | None = None,
) -> OnionStatus:
    """Ask a running tor about itself and about ``addresses`` (from another process)."""
    controller = connect(endpoint, password=password)
    try:
        version, bootstrap = tor_facts(controller)
        visible = current_onions(controller)
        services = tuple(
            ServiceStatus(
                name=f"service{index}",
                address=normalize_address(address),
                published=normalize_address(address) in visible
                or has_descriptor(controller, address),
            )
            for index, address in enumerate(addresses)
        )
    finally:
        controller.close()
    return OnionStatus(
        mode="probe", state="running", tor_version=version, bootstrap=bootstrap, services=services
    )
