import pickle
import threading

import pytest

from movements.crypto import DecryptionError, SessionKeyStore, generate_keypair, private_bytes

ABSOLUTE, IDLE = 8 * 3600.0, 1800.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def store(clock):
    return SessionKeyStore(absolute_lifetime=ABSOLUTE, idle_lifetime=IDLE, clock=clock)


@pytest.fixture
def key():
    return private_bytes(generate_keypair()[0])


def test_put_then_get_returns_the_key(store, key):
    handle = store.new_handle()
    store.put(handle, key, user_id=1)
    assert store.get(handle) == key


def test_unknown_handle_gets_none(store, key):
    store.put(store.new_handle(), key, user_id=1)
    assert store.get(store.new_handle()) is None


def test_handles_are_long_random_strings(store, key):
    handles = {store.new_handle() for _ in range(100)}
    assert len(handles) == 100
    assert all(len(h) >= 43 for h in handles)
    for weak in ("", "short", "a" * 31):
        with pytest.raises(ValueError):
            store.put(weak, key, user_id=1)


def test_put_replaces_what_a_handle_held(store, key):
    handle = store.new_handle()
    store.put(handle, b"old", user_id=1)
    store.put(handle, key, user_id=1)
    assert store.get(handle) == key
    assert len(store) == 1


def test_idle_entry_expires(store, clock, key):
    handle = store.new_handle()
    store.put(handle, key, user_id=1)
    clock.advance(IDLE - 1)
    assert store.get(handle) == key
    clock.advance(IDLE - 1)  # each use restarts the idle clock
    assert store.get(handle) == key
    clock.advance(IDLE)
    assert store.get(handle) is None
    assert len(store) == 0


def test_entry_expires_at_its_absolute_lifetime_even_when_used(store, clock, key):
    handle = store.new_handle()
    store.put(handle, key, user_id=1)
    while clock.now + IDLE / 2 < 1000.0 + ABSOLUTE:
        clock.advance(IDLE / 2)
        assert store.get(handle) == key
    clock.now = 1000.0 + ABSOLUTE
    assert store.get(handle) is None


def test_purge_removes_only_expired_entries(store, clock, key):
    old, fresh = store.new_handle(), store.new_handle()
    store.put(old, key, user_id=1)
    clock.advance(IDLE - 10)
    store.put(fresh, key, user_id=2)
    clock.advance(20)
    assert store.purge_expired() == 1
    assert store.get(old) is None
    assert store.get(fresh) == key


def test_put_sweeps_expired_entries(store, clock, key):
    for user in range(3):
        store.put(store.new_handle(), key, user_id=user)
    clock.advance(IDLE)
    store.put(store.new_handle(), key, user_id=9)
    assert len(store) == 1


def test_drop_forgets_one_session(store, key):
    one, two = store.new_handle(), store.new_handle()
    store.put(one, key, user_id=1)
    store.put(two, key, user_id=1)
    store.drop(one)
    store.drop(one)  # signing out twice is fine
    assert store.get(one) is None
    assert store.get(two) == key


def test_drop_all_for_forgets_every_session_of_one_user(store, key):
    mine = [store.new_handle() for _ in range(3)]
    theirs = store.new_handle()
    for handle in mine:
        store.put(handle, key, user_id=1)
    store.put(theirs, key, user_id=2)
    assert store.drop_all_for(1) == 3
    assert all(store.get(handle) is None for handle in mine)
    assert store.get(theirs) == key
    assert store.drop_all_for(1) == 0


def test_a_new_process_knows_no_old_handle(key):
    handle = SessionKeyStore.new_handle()
    before = SessionKeyStore(absolute_lifetime=ABSOLUTE, idle_lifetime=IDLE)
    before.put(handle, key, user_id=1)
    after_restart = SessionKeyStore(absolute_lifetime=ABSOLUTE, idle_lifetime=IDLE)
    assert after_restart.get(handle) is None


def test_store_holds_neither_key_nor_handle_in_clear(store, key):
    handle = store.new_handle()
    store.put(handle, key, user_id=1)
    held = b"".join(
        lookup + entry.nonce + entry.ciphertext for lookup, entry in store._entries.items()
    )
    assert key not in held
    assert handle.encode() not in held
    assert handle not in repr(store) and key.hex() not in repr(store)


def test_store_refuses_to_be_pickled(store, key):
    store.put(store.new_handle(), key, user_id=1)
    with pytest.raises(TypeError):
        pickle.dumps(store)


def test_damaged_entry_is_a_decryption_error(store, key):
    handle = store.new_handle()
    store.put(handle, key, user_id=1)
    (entry,) = store._entries.values()
    entry.ciphertext = bytes([entry.ciphertext[0] ^ 1]) + entry.ciphertext[1:]
    with pytest.raises(DecryptionError):
        store.get(handle)


def test_invalid_lifetimes_are_refused():
    with pytest.raises(ValueError):
        SessionKeyStore(absolute_lifetime=0, idle_lifetime=60)
    with pytest.raises(ValueError):
        SessionKeyStore(absolute_lifetime=60, idle_lifetime=-1)


def test_concurrent_sessions_do_not_mix(store):
    errors = []

    def session(user_id: int) -> None:
        handle, key = store.new_handle(), user_id.to_bytes(32, "big")
        for _ in range(200):
            store.put(handle, key, user_id=user_id)
            if store.get(handle) != key:
                errors.append(user_id)
            store.drop(handle)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(store) == 0
