"""argon2id in helper processes gives the very hash this process would, and survives a helper's
death; outside `running`, and once it ends, there is no helper at all."""

import os
import signal
from pathlib import Path

import pytest
from argon2.exceptions import HashingError

from movements.crypto import argon2_processes
from movements.crypto.userkeys import argon2id_key

SALT = bytes(range(16))


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def test_a_helper_gives_the_hash_this_process_would(cheap_kdf):
    here = argon2id_key(b"correct horse", SALT, cheap_kdf)
    with argon2_processes.running(2) as helpers:
        assert argon2id_key(b"correct horse", SALT, cheap_kdf) == here
        assert argon2id_key(b"correct horsf", SALT, cheap_kdf) != here
        pids = helpers.pids()
    assert len(pids) == 2
    assert not any(_alive(pid) for pid in pids)


def test_a_helper_killed_is_replaced_and_the_hash_still_answers(cheap_kdf):
    here = argon2id_key(b"secret", SALT, cheap_kdf)
    with argon2_processes.running(1) as helpers:
        [first] = helpers.pids()
        os.kill(first, signal.SIGKILL)
        assert argon2id_key(b"secret", SALT, cheap_kdf) == here
        [second] = helpers.pids()
    assert second != first
    assert not _alive(second)


def test_argon2_refusing_its_input_is_its_own_error_and_the_helper_stays(cheap_kdf):
    with argon2_processes.running(1) as helpers:
        [pid] = helpers.pids()
        with pytest.raises(HashingError):
            argon2id_key(b"secret", b"short", cheap_kdf)
        assert argon2id_key(b"secret", SALT, cheap_kdf)
        assert helpers.pids() == [pid]


def test_without_running_helpers_this_process_hashes(cheap_kdf):
    assert argon2_processes.argon2id_in_helper(b"secret", SALT, 1, 8, 1) is None
    assert len(argon2id_key(b"secret", SALT, cheap_kdf)) == 32


def test_helpers_cannot_be_started_twice_in_one_process():
    with argon2_processes.running(1), pytest.raises(RuntimeError), argon2_processes.running(1):
        pass
