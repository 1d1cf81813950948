"""The password lane shortens the interpreter's turns while a flood fills its queue, and puts
them back once it has drained, so pages at rest keep Python's default."""

import sys

import pytest

from movements.app.cli import lanes


class _Form:
    """A queued password form; the pool is never started, so nothing takes it from the queue."""

    def service(self) -> None:
        pass

    def cancel(self) -> None:
        pass


@pytest.fixture
def pool():
    before = sys.getswitchinterval()
    try:
        yield lanes._PasswordPool()
    finally:
        sys.setswitchinterval(before)


def test_a_few_waiting_password_forms_leave_the_interpreters_turns_alone(pool):
    for _ in range(lanes.PASSWORD_THREADS):
        pool.add_task(_Form())
    assert sys.getswitchinterval() == pytest.approx(lanes.CALM_SWITCH_SECONDS)


def test_a_flood_shortens_the_turns_until_its_queue_has_drained(pool):
    for _ in range(lanes.PASSWORD_THREADS + 1):
        pool.add_task(_Form())
    assert sys.getswitchinterval() == pytest.approx(lanes.FLOOD_SWITCH_SECONDS)
    pool.queue.popleft()
    pool.served()
    assert sys.getswitchinterval() == pytest.approx(lanes.FLOOD_SWITCH_SECONDS)
    pool.queue.clear()
    pool.served()
    assert sys.getswitchinterval() == pytest.approx(lanes.CALM_SWITCH_SECONDS)
