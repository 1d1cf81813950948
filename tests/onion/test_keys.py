"""The service key: generation, the ed25519 arithmetic, storage, and tor's key files."""

from __future__ import annotations

import base64
import hashlib
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from movements.onion.errors import InvalidKey, KeyFileError
from movements.onion.keys import (
    ServiceKey,
    load_key,
    load_or_create_key,
    read_hidden_service_key,
    save_key,
    write_hidden_service_dir,
)
from movements.onion.torrc import read_hostname

# An expanded key that never came from a seed, and the address tor 0.4.9.11 gave it when it
# was published with ADD_ONION (ServiceID), recorded once; test_publish checks it again live.
PINNED_KEY = bytes.fromhex(
    "a814618906ea039bbdfbe5f9383ed9ff27f6e6c34fa579e8c40fb7819cfcb65c"
    "85946c5fcf6fefc81d9fbd3f4945546db27a7ae10e184ead2224d508c763c027"
)
PINNED_ADDRESS = "hdxufsxzb6fz6wb4mbjknvtntchvvtu7nzqab3o2tdgzulieze2c2oyd"

RFC8032_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")


def test_pinned_expanded_key_gives_the_address_tor_gave_it():
    assert ServiceKey(PINNED_KEY).address == PINNED_ADDRESS


def test_rfc8032_seed_expands_to_its_published_public_key():
    key = ServiceKey.from_seed(RFC8032_SEED)
    assert key.public_key == RFC8032_PUBLIC
    # the same key without the seed: our own scalar multiplication must agree
    assert ServiceKey(key.expanded).public_key == RFC8032_PUBLIC


@pytest.mark.parametrize("round_", range(8))
def test_scalar_multiplication_agrees_with_cryptography(round_):
    seed = os.urandom(32)
    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    expanded = ServiceKey.from_seed(seed).expanded
    assert ServiceKey(expanded).public_key == expected


def test_generated_keys_are_new_each_time():
    assert ServiceKey.generate().address != ServiceKey.generate().address


def test_key_content_round_trips_with_and_without_type():
    key = ServiceKey.generate()
    assert key.key_blob == f"ED25519-V3:{key.key_content}"
    assert ServiceKey.from_key_content(key.key_blob) == key
    assert ServiceKey.from_key_content(key.key_content + "\n") == key


@pytest.mark.parametrize(
    "text",
    [
        "RSA1024:" + base64.b64encode(PINNED_KEY).decode(),
        "ED25519-V3:not base64!",
        "ED25519-V3:" + base64.b64encode(PINNED_KEY[:32]).decode(),
        # a 64-byte blob whose scalar is not clamped is not a tor key
        "ED25519-V3:" + base64.b64encode(hashlib.sha512(b"x").digest()).decode(),
    ],
)
def test_rejects_key_content_that_is_not_an_expanded_ed25519_key(text):
    with pytest.raises(InvalidKey):
        ServiceKey.from_key_content(text)


def test_repr_shows_the_address_never_the_secret():
    key = ServiceKey(PINNED_KEY)
    assert PINNED_ADDRESS in repr(key)
    assert key.key_content not in repr(key)
    assert PINNED_KEY.hex() not in repr(key)


def test_saved_key_is_private_and_loads_back(tmp_path):
    path = tmp_path / "instance" / "onion" / "service.key"
    key = ServiceKey.generate()
    save_key(key, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_text() == key.key_blob + "\n"
    assert load_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["service.key"]  # no temporary left


def test_save_refuses_to_overwrite_a_key_unless_asked(tmp_path):
    path = tmp_path / "service.key"
    first, second = ServiceKey.generate(), ServiceKey.generate()
    save_key(first, path)
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        save_key(second, path)
    assert load_key(path) == first
    save_key(second, path, overwrite=True)
    assert load_key(path) == second
    assert len(list(tmp_path.iterdir())) == 1


def test_load_refuses_a_key_others_can_read(tmp_path):
    path = tmp_path / "service.key"
    save_key(ServiceKey.generate(), path)
    path.chmod(0o644)
    with pytest.raises(KeyFileError, match="chmod 600"):
        load_key(path)


def test_load_explains_a_missing_or_garbled_file(tmp_path):
    with pytest.raises(KeyFileError, match="does not exist"):
        load_key(tmp_path / "nothing.key")
    garbled = tmp_path / "garbled.key"
    garbled.write_text("hello")
    garbled.chmod(0o600)
    with pytest.raises(KeyFileError, match="does not hold"):
        load_key(garbled)


def test_load_or_create_keeps_the_address_across_runs(tmp_path):
    path = tmp_path / "service.key"
    first = load_or_create_key(path)
    assert load_or_create_key(path) == first


def test_hidden_service_dir_export_has_tor_layout(tmp_path):
    key = ServiceKey(PINNED_KEY)
    hs_dir = write_hidden_service_dir(key, tmp_path / "hs")
    assert stat.S_IMODE(hs_dir.stat().st_mode) == 0o700
    secret = (hs_dir / "hs_ed25519_secret_key").read_bytes()
    assert secret[:32] == b"== ed25519v1-secret: type0 ==\0\0\0"
    assert secret[32:] == PINNED_KEY
    public = (hs_dir / "hs_ed25519_public_key").read_bytes()
    assert public == b"== ed25519v1-public: type0 ==\0\0\0" + key.public_key
    assert (hs_dir / "hostname").read_text() == PINNED_ADDRESS + ".onion\n"
    for name in ("hs_ed25519_secret_key", "hs_ed25519_public_key", "hostname"):
        assert stat.S_IMODE((hs_dir / name).stat().st_mode) == 0o600
    assert read_hidden_service_key(hs_dir) == key


def test_import_refuses_a_file_that_is_not_a_tor_secret_key(tmp_path):
    hs_dir = write_hidden_service_dir(ServiceKey.generate(), tmp_path / "hs")
    public = hs_dir / "hs_ed25519_public_key"
    with pytest.raises(KeyFileError, match="not a tor"):
        read_hidden_service_key(public)


@pytest.mark.tor
def test_import_of_a_key_tor_created_gives_tor_s_address(hidden_service_dir_tor, short_tmp):
    hs_dir = short_tmp / "made-by-tor"
    hidden_service_dir_tor(hs_dir)
    key = read_hidden_service_key(hs_dir)
    assert key.address == read_hostname(hs_dir)
    public = (hs_dir / "hs_ed25519_public_key").read_bytes()[32:]
    assert key.public_key == public


@pytest.mark.tor
def test_tor_serves_an_exported_key_at_our_address(hidden_service_dir_tor, short_tmp):
    key = ServiceKey(PINNED_KEY)
    ours = write_hidden_service_dir(key, short_tmp / "ours")
    served = short_tmp / "served"
    served.mkdir(mode=0o700)
    # Only the secret key goes to tor: it must derive the public key and hostname itself.
    (served / "hs_ed25519_secret_key").write_bytes((ours / "hs_ed25519_secret_key").read_bytes())
    (served / "hs_ed25519_secret_key").chmod(0o600)
    hidden_service_dir_tor(served)
    assert read_hostname(served) == PINNED_ADDRESS
    assert (served / "hs_ed25519_public_key").read_bytes() == (
        ours / "hs_ed25519_public_key"
    ).read_bytes()
