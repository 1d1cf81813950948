"""Tor for Movements Onion: keys, addresses, publishing, supervision and a system torrc.

This package knows nothing of Flask or of the app's crypto; the app imports it. The names
below are the supported surface; the modules hold the details:

* :mod:`onion.address` — v3 onion addresses (derive, validate)
* :mod:`onion.ed25519` — the scalar multiplication that turns tor's expanded key into a public key
* :mod:`onion.keys` — the service key: create, store (0600), import from / export to tor
* :mod:`onion.files` — private directories and atomic 0600 files
* :mod:`onion.client_auth` — x25519 client authorization keys and their file formats
* :mod:`onion.process` — start and stop a tor process we own
* :mod:`onion.control` — authenticated control connections (socket or port, cookie or password)
* :mod:`onion.publish` — ADD_ONION with proof of work and stream limits, DEL_ONION
* :mod:`onion.supervisor` — EmbeddedOnion and AttachedOnion: start, watch, restart, stop
* :mod:`onion.status` — status snapshots, and probing a tor from another process
* :mod:`onion.torrc` — the torrc for the system tor in hardened deployments
"""

from .address import address_from_public_key, is_valid_address, normalize_address
from .client_auth import (
    ClientAuthKeyPair,
    add_authorized_client,
    read_authorized_clients,
    remove_authorized_client,
    write_client_credential,
)
from .control import ControlEndpoint, connect, parse_control_endpoint
from .errors import (
    InvalidKey,
    InvalidOnionAddress,
    KeyFileError,
    OnionConfigError,
    OnionError,
    OnionPublishError,
    TorControlError,
    TorLaunchError,
    TorNotInstalled,
)
from .keys import (
    ServiceKey,
    load_key,
    load_or_create_key,
    read_hidden_service_key,
    save_key,
    write_hidden_service_dir,
)
from .process import find_tor, tor_version
from .publish import DEFAULT_DEFENSES, Defenses
from .status import OnionStatus, ServiceStatus, probe_status
from .supervisor import AttachedOnion, Backoff, EmbeddedOnion, OnionService
from .torrc import read_hostname, render_torrc

__all__ = [
    "DEFAULT_DEFENSES",
    "AttachedOnion",
    "Backoff",
    "ClientAuthKeyPair",
    "ControlEndpoint",
    "Defenses",
    "EmbeddedOnion",
    "InvalidKey",
    "InvalidOnionAddress",
    "KeyFileError",
    "OnionConfigError",
    "OnionError",
    "OnionPublishError",
    "OnionService",
    "OnionStatus",
    "ServiceKey",
    "ServiceStatus",
    "TorControlError",
    "TorLaunchError",
    "TorNotInstalled",
    "add_authorized_client",
    "address_from_public_key",
    "connect",
    "find_tor",
    "is_valid_address",
    "load_key",
    "load_or_create_key",
    "normalize_address",
    "parse_control_endpoint",
    "probe_status",
    "read_authorized_clients",
    "read_hidden_service_key",
    "read_hostname",
    "remove_authorized_client",
    "render_torrc",
    "save_key",
    "tor_version",
    "write_client_credential",
    "write_hidden_service_dir",
]
