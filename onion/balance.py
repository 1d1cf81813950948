"""Onionbalance v3: one master onion address in front of several backends, each with its tor.

Visitors use the master address. A frontend machine runs a tor and ``onionbalance``, which
collects the backends' descriptors and publishes the master descriptor listing their
introduction points; no visitor traffic passes through it. Each backend's tor serves the app
from a ``HiddenServiceDir`` of its own key, with ``HiddenServiceOnionBalanceInstance 1`` and an
``ob_config`` file naming the master address (tor reads it at start).

This module writes what the frontend needs: the master key (in tor's own format, which
onionbalance reads, so an existing onion's key can become the master and people keep the
address they know), ``config.yaml`` listing the backends, and the ``ob_config`` line for the
backends. Onionbalance v3 takes at most 8 backends (two introduction points each).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .address import normalize_address
from .errors import OnionConfigError
from .files import write_private_file
from .keys import SECRET_KEY_FILE, ServiceKey, write_hidden_service_dir

MAX_BACKENDS = 8
CONFIG_FILE = "config.yaml"
MASTER_DIR = "master"
OB_CONFIG_FILE = "ob_config"


def ob_config(master_address: str) -> str:
    """The ``ob_config`` file each backend keeps in its ``HiddenServiceDir``."""
    return f"MasterOnionAddress {normalize_address(master_address)}.onion\n"


def frontend_config(key_file: str, backends: Sequence[str]) -> str:
    """Onionbalance's ``config.yaml`` (written as JSON, which YAML reads as it is)."""
    instances = [
        {"address": f"{address}.onion", "name": f"backend{number}"}
        for number, address in enumerate(backends, start=1)
    ]
    return json.dumps({"services": [{"key": key_file, "instances": instances}]}, indent=2) + "\n"


def backend_addresses(master: ServiceKey, backends: Sequence[str]) -> list[str]:
    """The backends' addresses, checked: valid, distinct, not the master, at most 8."""
    addresses = [normalize_address(address) for address in backends]
    if not addresses:
        raise OnionConfigError("name at least one backend onion address")
    if len(addresses) > MAX_BACKENDS:
        raise OnionConfigError(f"Onionbalance v3 takes at most {MAX_BACKENDS} backends")
    if len(set(addresses)) != len(addresses):
        raise OnionConfigError("a backend is named twice")
    if master.address in addresses:
        raise OnionConfigError("a backend cannot use the master key: give it its own")
    return addresses


def write_frontend(
    directory: Path, master: ServiceKey, backends: Sequence[str], *, overwrite: bool = False
) -> Path:
    """Write the frontend's folder: master key, config.yaml, and ob_config for the backends."""
    addresses = backend_addresses(master, backends)
    directory = Path(directory)
    write_hidden_service_dir(master, directory / MASTER_DIR, overwrite=overwrite)
    key_file = str((directory / MASTER_DIR / SECRET_KEY_FILE).resolve())
    config = frontend_config(key_file, addresses).encode()
    write_private_file(directory / CONFIG_FILE, config, overwrite=True)
    backend_line = ob_config(master.address).encode()
    write_private_file(directory / OB_CONFIG_FILE, backend_line, overwrite=True)
    return directory / CONFIG_FILE
