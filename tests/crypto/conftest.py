"""Fixtures for the crypto tests: argon2 made cheap, keyrings in temporary directories."""

import pytest

from movements.crypto import KdfParameters, Keyring, use_kdf_parameters

# The least argon2id accepts: one pass, 8 KiB, one lane. Production cost is in
# crypto.userkeys.KDF_PARAMETERS; bench/bench_crypto.py measures it.
CHEAP_KDF = KdfParameters(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_kdf():
    previous = use_kdf_parameters(CHEAP_KDF)
    yield CHEAP_KDF
    use_kdf_parameters(previous)


@pytest.fixture
def keyring(tmp_path):
    return Keyring.open(tmp_path / "keys")
