"""v3 client authorization: x25519 key pairs and the three text forms tor uses for them.

A service with client authorization encrypts its descriptor to a list of x25519 public keys;
a client without one of the matching private keys cannot even learn the introduction points,
so the staff onion is invisible to everyone else. The forms (tor manual, "CLIENT
AUTHORIZATION"):

* service side, one file per client in ``HiddenServiceDir/authorized_clients/NAME.auth``:
  ``descriptor:x25519:<base32 public key>`` — for ADD_ONION only the base32 key is sent
  (``ClientAuthV3=<base32>``);
* client side, one file per service in ``ClientOnionAuthDir/NAME.auth_private``:
  ``<56-char address>:descriptor:x25519:<base32 private key>``; Tor Browser accepts the same
  line, and its "onion key" prompt takes the base32 private key alone.

Keys are base32 without padding (52 characters). The service stores only public keys; the
private key is shown to the staff member once and not kept.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from .address import normalize_address
from .errors import InvalidKey, KeyFileError
from .files import ensure_private_dir, write_private_file

AUTH_PREFIX = "descriptor:x25519:"
AUTH_SUFFIX = ".auth"
PRIVATE_AUTH_SUFFIX = ".auth_private"
#: Client names become file names: keep them to a safe, boring alphabet.
_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def b32encode_key(raw: bytes) -> str:
    """Base32 of a 32-byte key without the ``====`` padding, as tor writes it."""
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def b32decode_key(text: str) -> bytes:
    """Decode a 52-character base32 key (any letter case, padding optional) to 32 bytes."""
    cleaned = text.strip().upper().rstrip("=")
    if len(cleaned) != 52:
        raise InvalidKey("an x25519 key in base32 is 52 characters")
    try:
        raw = base64.b32decode(cleaned + "====")
    except binascii.Error as exc:
        raise InvalidKey("x25519 key is not base32") from exc
    return raw


def check_client_name(name: str) -> str:
    """Return ``name`` if it is usable as a file name for a client, else raise InvalidKey."""
    if not _NAME.fullmatch(name):
        raise InvalidKey("a client name is 1-64 letters, digits, '-' or '_'")
    return name


@dataclass(frozen=True, repr=False)
class ClientAuthKeyPair:
    """An x25519 key pair for one authorized client of one service."""

    private_key: bytes
    public_key: bytes

    @classmethod
    def generate(cls) -> ClientAuthKeyPair:
        """Create a new random pair."""
        return cls.from_private_key(
            X25519PrivateKey.generate().private_bytes_raw(),
        )

    @classmethod
    def from_private_key(cls, private_key: bytes) -> ClientAuthKeyPair:
        """Rebuild the pair from its 32-byte private key."""
        if len(private_key) != 32:
            raise InvalidKey("an x25519 private key is 32 bytes")
        public = X25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()
        return cls(private_key, public)

    @property
    def private_base32(self) -> str:
        """The private key as Tor Browser's onion-key prompt takes it."""
        return b32encode_key(self.private_key)

    @property
    def public_base32(self) -> str:
        """The public key as ADD_ONION's ``ClientAuthV3=`` takes it."""
        return b32encode_key(self.public_key)

    @property
    def authorized_clients_line(self) -> str:
        """``descriptor:x25519:<base32 public>``: the content of an ``authorized_clients`` file."""
        return AUTH_PREFIX + self.public_base32

    def credential(self, onion_address: str) -> str:
        """``<address>:descriptor:x25519:<base32 private>``, for Tor Browser and ``.auth_private``.

        Show it to its owner once; it is the only copy of the private key.
        """
        return f"{normalize_address(onion_address)}:{AUTH_PREFIX}{self.private_base32}"

    def __repr__(self) -> str:
        return f"ClientAuthKeyPair(public={self.public_base32!r})"


def parse_authorized_client(line: str) -> bytes:
    """Return the public key of a ``descriptor:x25519:<base32>`` line."""
    text = line.strip()
    if not text.startswith(AUTH_PREFIX):
        raise InvalidKey(f"an authorized client line starts with {AUTH_PREFIX!r}")
    return b32decode_key(text.removeprefix(AUTH_PREFIX))


def parse_credential(line: str) -> tuple[str, bytes]:
    """Return (address, private key) of a ``<address>:descriptor:x25519:<base32>`` line."""
    address, sep, rest = line.strip().partition(":")
    if not sep or not rest.startswith(AUTH_PREFIX):
        raise InvalidKey("a credential is <address>:descriptor:x25519:<base32 private key>")
    return normalize_address(address), b32decode_key(rest.removeprefix(AUTH_PREFIX))


# --- the authorized_clients directory (also what a system tor reads) -------------------------


def add_authorized_client(directory: Path, name: str, public_key: bytes) -> Path:
    """Record ``public_key`` as ``directory/NAME.auth``; refuse to replace an existing name.

    The same directory serves both modes: a system tor reads it as
    ``HiddenServiceDir/authorized_clients``, and the embedded mode sends its keys with ADD_ONION.
    """
    check_client_name(name)
    directory = ensure_private_dir(Path(directory))
    path = directory / f"{name}{AUTH_SUFFIX}"
    line = AUTH_PREFIX + b32encode_key(public_key) + "\n"
    write_private_file(path, line.encode("ascii"))
    return path


def remove_authorized_client(directory: Path, name: str) -> bool:
    """Delete ``directory/NAME.auth``; return whether it existed.

    Revocation takes effect when the service is next published (tor encrypts each descriptor to
    the clients it knows at that moment).
    """
    check_client_name(name)
    try:
        os.unlink(Path(directory) / f"{name}{AUTH_SUFFIX}")
    except FileNotFoundError:
        return False
    return True


def read_authorized_clients(directory: Path) -> dict[str, str]:
    """Return ``{name: base32 public key}`` for every ``*.auth`` file in ``directory``.

    A missing directory means no clients. A malformed file raises KeyFileError rather than being
    skipped, so a typo cannot silently lock staff out (or be mistaken for a revocation).
    """
    directory = Path(directory)
    if not directory.is_dir():
        return {}
    clients: dict[str, str] = {}
    for path in sorted(directory.glob(f"*{AUTH_SUFFIX}")):
        try:
            key = parse_authorized_client(path.read_text(encoding="ascii"))
        except (InvalidKey, UnicodeDecodeError) as exc:
            raise KeyFileError(f"{path}: {exc}") from exc
        clients[path.name.removesuffix(AUTH_SUFFIX)] = b32encode_key(key)
    return clients


def write_client_credential(
    directory: Path, name: str, onion_address: str, pair: ClientAuthKeyPair
) -> Path:
    """Write ``directory/NAME.auth_private`` for a tor client's ``ClientOnionAuthDir`` (0600)."""
    check_client_name(name)
    directory = ensure_private_dir(Path(directory))
    path = directory / f"{name}{PRIVATE_AUTH_SUFFIX}"
    write_private_file(path, (pair.credential(onion_address) + "\n").encode("ascii"))
    return path
