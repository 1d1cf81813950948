"""Starting and stopping a tor process that belongs to us.

Why not ``stem.process.launch_tor_with_config``: it bounds the start-up wait with ``SIGALRM``,
which works only in the main thread (stem silently drops the timeout elsewhere), and the
supervisor restarts tor from a watcher thread; it would also replace the signal handler of
whatever web server runs in the main thread. So this module does the same few steps itself,
from tor's documented command line: the configuration goes in on stdin (``-f -``), an empty
``--defaults-torrc`` keeps a system-wide defaults file from adding ports or services to our
private tor, ``__OwningControllerProcess`` makes tor exit if this Python process dies, and we
read stdout until tor logs ``Bootstrapped N%`` — with a real deadline, in any thread.

After start-up a daemon thread keeps reading tor's output into a short ring buffer, so a full
pipe never blocks tor and the last lines can explain a crash (``SafeLogging 1`` keeps addresses
out of them).
"""

from __future__ import annotations

import collections
import os
import re
import selectors
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import TorLaunchError, TorNotInstalled
from .files import ensure_private_dir, write_private_file

ConfigValue = str | int | Sequence[str | int]
TorConfig = Mapping[str, ConfigValue]

_BOOTSTRAPPED = re.compile(r"Bootstrapped (\d+)%")
_PROBLEM = re.compile(r"\[(warn|err)\] (.*)$")
_LOG_LINES_KEPT = 200


def find_tor(tor_cmd: str = "tor") -> str:
    """Return the absolute path of the tor executable, or raise :class:`TorNotInstalled`."""
    found = shutil.which(tor_cmd)
    if found is None:
        raise TorNotInstalled(tor_cmd)
    return found


def tor_version(tor_cmd: str = "tor", *, timeout: float = 10.0) -> str:
    """Return the version of the installed tor (``0.4.9.11``), without starting a relay."""
    path = find_tor(tor_cmd)
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, path found by shutil.which
            [path, "--version"], capture_output=True, text=True, timeout=timeout, check=True
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise TorLaunchError(f"{path} --version failed: {exc}") from exc
    match = re.search(r"Tor version (\S+?)\.?\s", result.stdout + " ")
    if not match:
        raise TorLaunchError(f"cannot read tor's version from {result.stdout!r}")
    return match.group(1)


def render_config(config: TorConfig) -> str:
    """Render options as torrc lines; a list value repeats the option (``HiddenServicePort``).

    Values are checked for line breaks so that a parameter can never smuggle in an option.
    """
    lines = []
    for key, value in config.items():
        values = [value] if isinstance(value, str | int) else list(value)
        for item in values:
            text = str(item)
            if "\n" in text or "\r" in text or "\n" in key:
                raise ValueError(f"line break in tor option {key!r}")
            lines.append(f"{key} {text}")
    return "\n".join(lines) + "\n"


@dataclass(eq=False)
class TorProcess:
    """A running tor we started: the process and the tail of its log."""

    popen: subprocess.Popen[bytes]
    data_dir: Path
    log: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=_LOG_LINES_KEPT)
    )
    _drain: threading.Thread | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def is_running(self) -> bool:
        """True while the process has not exited (and reaps it when it has)."""
        return self.popen.poll() is None

    def log_tail(self, lines: int = 10) -> str:
        """The last ``lines`` lines tor printed, for error messages."""
        return "\n".join(list(self.log)[-lines:])

    def stop(self, grace: float = 5.0) -> int:
        """Stop tor: SIGTERM, then SIGKILL if it has not exited after ``grace`` seconds.

        A tor was seen hanging on SIGTERM, so escalation is not optional. Returns the exit
        status (negative for a signal, as ``subprocess`` reports it).
        """
        return stop_process(self.popen, grace=grace)

    def start_draining(self) -> None:
        """Keep reading tor's output in a daemon thread so the pipe never fills."""
        stream = self.popen.stdout
        if stream is None or self._drain is not None:
            return

        def drain() -> None:
            try:
                for raw in iter(stream.readline, b""):
                    self.log.append(raw.decode("utf-8", "replace").rstrip())
            except (OSError, ValueError):  # closed under us at shutdown
                pass
            finally:
                stream.close()

        self._drain = threading.Thread(target=drain, name=f"tor-log-{self.pid}", daemon=True)
        self._drain.start()


def stop_process(popen: subprocess.Popen[bytes], *, grace: float = 5.0) -> int:
    """SIGTERM ``popen``, wait ``grace`` seconds, then SIGKILL and wait again (bounded)."""
    if popen.poll() is None:
        try:
            popen.send_signal(signal.SIGTERM)
            return popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            popen.kill()
        except ProcessLookupError:  # pragma: no cover - exited between poll and signal
            pass
    try:
        return popen.wait(timeout=grace)
    except subprocess.TimeoutExpired as exc:  # pragma: no cover - SIGKILL cannot be ignored
        raise TorLaunchError(f"tor (pid {popen.pid}) survived SIGKILL") from exc


def launch_tor(
    config: TorConfig,
    data_dir: Path,
    *,
    tor_cmd: str = "tor",
    timeout: float = 30.0,
    completion_percent: int = 0,
    take_ownership: bool = True,
    torrc_path: Path | None = None,
) -> TorProcess:
    """Start tor with ``config`` and return once it logs ``Bootstrapped completion_percent%``.

    ``data_dir`` is created 0700 and set as ``DataDirectory`` (tor refuses a directory others
    can read). With ``take_ownership`` tor exits when this process dies, and also when the first
    controller that sends TAKEOWNERSHIP disconnects (stem's ``Controller.authenticate`` does
    that when it sees our pid), so a crashed app leaves no tor behind.

    Tor runs in a session of its own: a Ctrl-C in the operator's terminal reaches the app alone,
    which then stops tor itself, rather than tor vanishing under a supervisor still running.

    With ``torrc_path`` the configuration is written to that file (0600) and read from there,
    so that a later ``SIGNAL RELOAD`` re-reads it; by default it goes through stdin and never
    touches the disk.

    Raises :class:`TorNotInstalled`, or :class:`TorLaunchError` with tor's own complaint.
    """
    path = find_tor(tor_cmd)
    data_dir = ensure_private_dir(Path(data_dir))
    defaults = data_dir / "torrc-defaults"
    defaults.write_text("# intentionally empty: no system defaults in our private tor\n")
    full_config: dict[str, ConfigValue] = {"DataDirectory": str(data_dir), **dict(config)}
    full_config["Log"] = _with_stdout_log(full_config.get("Log"))
    rendered = render_config(full_config)
    if torrc_path is None:
        args = [path, "--defaults-torrc", str(defaults), "-f", "-"]
    else:
        write_private_file(Path(torrc_path), rendered.encode("utf-8"), overwrite=True)
        args = [path, "--defaults-torrc", str(defaults), "-f", str(torrc_path)]
    if take_ownership:
        args += ["__OwningControllerProcess", str(os.getpid())]
    try:
        popen = subprocess.Popen(  # noqa: S603 - our own arguments, no shell
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except OSError as exc:
        raise TorLaunchError(f"cannot run {path}: {exc}") from exc
    process = TorProcess(popen, data_dir)
    try:
        if popen.stdin is None:  # pragma: no cover - we asked for a pipe
            raise TorLaunchError("no pipe to tor's stdin")
        try:
            if torrc_path is None:
                popen.stdin.write(rendered.encode("utf-8"))
            popen.stdin.close()
        except BrokenPipeError:
            pass  # tor exited at once; its output below says why
        _wait_for_bootstrap(process, completion_percent, timeout)
    except BaseException:
        stop_process(popen, grace=1.0)
        if popen.stdout is not None:
            popen.stdout.close()
        raise
    process.start_draining()
    return process


def _with_stdout_log(value: ConfigValue | None) -> list[str]:
    """Return the Log option with a ``notice stdout`` entry: start-up is detected from it."""
    entries = [] if value is None else [str(value)] if isinstance(value, str | int) else list(value)
    entries = [str(entry) for entry in entries]
    if not any(entry.split()[-1:] == ["stdout"] for entry in entries):
        entries.append("notice stdout")
    return entries


def _wait_for_bootstrap(process: TorProcess, completion_percent: int, timeout: float) -> None:
    """Read tor's output until it reports enough bootstrap progress, dies, or time runs out."""
    stream = process.popen.stdout
    if stream is None:  # pragma: no cover - we asked for a pipe
        raise TorLaunchError("no pipe from tor's stdout")
    deadline = time.monotonic() + timeout
    problems: list[str] = []
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TorLaunchError(
                    f"tor did not start within {timeout:g} s\n{process.log_tail()}"
                )
            if not selector.select(remaining):
                continue
            chunk = os.read(stream.fileno(), 65536)
            if not chunk:
                # The first complaints say why; later ones are tor giving up because of them.
                reason = "; ".join(problems[:2]) or "see its log"
                raise TorLaunchError(f"tor exited during start-up ({reason})\n{process.log_tail()}")
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip()
                process.log.append(line)
                found = _BOOTSTRAPPED.search(line)
                if found and int(found.group(1)) >= completion_percent:
                    if buffer:
                        process.log.append(buffer.decode("utf-8", "replace"))
                    return
                trouble = _PROBLEM.search(line)
                if trouble and "see warnings above" not in trouble.group(2):
                    problems.append(trouble.group(2).strip())
