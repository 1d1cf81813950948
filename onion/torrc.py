"""A torrc for the system tor, for hardened deployments.

In this mode the app listens on a unix socket only (no TCP port at all), the Debian tor
service publishes it from a ``HiddenServiceDir`` under ``/var/lib/tor`` (the only place that
service may write), and systemd sandboxes both. A ``HiddenServiceDir`` service gets defenses
ADD_ONION cannot give an ephemeral one: the intro-point rate limit that tor asks introduction
points to enforce (``HiddenServiceEnableIntroDoSDefense``). Proof of work, stream limits and
``Sandbox 1`` complete it.

The output is meant to pass ``tor --verify-config`` as is (tests check that, and run it).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .address import normalize_address
from .errors import InvalidOnionAddress, KeyFileError, OnionConfigError
from .keys import HOSTNAME_FILE
from .publish import DEFAULT_DEFENSES, Defenses, normalize_target

DEFAULT_HIDDEN_SERVICE_DIR = Path("/var/lib/tor/movements")
DEFAULT_APP_SOCKET = Path("/run/movements/app.sock")
DEFAULT_STAFF_SOCKET = Path("/run/movements/staff.sock")

_VANGUARDS_NOTE = """\
# Vanguards: since tor 0.4.7, vanguards-lite is built in and on for onion services
# (VanguardsLiteEnabled); it keeps the service's middle hops stable so that an attacker who
# makes it build many circuits cannot quickly find its guard. For a high-security deployment,
# also run the separate vanguards add-on (full vanguards, plus bandguards and rendguard) against
# tor's control port; movements neither needs nor starts it."""


def _target(value: Path | str | int) -> str:
    text = str(value)
    if text.startswith("/"):
        text = f"unix:{text}"
    return normalize_target(text)


def _service_lines(
    directory: Path,
    target: Path | str | int | Sequence[Path | str],
    virtual_port: int,
    defenses: Defenses,
    group_readable: bool,
    onionbalance_instance: bool = False,
) -> list[str]:
    directory = Path(directory)
    if not directory.is_absolute() or any(c.isspace() for c in str(directory)):
        raise OnionConfigError(
            f"HiddenServiceDir must be an absolute path without spaces: {directory}"
        )
    targets = list(target) if isinstance(target, list | tuple) else [target]
    lines = [f"HiddenServiceDir {directory}"]
    if len(targets) > 1:
        lines.append("# several targets for one port: tor picks one at random for each stream")
    lines += [f"HiddenServicePort {virtual_port} {_target(each)}" for each in targets]
    if group_readable:
        lines.append("HiddenServiceDirGroupReadable 1")
    if onionbalance_instance:
        lines += [
            "# a backend of an Onionbalance frontend: ob_config in this folder names the master",
            "# address. Clients see the master's descriptor, which carries no proof-of-work",
            "# parameters: the defenses here are the introduction-point limits and MaxStreams.",
            "HiddenServiceOnionBalanceInstance 1",
        ]
    if defenses.pow_enabled and not onionbalance_instance:
        lines += [
            "HiddenServicePoWDefensesEnabled 1",
            f"HiddenServicePoWQueueRate {defenses.pow_queue_rate}",
            f"HiddenServicePoWQueueBurst {defenses.pow_queue_burst}",
        ]
    if defenses.intro_dos_enabled:
        lines += [
            "HiddenServiceEnableIntroDoSDefense 1",
            f"HiddenServiceEnableIntroDoSRatePerSec {defenses.intro_dos_rate_per_sec}",
            f"HiddenServiceEnableIntroDoSBurstPerSec {defenses.intro_dos_burst_per_sec}",
        ]
    lines.append(f"HiddenServiceMaxStreams {defenses.max_streams}")
    if defenses.max_streams and defenses.max_streams_close_circuit:
        lines.append("HiddenServiceMaxStreamsCloseCircuit 1")
    return lines


def render_torrc(
    hidden_service_dir: Path = DEFAULT_HIDDEN_SERVICE_DIR,
    socket_path: Path | str | Sequence[Path | str] = DEFAULT_APP_SOCKET,
    *,
    virtual_port: int = 80,
    defenses: Defenses = DEFAULT_DEFENSES,
    staff_dir: Path | None = None,
    staff_socket_path: Path | str = DEFAULT_STAFF_SOCKET,
    data_directory: Path | None = None,
    user: str | None = None,
    group_readable: bool = False,
    sandbox: bool = True,
    onionbalance_instance: bool = False,
) -> str:
    """Return torrc text publishing the app's socket, and optionally a staff onion.

    ``socket_path`` may also be a loopback ``IP:PORT``. The staff onion gets its own socket so
    the app learns which onion a request came through from the socket itself, never from the
    Host header a client controls; its clients are the ``NAME.auth`` files in
    ``staff_dir/authorized_clients``. ``data_directory`` and ``user`` are left to the Debian
    service defaults unless given (``User`` is needed when tor starts as root elsewhere).
    ``group_readable`` lets the app's user read ``hostname`` through tor's group.
    ``socket_path`` may be a list: several instances of the app (deploy/systemd/movements@.service),
    among which tor picks one for each stream. ``onionbalance_instance`` makes the public
    service a backend of an Onionbalance frontend (:mod:`onion.balance`).
    """
    public_targets = socket_path if isinstance(socket_path, list | tuple) else [socket_path]
    if staff_dir is not None and _target(staff_socket_path) in map(_target, public_targets):
        raise OnionConfigError("the staff onion needs its own socket, not the public one")
    out = [
        "# torrc for Movements Onion, generated by `movements onion torrc`.",
        "# Install it as /etc/tor/torrc, then: systemctl restart tor",
        "# Restart, never reload, after changing it or the staff keys in authorized_clients/:",
        "# with Sandbox 1, tor 0.4.9 cannot re-read onion service directories and exits on SIGHUP.",
        "",
        "# No SOCKS proxy: this tor only publishes the service.",
        "SocksPort 0",
        "# Keep addresses out of tor's logs.",
        "SafeLogging 1",
        "# seccomp sandbox: a compromised tor can do little more than be tor.",
        f"Sandbox {1 if sandbox else 0}",
        "VanguardsLiteEnabled 1",
        _VANGUARDS_NOTE,
    ]
    if data_directory is not None:
        out.append(f"DataDirectory {Path(data_directory)}")
    if user is not None:
        if not user.replace("-", "").replace("_", "").isalnum():
            raise OnionConfigError(f"bad user name {user!r}")
        out.append(f"User {user}")
    out += ["", "# The public onion service."]
    out += _service_lines(
        hidden_service_dir,
        socket_path,
        virtual_port,
        defenses,
        group_readable,
        onionbalance_instance,
    )
    if staff_dir is not None:
        out += [
            "",
            "# The staff onion: only clients with a key in authorized_clients/ can reach it.",
        ]
        out += _service_lines(staff_dir, staff_socket_path, virtual_port, defenses, group_readable)
    return "\n".join(out) + "\n"


def read_hostname(hidden_service_dir: Path) -> str:
    """Return the address tor wrote to ``HiddenServiceDir/hostname`` (56 chars, no .onion)."""
    path = Path(hidden_service_dir) / HOSTNAME_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(f"{path} does not exist yet: has tor started with this torrc?") from None
    except PermissionError:
        raise KeyFileError(
            f"cannot read {path}: run as root or tor's user, or set HiddenServiceDirGroupReadable"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read {path}: {exc}") from exc
    try:
        return normalize_address(text)
    except InvalidOnionAddress as exc:
        raise KeyFileError(f"{path} does not hold an onion address") from exc
