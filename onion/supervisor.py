"""Keeping the onion service up: start, watch, restart with back-off, stop.

Two supervisors share one loop:

* :class:`EmbeddedOnion` launches its own tor (data directory and control socket inside the
  instance folder) and owns it: if that tor dies it is started again.
* :class:`AttachedOnion` publishes through a tor someone else runs (``--tor-control``); if the
  control connection drops (that tor restarted), it reconnects. It never stops that tor.

Either way the service is re-added with the same stored key, so the address never changes, and
the defenses of :class:`~onion.publish.Defenses` go with every ADD_ONION. A watcher thread polls
health twice a second; after a failure it retries with capped exponential back-off, then at the
longest delay for as long as it runs: a tor that cannot come back for an hour (its data folder
unusable, its disk full) is back a minute after the cause goes, without anyone restarting the
server. Nothing here prints: each loss, failed attempt and restart is one line on the
``onion.supervisor`` logger, callers read :meth:`status`, and ``on_change`` hears of each.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import stem
from stem.control import Controller, EventType
from stem.response.events import HSDescEvent

from .client_auth import read_authorized_clients
from .control import ControlEndpoint, connect, parse_control_endpoint
from .errors import OnionConfigError, OnionError, TorControlError, TorLaunchError
from .files import ensure_private_dir
from .keys import ServiceKey, load_or_create_key
from .process import ConfigValue, TorProcess, launch_tor
from .publish import DEFAULT_DEFENSES, Defenses, add_onion, current_onions, remove_onion
from .status import OnionStatus, ServiceStatus, tor_facts

log = logging.getLogger(__name__)

#: A unix socket path must fit in sockaddr_un (108 bytes with the NUL); beyond this we fall back
#: to a control port on 127.0.0.1 chosen by tor.
_MAX_SOCKET_PATH = 100


@dataclass(frozen=True)
class OnionService:
    """One service to publish: its key file, where tor forwards visitors, and its defenses.

    Setting ``authorized_clients_dir`` (a directory of ``NAME.auth`` files, see
    :mod:`onion.client_auth`) makes it a client-authorized service, such as the staff onion:
    it is never published without at least one authorized client.
    """

    key_path: Path
    target: str | int
    virtual_port: int = 80
    defenses: Defenses = DEFAULT_DEFENSES
    authorized_clients_dir: Path | None = None
    name: str = "public"

    @property
    def requires_client_auth(self) -> bool:
        return self.authorized_clients_dir is not None

    def client_keys(self) -> list[str]:
        """The authorized clients' base32 public keys, read now (revocations apply on publish)."""
        if self.authorized_clients_dir is None:
            return []
        return list(read_authorized_clients(self.authorized_clients_dir).values())


@dataclass(frozen=True)
class Backoff:
    """Capped exponential back-off: initial, initial·factor, … up to max_delay, then max_delay."""

    initial: float = 0.5
    factor: float = 2.0
    max_delay: float = 60.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (from 0); never gives up."""
        # the exponent is capped: a week of retries must not overflow a float
        return min(self.initial * self.factor ** min(attempt, 60), self.max_delay)


class _Supervisor:
    """The shared start/watch/restart/stop logic; subclasses say how to reach a tor."""

    mode = "?"

    def __init__(
        self,
        services: Sequence[OnionService],
        *,
        await_publication: bool = False,
        publish_timeout: float = 60.0,
        backoff: Backoff | None = None,
        poll_interval: float = 0.5,
        on_change: Callable[[OnionStatus], None] | None = None,
    ) -> None:
        names = [service.name for service in services]
        if not services or len(set(names)) != len(names):
            raise OnionConfigError("services need distinct names")
        self._services = tuple(services)
        self._await_publication = await_publication
        self._publish_timeout = publish_timeout
        self._backoff = backoff or Backoff()
        self._poll_interval = poll_interval
        self._on_change = on_change
        self._report_error: str | None = None
        self._keys: dict[str, ServiceKey] = {}
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._watcher: threading.Thread | None = None
        self._controller: Controller | None = None
        self._published: set[str] = set()
        self._uploaded: set[str] = set()
        self._upload_errors: dict[str, str] = {}
        self._state = "stopped"
        self._restarts = 0
        self._last_error: str | None = None
        self._restarting_since: float | None = None  # time.time() when the onion went down
        self._attempts = 0  # failed attempts to bring it back since then

    # --- what subclasses provide --------------------------------------------------------------

    def _open(self) -> Controller:
        """Reach a tor and return an authenticated controller."""
        raise NotImplementedError

    def _after_close(self) -> None:
        """Release what _open acquired besides the controller (our tor process)."""

    def _tor_alive(self) -> bool:
        """True unless we know the tor process is gone."""
        return True

    # --- public API ---------------------------------------------------------------------------

    def start(self) -> str:
        """Publish every service and start watching; return the public address (56 chars).

        The first start raises on failure (TorNotInstalled, TorLaunchError, TorControlError,
        OnionPublishError, OnionConfigError, KeyFileError) so the caller can tell the operator;
        only later failures are retried in the background.
        """
        with self._lock:
            if self._state != "stopped":
                raise OnionError(f"already {self._state}")
            self._keys = {s.name: load_or_create_key(s.key_path) for s in self._services}
            self._stopping.clear()
            try:
                self._bring_up(initial=True)
            except BaseException:
                self._tear_down(remove=False)
                raise
            self._state = "running"
            self._restarts = 0
        self._watcher = threading.Thread(target=self._watch, name="onion-supervisor", daemon=True)
        self._watcher.start()
        self._notify()
        return self.address

    def stop(self, timeout: float = 30.0) -> None:
        """Remove the services (DEL_ONION), close the connection and, if ours, stop tor."""
        self._stopping.set()
        watcher = self._watcher
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout)
        with self._lock:
            self._tear_down(remove=True)
            self._state = "stopped"
            self._restarting_since = None
            self._watcher = None
        self._notify()

    def republish(self) -> None:
        """Add the services again, e.g. after staff client keys were added or revoked.

        tor encrypts a descriptor to the clients it knows when the service is added, so this
        is how an authorization change takes effect. If a client-authorized service has no
        client left it stays down and OnionConfigError is raised; the others are republished.
        """
        with self._lock:
            if self._controller is None:
                raise OnionError("not running")
            for service in self._services:
                address = self._keys[service.name].address
                if address in self._published:
                    remove_onion(self._controller, address)
                    self._published.discard(address)
                    self._uploaded.discard(address)
            self._publish_all(initial=True)

    @property
    def address(self) -> str:
        """The public (first) service's address (before start: ``load_key(path).address``)."""
        if not self._keys:
            raise OnionError("not started yet")
        return self.addresses[self._services[0].name]

    @property
    def addresses(self) -> dict[str, str]:
        """``{service name: address}``; empty before the first start loaded the keys."""
        return {name: key.address for name, key in self._keys.items()}

    def status(self) -> OnionStatus:
        """A snapshot: state, tor version and bootstrap, and whether each service is published."""
        with self._lock:
            version = bootstrap = None
            visible: set[str] = set()
            if self._controller is not None and self._controller.is_alive():
                version, bootstrap = tor_facts(self._controller)
                visible = current_onions(self._controller)
            services = tuple(
                ServiceStatus(
                    name=service.name,
                    address=self._keys[service.name].address,
                    published=self._keys[service.name].address in visible,
                    descriptor_uploaded=self._keys[service.name].address in self._uploaded,
                    upload_error=self._upload_errors.get(self._keys[service.name].address),
                )
                for service in self._services
                if service.name in self._keys
            )
            return OnionStatus(
                mode=self.mode,
                state=self._state,
                tor_version=version,
                bootstrap=bootstrap,
                services=services,
                restarts=self._restarts,
                last_error=self._last_error,
                restarting_since=self._restarting_since,
                attempts=self._attempts,
            )

    def __enter__(self) -> _Supervisor:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # --- internals ----------------------------------------------------------------------------

    def _bring_up(self, *, initial: bool) -> None:
        self._controller = self._open()
        try:
            self._controller.add_event_listener(self._on_hs_desc, EventType.HS_DESC)
        except (stem.ControllerError, stem.SocketError) as exc:
            raise TorControlError(f"cannot subscribe to HS_DESC events: {exc}") from exc
        self._published.clear()
        self._uploaded.clear()
        self._upload_errors.clear()
        self._publish_all(initial=initial)

    def _publish_all(self, *, initial: bool) -> None:
        if self._controller is None:  # pragma: no cover - callers hold a controller
            raise OnionError("not connected")
        for service in self._services:
            try:
                clients = service.client_keys()
                if service.requires_client_auth and not clients:
                    raise OnionConfigError(
                        f"the {service.name} onion requires client authorization, "
                        f"but {service.authorized_clients_dir} holds no client key"
                    )
            except OnionError as exc:
                if initial or not service.requires_client_auth:
                    raise
                # Later, a staff onion whose clients were all revoked stays down on its own:
                # the public service must not go down with it.
                self._last_error = str(exc)
                continue
            address = add_onion(
                self._controller,
                self._keys[service.name],
                service.target,
                virtual_port=service.virtual_port,
                defenses=service.defenses,
                client_auth=clients,
                require_client_auth=service.requires_client_auth,
                await_publication=self._await_publication,
                timeout=self._publish_timeout,
            )
            self._published.add(address)
            if self._await_publication:
                self._uploaded.add(address)

    def _on_hs_desc(self, event: HSDescEvent) -> None:
        # Runs in stem's event thread, possibly before add_onion has returned.
        ours = {key.address for key in self._keys.values()}
        if event.address not in ours:
            return
        if event.action == "UPLOADED":
            self._uploaded.add(event.address)
            self._upload_errors.pop(event.address, None)
        elif event.action == "FAILED" and event.address not in self._uploaded:
            self._upload_errors[event.address] = str(event.reason or "no reason given")

    def _tear_down(self, *, remove: bool) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            if remove and controller.is_alive():
                for address in sorted(self._published):
                    with contextlib.suppress(OnionError):
                        remove_onion(controller, address)
            with contextlib.suppress(stem.ControllerError, stem.SocketError, ValueError):
                controller.remove_event_listener(self._on_hs_desc)
            controller.close()
        self._published.clear()
        self._after_close()

    def _healthy(self) -> bool:
        with self._lock:
            controller = self._controller
            return controller is not None and controller.is_alive() and self._tor_alive()

    def _notify(self) -> None:
        """Tell ``on_change`` the new state; its own failure (a full disk) must not stop us.

        Such a failure is logged once, not again at every attempt while the same kind lasts
        (its message may differ each time: a temporary file's name).
        """
        if self._on_change is None:
            return
        try:
            self._on_change(self.status())
        except Exception as exc:
            if type(exc).__name__ != self._report_error:
                log.error("could not report the onion's state: %s: %s", type(exc).__name__, exc)
            self._report_error = type(exc).__name__
        else:
            self._report_error = None

    def _watch(self) -> None:
        while not self._stopping.wait(self._poll_interval):
            if self._healthy():
                continue
            if not self._recover():
                return

    def _recover(self) -> bool:
        """Bring tor and the services back, however long it takes; False only when stopping."""
        with self._lock:
            if self._stopping.is_set():
                return False
            self._state = "restarting"
            self._restarting_since = time.time()
            self._attempts = 0
            self._tear_down(remove=False)
        log.error("tor stopped answering (%s); bringing the onion back", self.mode)
        self._notify()
        while not self._stopping.wait(self._backoff.delay(self._attempts)):
            with self._lock:
                if self._stopping.is_set():
                    return False
                recovered = self._try_bring_up()
            self._notify()
            if recovered:
                return True
        return False

    def _try_bring_up(self) -> bool:
        """One attempt, logged in one line either way."""
        try:
            self._bring_up(initial=False)
        except Exception as exc:  # the watcher must outlive any failure
            self._last_error = f"{type(exc).__name__}: {exc}"
            self._tear_down(remove=False)
            self._attempts += 1
            log.error(
                "bringing the onion back failed (attempt %d, next in %.1f s): %s",
                self._attempts,
                self._backoff.delay(self._attempts),
                self._last_error,
            )
            return False
        self._state = "running"
        self._restarts += 1
        self._restarting_since = None
        log.warning(
            "onion back after %d failed attempts (restart %d)", self._attempts, self._restarts
        )
        return True


class EmbeddedOnion(_Supervisor):
    """Launch a private tor in ``data_dir`` and publish the app through it.

    ``target`` is where tor forwards visitors: a loopback port or ``unix:/path`` of the app's
    socket. The key lives at ``key_path`` (created on first start, 0600). ``staff`` adds a
    second, client-authorized service (give it its own target, so the app knows which onion a
    request came through without trusting the Host header). ``extra_config`` adds torrc options
    (tests use ``DisableNetwork``, the private network its ``DirAuthority`` lines).
    """

    mode = "embedded"

    def __init__(
        self,
        data_dir: Path,
        key_path: Path,
        target: str | int,
        *,
        virtual_port: int = 80,
        defenses: Defenses = DEFAULT_DEFENSES,
        staff: OnionService | None = None,
        tor_cmd: str = "tor",
        use_control_port: bool = False,
        extra_config: Mapping[str, ConfigValue] | None = None,
        launch_timeout: float = 30.0,
        stop_grace: float = 5.0,
        await_publication: bool = False,
        publish_timeout: float = 60.0,
        backoff: Backoff | None = None,
        poll_interval: float = 0.5,
        on_change: Callable[[OnionStatus], None] | None = None,
    ) -> None:
        public = OnionService(Path(key_path), target, virtual_port, defenses, name="public")
        super().__init__(
            [public] if staff is None else [public, staff],
            await_publication=await_publication,
            publish_timeout=publish_timeout,
            backoff=backoff,
            poll_interval=poll_interval,
            on_change=on_change,
        )
        self.data_dir = Path(data_dir)
        self._tor_cmd = tor_cmd
        socket_path = self.data_dir / "control"
        self._use_port = use_control_port or len(str(socket_path.resolve())) > _MAX_SOCKET_PATH
        self._extra_config = dict(extra_config or {})
        self._launch_timeout = launch_timeout
        self._stop_grace = stop_grace
        self._process: TorProcess | None = None
        self.control_endpoint: ControlEndpoint | None = None

    @property
    def pid(self) -> int | None:
        """The running tor's process id (tests kill it to exercise the restart)."""
        with self._lock:
            return self._process.pid if self._process is not None else None

    def log_tail(self, lines: int = 20) -> str:
        """The last lines tor logged (SafeLogging keeps addresses out), for diagnostics."""
        with self._lock:
            return self._process.log_tail(lines) if self._process is not None else ""

    def _tor_config(self) -> dict[str, ConfigValue]:
        data_dir = self.data_dir.resolve()
        config: dict[str, ConfigValue] = {
            "CookieAuthentication": "1",
            "SocksPort": "0",
            "SafeLogging": "1",
            "AvoidDiskWrites": "1",
        }
        if self._use_port:
            config["ControlPort"] = "127.0.0.1:auto"
            config["ControlPortWriteToFile"] = str(data_dir / "control-port")
        else:
            config["ControlSocket"] = str(data_dir / "control")
        config.update(self._extra_config)
        return config

    def _open(self) -> Controller:
        data_dir = ensure_private_dir(self.data_dir).resolve()
        for stale in ("control", "control-port"):  # left behind if tor was killed
            with contextlib.suppress(FileNotFoundError):
                os.unlink(data_dir / stale)
        self._process = launch_tor(
            self._tor_config(), data_dir, tor_cmd=self._tor_cmd, timeout=self._launch_timeout
        )
        if self._use_port:
            self.control_endpoint = _read_control_port_file(data_dir / "control-port")
        else:
            self.control_endpoint = ControlEndpoint(socket_path=data_dir / "control")
        return connect(self.control_endpoint)

    def _after_close(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.stop(grace=self._stop_grace)

    def _tor_alive(self) -> bool:
        return self._process is not None and self._process.is_running()


def _read_control_port_file(path: Path) -> ControlEndpoint:
    """Parse tor's ``ControlPortWriteToFile`` output (``PORT=127.0.0.1:9151``)."""
    try:
        text = path.read_text(encoding="ascii")
    except OSError as exc:
        raise TorLaunchError(f"tor did not write its control port to {path}: {exc}") from exc
    for line in text.splitlines():
        if line.startswith("PORT="):
            return parse_control_endpoint(line.removeprefix("PORT="))
    raise TorLaunchError(f"no PORT= line in {path}")


class AttachedOnion(_Supervisor):
    """Publish through a tor that is already running (``--tor-control PATH|HOST:PORT``).

    Authenticates with tor's cookie when readable, else ``password``. On stop the services are
    removed and the connection closed; that tor keeps running. Services are not detached, so
    tor also drops them by itself if this process dies.
    """

    mode = "attached"

    def __init__(
        self,
        control: ControlEndpoint | str,
        key_path: Path,
        target: str | int,
        *,
        password: str | None = None,
        virtual_port: int = 80,
        defenses: Defenses = DEFAULT_DEFENSES,
        staff: OnionService | None = None,
        await_publication: bool = False,
        publish_timeout: float = 60.0,
        backoff: Backoff | None = None,
        poll_interval: float = 0.5,
        on_change: Callable[[OnionStatus], None] | None = None,
    ) -> None:
        public = OnionService(Path(key_path), target, virtual_port, defenses, name="public")
        super().__init__(
            [public] if staff is None else [public, staff],
            await_publication=await_publication,
            publish_timeout=publish_timeout,
            backoff=backoff,
            poll_interval=poll_interval,
            on_change=on_change,
        )
        self.control_endpoint = (
            parse_control_endpoint(control) if isinstance(control, str) else control
        )
        self._password = password

    def _open(self) -> Controller:
        return connect(self.control_endpoint, password=self._password)
