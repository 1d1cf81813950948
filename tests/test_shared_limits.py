"""Every limit is one counter in the database, raised atomically by many threads at once.

Real threads, each with its own database connection, spend from the same counter released
together; exactly the limit gets through, never one more. The same runs on PostgreSQL in
tests/postgres/test_shared_limits_on_postgres.py, and across two server processes in
tests/hardening/test_shared_state.py.
"""

import threading

from movements.app.core.db import database
from movements.app.core.models import Budget, SignInThrottle
from movements.app.web import throttle

THREADS, TRIES = 8, 8
LIMIT = 25


def admitted(app, attempt) -> int:
    """How many of THREADS x TRIES calls of `attempt`, started together, were let through."""
    start = threading.Barrier(THREADS)
    counts, errors = [], []

    def run() -> None:
        with app.test_request_context():
            try:
                start.wait(timeout=30)
                passed = 0
                for _ in range(TRIES):
                    try:
                        attempt()
                    except throttle.Throttled:
                        continue
                    passed += 1
                counts.append(passed)
            except Exception as error:  # reported by the assertion below
                errors.append(error)
            finally:
                database.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == [] and len(counts) == THREADS, errors
    return sum(counts)


def test_sign_ups_from_many_threads_spend_one_budget_exactly(app):
    app.config.update(SIGNUPS_PER_MINUTE=LIMIT, SIGNUPS_PER_HOUR=1000)
    assert admitted(app, throttle.spend_sign_up) == LIMIT
    assert Budget.get_by_id("signup-minute").used == LIMIT
    assert Budget.get_by_id("signup-hour").used == LIMIT


def test_messages_from_many_threads_count_against_one_rate(app, activist):
    app.config["MESSAGES_PER_MINUTE"] = LIMIT
    assert admitted(app, lambda: throttle.check_message_rate(activist)) == LIMIT


def test_password_attempts_from_many_threads_are_counted_once_each(app, activist):
    assert admitted(app, lambda: throttle.count_attempt(activist)) == throttle.FREE_SIGN_IN_FAILURES
    row = SignInThrottle.get(SignInThrottle.user == activist)
    assert row.failures == throttle.FREE_SIGN_IN_FAILURES
