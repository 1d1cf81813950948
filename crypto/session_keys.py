"""Unwrapped private keys held in memory for signed-in sessions, and nowhere else.

A user's private key is unwrapped at sign-in and must be at hand for each request until
sign-out, without ever reaching the disk or a cookie in clear. This store keeps it in the
process's memory, encrypted under a key derived from the session's handle (the random token
in the user's cookie) and a per-process random secret:

- the store holds only lookup ids (derived one-way from the handles) and ciphertexts, never
  the handles, so its contents alone (a debugger, an error report that prints locals, a
  stray pickle, a dump of the dict) yield no private key without the users' cookies;
- the per-process secret means a restart drops every entry by construction: afterwards no
  cookie, stolen or not, opens anything;
- it does not protect against an adversary who can read the whole process memory or
  controls the process: handles and keys pass through memory in clear on every request, and
  Python cannot wipe bytes objects, so recent copies linger in freed memory until reused.
  Disable core dumps and use encrypted swap in deployment.

Entries expire after an absolute lifetime from `put` and after an idle lifetime since the
last `get`, measured with an injectable clock. All methods are thread-safe. The store is
per process: several worker processes would each see only their own sessions.
"""

import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ._blob import as_bytes
from .binding import associated_data
from .errors import DecryptionError

MIN_HANDLE_LENGTH = 32
_NONCE_SIZE = 12
_HKDF_INFO = b"movements-onion session key store v1"


@dataclass
class _Entry:
    user_id: int | str
    created: float
    last_used: float
    nonce: bytes
    ciphertext: bytes


class SessionKeyStore:
    """Key bytes per session handle, encrypted, with absolute and idle expiry (in seconds)."""

    def __init__(
        self,
        *,
        absolute_lifetime: float,
        idle_lifetime: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if absolute_lifetime <= 0 or idle_lifetime <= 0:
            raise ValueError("lifetimes must be positive")
        self._absolute = absolute_lifetime
        self._idle = idle_lifetime
        self._clock = clock
        self._secret = os.urandom(32)
        self._entries: dict[bytes, _Entry] = {}
        self._lock = threading.Lock()

    @staticmethod
    def new_handle() -> str:
        """A fresh random handle (256 bits) for a caller that has no session token to reuse."""
        return secrets.token_urlsafe(32)

    def put(self, handle: str, key_bytes: bytes, *, user_id: int | str) -> None:
        """Hold `key_bytes` for `handle` (replacing what it held), on behalf of `user_id`."""
        key_bytes = as_bytes(key_bytes, "key bytes")
        lookup, aead = self._derive(handle)
        nonce = os.urandom(_NONCE_SIZE)
        ciphertext = aead.encrypt(nonce, key_bytes, _entry_ad(user_id))
        with self._lock:
            now = self._clock()
            self._purge_expired(now)
            self._entries[lookup] = _Entry(user_id, now, now, nonce, ciphertext)

    def get(self, handle: str) -> bytes | None:
        """The key bytes held for `handle`, or None if there are none or they expired."""
        lookup, aead = self._derive(handle)
        with self._lock:
            entry = self._entries.get(lookup)
            if entry is None:
                return None
            now = self._clock()
            if self._expired(entry, now):
                del self._entries[lookup]
                return None
            entry.last_used = now
            nonce, ciphertext, user_id = entry.nonce, entry.ciphertext, entry.user_id
        try:
            return aead.decrypt(nonce, ciphertext, _entry_ad(user_id))
        except InvalidTag:  # only if memory was corrupted
            raise DecryptionError("session key entry damaged") from None

    def drop(self, handle: str) -> None:
        """Forget what `handle` held (sign-out). Nothing held is not an error."""
        lookup, _ = self._derive(handle)
        with self._lock:
            self._entries.pop(lookup, None)

    def drop_all_for(self, user_id: int | str) -> int:
        """Forget every session of `user_id` (sign out everywhere, password change, deletion)."""
        with self._lock:
            doomed = [lookup for lookup, e in self._entries.items() if e.user_id == user_id]
            for lookup in doomed:
                del self._entries[lookup]
        return len(doomed)

    def purge_expired(self) -> int:
        """Remove every expired entry now; `put` also does this as it goes."""
        with self._lock:
            return self._purge_expired(self._clock())

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def __repr__(self) -> str:
        return f"<SessionKeyStore entries={len(self)}>"

    def __reduce__(self) -> tuple:
        raise TypeError("a SessionKeyStore cannot be pickled: it never leaves this process")

    def _derive(self, handle: str) -> tuple[bytes, AESGCM]:
        if not isinstance(handle, str) or len(handle) < MIN_HANDLE_LENGTH:
            raise ValueError(f"a handle is a random string of at least {MIN_HANDLE_LENGTH} chars")
        material = HKDF(
            algorithm=hashes.SHA256(), length=64, salt=self._secret, info=_HKDF_INFO
        ).derive(handle.encode("utf-8"))
        return material[:32], AESGCM(material[32:])

    def _expired(self, entry: _Entry, now: float) -> bool:
        return now - entry.created >= self._absolute or now - entry.last_used >= self._idle

    def _purge_expired(self, now: float) -> int:
        doomed = [lookup for lookup, e in self._entries.items() if self._expired(e, now)]
        for lookup in doomed:
            del self._entries[lookup]
        return len(doomed)


def _entry_ad(user_id: int | str) -> bytes:
    return associated_data("session key", user_id)
