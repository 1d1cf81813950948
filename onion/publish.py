"""Publishing an onion service through tor's control port with its DoS defenses on.

stem's ``create_ephemeral_hidden_service`` has no parameters for proof of work, so the
``ADD_ONION`` command is built here and sent with ``controller.msg``. tor 0.4.9 accepts, for an
ephemeral service (each checked against this tor; an unknown keyword is refused with
``512 Unrecognized keyword argument``):

* ``Port=VIRTPORT,TARGET`` — TARGET ``IP:PORT`` or ``unix:/path``;
* ``Flags=`` a comma list of ``DiscardPK``, ``Detach``, ``V3Auth``, ``MaxStreamsCloseCircuit``
  (and ``NonAnonymous``, refused unless tor runs in single-onion mode);
* ``MaxStreams=0..65535``;
* ``ClientAuthV3=<base32 x25519 public key>``, repeated, only together with ``Flags=V3Auth``;
* ``PoWDefensesEnabled=0|1``, ``PoWQueueRate=N``, ``PoWQueueBurst=N`` (0..2^32-1).

The intro-point rate limit (``HiddenServiceEnableIntroDoSDefense``) and the number of
introduction points exist only as torrc options for a ``HiddenServiceDir`` service; ADD_ONION
refuses every spelling of them, so they live in :mod:`onion.torrc` for the system-tor mode.

Every value that goes into the command is validated first: the command is one line of text,
and a space or line break in a target would otherwise add keywords or whole commands.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import stem
from stem.control import Controller, EventType
from stem.response.events import HSDescEvent

from .address import normalize_address
from .client_auth import b32decode_key, b32encode_key
from .errors import OnionConfigError, OnionPublishError
from .keys import ServiceKey

_MAX_U32 = 2**32 - 1


@dataclass(frozen=True)
class Defenses:
    """DoS defenses for one onion service.

    Defaults are for one small web application behind one tor. Proof of work costs honest
    visitors nothing while the service is idle (suggested effort 0) and makes floods expensive
    when the queue of introductions overflows. The queue rate is how many introductions per
    second tor hands on while under attack: tor's default of 250 suits large services, 50 is
    more than a small Flask app serves new visitors per second, and a lower rate lets the
    suggested effort rise sooner. MaxStreams caps streams per rendezvous circuit (a Tor Browser
    visitor needs a handful) and closing the circuit on excess makes one client's flood cost it
    its circuit. The intro-point settings apply only where tor offers them (torrc services).
    """

    pow_enabled: bool = True
    pow_queue_rate: int = 50
    pow_queue_burst: int = 250
    max_streams: int = 20
    max_streams_close_circuit: bool = True
    intro_dos_enabled: bool = True
    intro_dos_rate_per_sec: int = 25
    intro_dos_burst_per_sec: int = 200

    def __post_init__(self) -> None:
        for name in (
            "pow_queue_rate",
            "pow_queue_burst",
            "intro_dos_rate_per_sec",
            "intro_dos_burst_per_sec",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or not 1 <= value <= _MAX_U32:
                raise OnionConfigError(f"{name} must be an integer from 1 to {_MAX_U32}")
        if not isinstance(self.max_streams, int) or not 0 <= self.max_streams <= 65535:
            raise OnionConfigError("max_streams must be an integer from 0 (no limit) to 65535")
        if self.pow_queue_burst < self.pow_queue_rate:
            raise OnionConfigError("pow_queue_burst must be at least pow_queue_rate")
        if self.intro_dos_burst_per_sec < self.intro_dos_rate_per_sec:
            raise OnionConfigError("intro_dos_burst_per_sec must be at least its rate")


DEFAULT_DEFENSES = Defenses()


def normalize_target(target: str | int) -> str:
    """Return an ADD_ONION target: ``IP:PORT`` or ``unix:/absolute/path``.

    A bare port means 127.0.0.1. Host names are refused (tor would resolve them at every
    connection), and so are paths with spaces, commas or control characters, which the command
    line cannot carry safely.
    """
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        port = int(target)
        if not 0 < port < 65536:
            raise OnionConfigError(f"bad target port {target!r}")
        return f"127.0.0.1:{port}"
    text = target.strip()
    if text.startswith("unix:"):
        path = text.removeprefix("unix:")
        if (
            not path.startswith("/")
            or any(c in path for c in " ,\t\r\n\"'\\")
            or not (path.isprintable() and path.isascii())
        ):
            raise OnionConfigError(f"unix target must be an absolute plain path: {target!r}")
        return f"unix:{path}"
    host, sep, port_text = text.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise OnionConfigError(f"target must be IP:PORT or unix:/path, not {target!r}") from None
    if not sep or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise OnionConfigError(f"bad target port in {target!r}")
    shown = f"[{address}]" if address.version == 6 else str(address)
    return f"{shown}:{int(port_text)}"


def add_onion_command(
    key: ServiceKey,
    target: str | int,
    *,
    virtual_port: int = 80,
    defenses: Defenses = DEFAULT_DEFENSES,
    client_auth: Sequence[str] = (),
    require_client_auth: bool = False,
    detach: bool = False,
) -> str:
    """Build the ADD_ONION line for ``key`` forwarding ``virtual_port`` to ``target``.

    ``client_auth`` holds base32 x25519 public keys. With ``require_client_auth`` an empty list
    is an error rather than a public service: a staff onion must never fall back to open.
    """
    if not isinstance(virtual_port, int) or not 0 < virtual_port < 65536:
        raise OnionConfigError(f"bad virtual port {virtual_port!r}")
    clients = [b32encode_key(b32decode_key(entry)) for entry in client_auth]
    if require_client_auth and not clients:
        raise OnionConfigError("client authorization is required but no client is authorized")
    flags = ["DiscardPK"]
    if detach:
        flags.append("Detach")
    if clients:
        flags.append("V3Auth")
    if defenses.max_streams_close_circuit and defenses.max_streams:
        flags.append("MaxStreamsCloseCircuit")
    parts = [
        "ADD_ONION",
        key.key_blob,
        f"Flags={','.join(flags)}",
        f"MaxStreams={defenses.max_streams}",
        f"Port={virtual_port},{normalize_target(target)}",
    ]
    parts += [f"ClientAuthV3={client}" for client in clients]
    if defenses.pow_enabled:
        parts += [
            "PoWDefensesEnabled=1",
            f"PoWQueueRate={defenses.pow_queue_rate}",
            f"PoWQueueBurst={defenses.pow_queue_burst}",
        ]
    return " ".join(parts)


def _send(controller: Controller, command: str, what: str) -> list[tuple[str, str, str]]:
    try:
        response = controller.msg(command)
    except (stem.ControllerError, stem.SocketError) as exc:
        raise OnionPublishError(f"{what} failed: {exc}") from exc
    if not response.is_ok():
        # The reply never echoes the key, so it is safe to show.
        raise OnionPublishError(f"tor refused {what}: {response}")
    return response.content()


def add_onion(
    controller: Controller,
    key: ServiceKey,
    target: str | int,
    *,
    virtual_port: int = 80,
    defenses: Defenses = DEFAULT_DEFENSES,
    client_auth: Sequence[str] = (),
    require_client_auth: bool = False,
    detach: bool = False,
    await_publication: bool = False,
    timeout: float = 60.0,
) -> str:
    """Publish the service and return its address, as tor reports it.

    tor's ServiceID is compared with the address derived from the key, so a mismatch (which
    would mean we print an address nobody can reach) is an error, not a surprise later.

    ``await_publication`` waits until tor reports the descriptor uploaded to at least one
    directory (an ``HS_DESC UPLOADED`` event). That needs a working Tor network; without one it
    raises OnionPublishError after ``timeout`` seconds, with the service still added.
    """
    command = add_onion_command(
        key,
        target,
        virtual_port=virtual_port,
        defenses=defenses,
        client_auth=client_auth,
        require_client_auth=require_client_auth,
        detach=detach,
    )
    uploaded = threading.Event()

    def on_hs_desc(event: HSDescEvent) -> None:
        if event.action == "UPLOADED" and event.address == key.address:
            uploaded.set()

    if await_publication:
        controller.add_event_listener(on_hs_desc, EventType.HS_DESC)
    try:
        lines = _send(controller, command, "ADD_ONION")
        service_ids = [
            line.split("=", 1)[1] for _, _, line in lines if line.startswith("ServiceID=")
        ]
        if service_ids != [key.address]:
            raise OnionPublishError(
                f"tor published {service_ids!r}, but the key's address is {key.address}"
            )
        if await_publication and not uploaded.wait(timeout):
            raise OnionPublishError(
                f"descriptor for {key.address}.onion not uploaded within {timeout:g} s "
                "(is tor connected to a Tor network?)"
            )
    finally:
        if await_publication:
            controller.remove_event_listener(on_hs_desc)
    return key.address


def remove_onion(controller: Controller, address: str) -> bool:
    """DEL_ONION ``address``; return False if tor did not know it (already gone)."""
    try:
        response = controller.msg(f"DEL_ONION {normalize_address(address)}")
    except (stem.ControllerError, stem.SocketError) as exc:
        raise OnionPublishError(f"DEL_ONION failed: {exc}") from exc
    if response.is_ok():
        return True
    if "Unknown Onion Service" in str(response):
        return False
    raise OnionPublishError(f"tor refused DEL_ONION: {response}")


def current_onions(controller: Controller) -> set[str]:
    """Addresses this control connection owns plus detached ones (``GETINFO onions/...``)."""
    found: set[str] = set()
    for key in ("onions/current", "onions/detached"):
        try:
            value = controller.get_info(key, "")
        except (stem.ControllerError, stem.SocketError):
            continue
        found.update(line.strip() for line in value.splitlines() if line.strip())
    return found
