"""v3 client authorization keys, in the forms tor and Tor Browser read."""

from __future__ import annotations

import base64
import stat
import time

import pytest

from movements.onion.client_auth import (
    ClientAuthKeyPair,
    add_authorized_client,
    b32decode_key,
    parse_authorized_client,
    parse_credential,
    read_authorized_clients,
    remove_authorized_client,
    write_client_credential,
)
from movements.onion.control import connect
from movements.onion.errors import InvalidKey, InvalidOnionAddress, KeyFileError
from movements.onion.process import launch_tor

ADDRESS = "25njqamcweflpvkl73j4szahhihoc4xt3ktcgjnpaingr5yhkenl5sid"


def test_keys_are_52_characters_of_unpadded_base32():
    pair = ClientAuthKeyPair.generate()
    for text, raw in (
        (pair.private_base32, pair.private_key),
        (pair.public_base32, pair.public_key),
    ):
        assert len(text) == 52
        assert "=" not in text
        assert b32decode_key(text) == raw
        assert b32decode_key(text.lower()) == raw


def test_pair_rebuilds_from_its_private_key():
    pair = ClientAuthKeyPair.generate()
    assert ClientAuthKeyPair.from_private_key(pair.private_key) == pair


def test_credential_and_authorized_client_lines():
    pair = ClientAuthKeyPair.generate()
    assert pair.credential(ADDRESS + ".onion") == (
        f"{ADDRESS}:descriptor:x25519:{pair.private_base32}"
    )
    assert pair.authorized_clients_line == f"descriptor:x25519:{pair.public_base32}"
    assert parse_credential(pair.credential(ADDRESS)) == (ADDRESS, pair.private_key)
    assert parse_authorized_client(pair.authorized_clients_line) == pair.public_key


def test_repr_never_shows_the_private_key():
    pair = ClientAuthKeyPair.generate()
    assert pair.private_base32 not in repr(pair)


@pytest.mark.parametrize(
    "line",
    ["descriptor:x25519:ABC", "x25519:" + "A" * 52, "descriptor:ed25519:" + "A" * 52],
)
def test_rejects_malformed_authorized_client_lines(line):
    with pytest.raises(InvalidKey):
        parse_authorized_client(line)


def test_credential_for_a_bad_address_is_refused():
    with pytest.raises(InvalidOnionAddress):
        ClientAuthKeyPair.generate().credential("example.onion")


def test_authorized_clients_directory_add_read_remove(tmp_path):
    directory = tmp_path / "staff" / "authorized_clients"
    alice, bob = ClientAuthKeyPair.generate(), ClientAuthKeyPair.generate()
    path = add_authorized_client(directory, "alice", alice.public_key)
    add_authorized_client(directory, "bob", bob.public_key)
    assert path.read_text() == alice.authorized_clients_line + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_authorized_clients(directory) == {
        "alice": alice.public_base32,
        "bob": bob.public_base32,
    }
    assert remove_authorized_client(directory, "alice") is True
    assert remove_authorized_client(directory, "alice") is False
    assert read_authorized_clients(directory) == {"bob": bob.public_base32}


def test_adding_a_name_twice_keeps_the_first_key(tmp_path):
    first = ClientAuthKeyPair.generate()
    add_authorized_client(tmp_path, "alice", first.public_key)
    with pytest.raises(KeyFileError):
        add_authorized_client(tmp_path, "alice", ClientAuthKeyPair.generate().public_key)
    assert read_authorized_clients(tmp_path) == {"alice": first.public_base32}


@pytest.mark.parametrize("name", ["", "../escape", "a/b", "with space", "x" * 65, "ünï"])
def test_client_names_cannot_leave_the_directory(tmp_path, name):
    with pytest.raises(InvalidKey):
        add_authorized_client(tmp_path, name, ClientAuthKeyPair.generate().public_key)


def test_a_malformed_client_file_is_an_error_not_a_silent_revocation(tmp_path):
    (tmp_path / "mallory.auth").write_text("descriptor:x25519:nonsense\n")
    with pytest.raises(KeyFileError, match=r"mallory\.auth"):
        read_authorized_clients(tmp_path)


def test_missing_directory_means_no_clients(tmp_path):
    assert read_authorized_clients(tmp_path / "absent") == {}


@pytest.mark.tor
def test_tor_client_loads_our_auth_private_file(tor_cmd, short_tmp):
    pair = ClientAuthKeyPair.generate()
    auth_dir = short_tmp / "onion_auth"
    path = write_client_credential(auth_dir, "staff", ADDRESS, pair)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data_dir = short_tmp / "client"
    config = {
        "SocksPort": "0",
        "DisableNetwork": "1",
        "ControlSocket": str(data_dir / "control"),
        "CookieAuthentication": "1",
        "ClientOnionAuthDir": str(auth_dir),
    }
    process = launch_tor(config, data_dir, tor_cmd=tor_cmd)
    try:
        controller = connect(str(data_dir / "control"))
        try:
            reply = str(controller.msg(f"ONION_CLIENT_AUTH_VIEW {ADDRESS}"))
        finally:
            controller.close()
    finally:
        process.stop()
    # tor shows the private key it parsed, in base64
    expected = base64.b64encode(pair.private_key).decode()
    assert f"CLIENT {ADDRESS} x25519:{expected}" in reply


@pytest.mark.tor
def test_tor_service_loads_our_authorized_clients_file(hidden_service_dir_tor, short_tmp):
    hs_dir = short_tmp / "staff"
    hs_dir.mkdir(mode=0o700)
    add_authorized_client(
        hs_dir / "authorized_clients", "alice", ClientAuthKeyPair.generate().public_key
    )
    info_log = short_tmp / "info.log"
    hidden_service_dir_tor(hs_dir, Log=f"info file {info_log}")
    deadline = time.monotonic() + 5
    while "Loaded a client authorization key file alice.auth" not in info_log.read_text():
        assert time.monotonic() < deadline, "tor did not load alice.auth"
        time.sleep(0.05)
    warnings = [line for line in info_log.read_text().splitlines() if "[warn]" in line]
    assert not [line for line in warnings if "authorization" in line.lower()]
