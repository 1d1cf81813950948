"""The onion service's identity key: create, store, load, import from and export to tor.

The key *is* the address: lose it and every link people shared is dead; leak it and someone
else can impersonate the service. So it is written once, atomically, with mode 0600, never
overwritten unless the caller asks, and never shown by ``repr``.

Two on-disk forms exist:

* ours, a one-line text file ``ED25519-V3:<base64 of the 64-byte expanded key>`` — exactly the
  ``KeyType:KeyBlob`` that tor's ``ADD_ONION`` takes and returns, so it can be sent as is;
* tor's ``HiddenServiceDir``: ``hs_ed25519_secret_key`` (a 32-byte header, then the same
  64 bytes), ``hs_ed25519_public_key`` (header, then 32 bytes) and ``hostname``.

Moving a service between the embedded mode and a system tor is a copy between the two.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import ed25519
from .address import address_from_public_key
from .errors import InvalidKey, KeyFileError
from .files import ensure_private_dir, read_private_file, write_private_file

KEY_TYPE = "ED25519-V3"
EXPANDED_KEY_LENGTH = 64
SECRET_KEY_FILE = "hs_ed25519_secret_key"  # noqa: S105 - a file name, not a secret
PUBLIC_KEY_FILE = "hs_ed25519_public_key"
HOSTNAME_FILE = "hostname"
_SECRET_HEADER = b"== ed25519v1-secret: type0 ==".ljust(32, b"\0")
_PUBLIC_HEADER = b"== ed25519v1-public: type0 ==".ljust(32, b"\0")


def _is_clamped(scalar: bytes) -> bool:
    """True if the scalar has the bit pattern every ed25519 secret scalar has (RFC 8032)."""
    return scalar[0] & 0b111 == 0 and scalar[31] & 0b1100_0000 == 0b0100_0000


@dataclass(frozen=True, repr=False, eq=False)
class ServiceKey:
    """An ED25519-V3 onion service key in tor's expanded form (64 bytes)."""

    expanded: bytes

    def __post_init__(self) -> None:
        if len(self.expanded) != EXPANDED_KEY_LENGTH:
            raise InvalidKey(f"an expanded ed25519 key is {EXPANDED_KEY_LENGTH} bytes")
        if not _is_clamped(self.expanded[:32]):
            # A file that happens to be 64 bytes long is not necessarily a key; tor's keys
            # always carry a clamped scalar, so this catches a wrong file early.
            raise InvalidKey("not an ed25519 expanded secret key (scalar is not clamped)")

    @classmethod
    def generate(cls) -> ServiceKey:
        """Create a new random key."""
        return cls.from_seed(secrets.token_bytes(32))

    @classmethod
    def from_seed(cls, seed: bytes) -> ServiceKey:
        """Expand a 32-byte RFC 8032 seed the way tor and every ed25519 library do."""
        if len(seed) != 32:
            raise InvalidKey("an ed25519 seed is 32 bytes")
        digest = bytearray(hashlib.sha512(seed).digest())
        digest[0] &= 248
        digest[31] &= 63
        digest[31] |= 64
        key = cls(bytes(digest))
        # With the seed at hand the public key comes from a vetted library; our own scalar
        # multiplication is needed only for imported keys (tests check that both agree).
        public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
        key.__dict__["public_key"] = public  # fills the cached_property below
        return key

    @classmethod
    def from_key_content(cls, text: str) -> ServiceKey:
        """Parse ``ED25519-V3:<base64>`` (or the bare base64 blob) as ADD_ONION returns it."""
        blob = text.strip()
        if ":" in blob:
            key_type, blob = blob.split(":", 1)
            if key_type != KEY_TYPE:
                raise InvalidKey(f"unsupported key type {key_type!r}; expected {KEY_TYPE}")
        try:
            raw = base64.b64decode(blob, validate=True)
        except binascii.Error as exc:
            raise InvalidKey("key content is not base64") from exc
        return cls(raw)

    @property
    def key_content(self) -> str:
        """The base64 blob ADD_ONION takes after ``ED25519-V3:``."""
        return base64.b64encode(self.expanded).decode("ascii")

    @property
    def key_blob(self) -> str:
        """``ED25519-V3:<base64>``: the first argument of ADD_ONION and our file's content."""
        return f"{KEY_TYPE}:{self.key_content}"

    @cached_property
    def public_key(self) -> bytes:
        """The 32-byte ed25519 public key, computed from the scalar half of the key."""
        return ed25519.public_key_from_scalar(self.expanded[:32])

    @property
    def address(self) -> str:
        """The 56-character onion address (no ``.onion``)."""
        return address_from_public_key(self.public_key)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ServiceKey):
            return NotImplemented
        return secrets.compare_digest(self.expanded, other.expanded)

    def __hash__(self) -> int:
        return hash(self.public_key)

    def __repr__(self) -> str:
        # Never the secret: keys end up in logs and tracebacks.
        return f"ServiceKey(address={self.address!r})"


def save_key(key: ServiceKey, path: Path, *, overwrite: bool = False) -> None:
    """Store ``key`` in our one-line format at ``path`` (0600, atomic; see write_private_file)."""
    path = Path(path)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    write_private_file(path, (key.key_blob + "\n").encode("ascii"), overwrite=overwrite)


def load_key(path: Path) -> ServiceKey:
    """Read a key stored by :func:`save_key`; refuse a file other users can read."""
    data = read_private_file(path)
    try:
        return ServiceKey.from_key_content(data.decode("ascii"))
    except (UnicodeDecodeError, InvalidKey) as exc:
        raise KeyFileError(f"{path} does not hold an {KEY_TYPE} key: {exc}") from exc


def load_or_create_key(path: Path) -> ServiceKey:
    """Return the key at ``path``, creating and storing a new one on first run.

    This is what makes the address survive restarts. If two processes start at once, one
    creates the file and the other loads it.
    """
    path = Path(path)
    if not path.exists():
        try:
            save_key(ServiceKey.generate(), path)
        except KeyFileError:
            if not path.exists():
                raise
    return load_key(path)


# --- tor's HiddenServiceDir ------------------------------------------------------------------


def read_hidden_service_key(path: Path) -> ServiceKey:
    """Import the key of a tor ``HiddenServiceDir`` (the directory or its secret key file).

    ``hs_ed25519_secret_key`` is the header ``== ed25519v1-secret: type0 ==`` padded with NULs
    to 32 bytes, followed by the 64-byte expanded key.
    """
    path = Path(path)
    if path.is_dir():
        path = path / SECRET_KEY_FILE
    data = read_private_file(path)
    if len(data) != len(_SECRET_HEADER) + EXPANDED_KEY_LENGTH or not data.startswith(
        _SECRET_HEADER
    ):
        raise KeyFileError(f"{path} is not a tor {SECRET_KEY_FILE} file")
    try:
        return ServiceKey(data[len(_SECRET_HEADER) :])
    except InvalidKey as exc:
        raise KeyFileError(f"{path}: {exc}") from exc


def write_hidden_service_dir(key: ServiceKey, directory: Path, *, overwrite: bool = False) -> Path:
    """Export ``key`` as a tor ``HiddenServiceDir`` (0700) that tor will serve as is.

    Writes ``hs_ed25519_secret_key``, ``hs_ed25519_public_key`` and ``hostname``, each 0600 as
    tor itself does. The directory still has to be owned by the user tor runs as
    (``chown -R debian-tor: DIR`` on Debian). Returns the directory.
    """
    directory = ensure_private_dir(Path(directory))
    write_private_file(
        directory / SECRET_KEY_FILE, _SECRET_HEADER + key.expanded, overwrite=overwrite
    )
    write_private_file(
        directory / PUBLIC_KEY_FILE, _PUBLIC_HEADER + key.public_key, overwrite=overwrite
    )
    write_private_file(
        directory / HOSTNAME_FILE, f"{key.address}.onion\n".encode("ascii"), overwrite=overwrite
    )
    return directory
