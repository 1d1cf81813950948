"""What field encryption costs, each figure next to a baseline measured in the same run.

    .venv/bin/python bench/bench_crypto.py [--runs N]

Per-field figures are microseconds per operation, the median of N runs of many operations.
Key wrapping uses the production argon2id parameters; its baseline is the login hash with
the same parameters, so "sign-in" shows what unwrapping adds to signing in. The last row is a
sign-in as the app does it now: one argon2id run checks the password's P1 record and gives the
key that unwraps (crypto/password_keys.py), against the two runs of checking then unwrapping.
"""

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable

from argon2 import PasswordHasher, Type
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from movements.crypto import (
    KDF_PARAMETERS,
    Keyring,
    associated_data,
    check_password,
    current_kdf_parameters,
    generate_keypair,
    new_password_keys,
    open_sealed,
    open_session_key,
    private_bytes,
    seal,
    seal_session_key,
    unwrap_private_key,
    unwrap_with_key,
    wrap_private_key,
    wrap_with_key,
)

PASSWORD = "correct horse battery staple"  # noqa: S105 - a sample to time, protects nothing
FIELDS = {
    "contact (40 B)": b"@someone:matrix.example.org / +1555010000",
    "message (1 kB)": b"m" * 1000,
}


def median_us(operation: Callable[[], object], number: int, runs: int) -> float:
    operation()  # warm up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(number):
            operation()
        timings.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(timings)


def row(name: str, measured: float, baseline_name: str, baseline: float) -> None:
    ratio = measured / baseline
    print(f"{name:<34} {measured:>12.1f}   {baseline_name:<30} {baseline:>12.1f}   {ratio:>7.1f}x")


def bench_fields(runs: int, keyring: Keyring) -> None:
    private_key, public = generate_keypair()
    raw = AESGCM(AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    context = associated_data("contact", "value", 12345, "to", 678)
    for label, plaintext in FIELDS.items():
        sealed = seal(plaintext, public, context)
        under_server_key = keyring.encrypt(plaintext, context)
        raw_blob = raw.encrypt(nonce, plaintext, context)
        raw_encrypt = median_us(lambda p=plaintext: raw.encrypt(nonce, p, context), 2000, runs)
        raw_decrypt = median_us(lambda b=raw_blob: raw.decrypt(nonce, b, context), 2000, runs)
        row(
            f"seal {label}",
            median_us(lambda p=plaintext: seal(p, public, context), 500, runs),
            "raw AES-GCM encrypt",
            raw_encrypt,
        )
        row(
            f"open {label}",
            median_us(lambda b=sealed: open_sealed(b, private_key, context), 500, runs),
            "raw AES-GCM decrypt",
            raw_decrypt,
        )
        row(
            f"keyring encrypt {label}",
            median_us(lambda p=plaintext: keyring.encrypt(p, context), 2000, runs),
            "raw AES-GCM encrypt",
            raw_encrypt,
        )
        row(
            f"keyring decrypt {label}",
            median_us(lambda b=under_server_key: keyring.decrypt(b, context), 2000, runs),
            "raw AES-GCM decrypt",
            raw_decrypt,
        )


def bench_session_keys(runs: int) -> None:
    """Opening the session's sealed key is what every signed-in request adds."""
    key = private_bytes(generate_keypair()[0])
    token, secret = "t" * 43, os.urandom(32)
    context = associated_data("login_session", "sealed_key", "ab" * 32, 12345, b"p" * 32)
    sealed = seal_session_key(key, token, server_secret=secret, context=context)
    raw = AESGCM(AESGCM.generate_key(bit_length=256))
    nonce = os.urandom(12)
    raw_blob = raw.encrypt(nonce, key, context)
    row(
        "seal session key (sign-in)",
        median_us(
            lambda: seal_session_key(key, token, server_secret=secret, context=context), 2000, runs
        ),
        "raw AES-GCM encrypt",
        median_us(lambda: raw.encrypt(nonce, key, context), 2000, runs),
    )
    row(
        "open session key (each request)",
        median_us(
            lambda: open_session_key(sealed, token, server_secret=secret, context=context),
            2000,
            runs,
        ),
        "raw AES-GCM decrypt",
        median_us(lambda: raw.decrypt(nonce, raw_blob, context), 2000, runs),
    )


def bench_wrapping(runs: int) -> None:
    assert current_kdf_parameters() == KDF_PARAMETERS
    hasher = PasswordHasher(
        time_cost=KDF_PARAMETERS.time_cost,
        memory_cost=KDF_PARAMETERS.memory_cost,
        parallelism=KDF_PARAMETERS.parallelism,
        type=Type.ID,
    )
    login_hash = hasher.hash(PASSWORD)
    private_key, _ = generate_keypair()
    wrapped = wrap_private_key(private_key, PASSWORD)
    verify = median_us(lambda: hasher.verify(login_hash, PASSWORD), 1, runs)
    unwrap = median_us(lambda: unwrap_private_key(wrapped, PASSWORD), 1, runs)
    row(
        "wrap private key",
        median_us(lambda: wrap_private_key(private_key, PASSWORD), 1, runs),
        "login hash (argon2 hash)",
        median_us(lambda: hasher.hash(PASSWORD), 1, runs),
    )
    row("unwrap private key", unwrap, "login check (argon2 verify)", verify)
    row("sign-in: verify + unwrap", verify + unwrap, "sign-in: verify only", verify)
    keys = new_password_keys(PASSWORD)
    wrapped_w2 = wrap_with_key(private_key, keys.wrapping_key)
    one_run = median_us(
        lambda: unwrap_with_key(wrapped_w2, check_password(keys.record, PASSWORD)), 1, runs
    )
    row("sign-in: one run (P1 + W2)", one_run, "sign-in: verify + unwrap", verify + unwrap)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per figure; the median is shown")
    runs = parser.parse_args().runs
    p = KDF_PARAMETERS
    print(
        f"argon2id t={p.time_cost} m={p.memory_cost // 1024} MiB p={p.parallelism}; "
        f"median of {runs} runs; microseconds per operation\n"
    )
    print(f"{'operation':<34} {'µs':>12}   {'baseline':<30} {'µs':>12}   {'ratio':>8}")
    with tempfile.TemporaryDirectory() as directory:
        bench_fields(runs, Keyring.open(os.path.join(directory, "keys")))
    bench_session_keys(runs)
    bench_wrapping(runs)


if __name__ == "__main__":
    main()
