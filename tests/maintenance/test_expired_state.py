"""What expires by the minute is deleted: old sessions with their sealed keys, old counters."""

import datetime

from movements.app.cli.main import main
from movements.app.cli.purge import end_expired_state
from movements.app.core.models import Budget, LoginSession, MessageRate, utcnow
from movements.app.offers import rules as offers
from movements.app.web import throttle
from tests.support.accounts import as_user, post

MINUTE = datetime.timedelta(minutes=1)


def test_purge_deletes_expired_sessions_and_finished_counters_only(
    app, instance, activist, provider, capsys
):
    as_user(app, activist)
    as_user(app, provider)
    LoginSession.update(idle_expires_at=utcnow() - MINUTE).where(
        LoginSession.user == activist
    ).execute()
    MessageRate.insert_many(
        [
            {"user": activist, "window_start": utcnow() - 2 * MINUTE, "used": 3},
            {"user": provider, "window_start": utcnow(), "used": 1},
        ]
    ).execute()
    Budget.insert_many(
        [
            {"name": "signup-hour", "window_start": utcnow() - 61 * MINUTE, "used": 9},
            {"name": "signup-minute", "window_start": utcnow(), "used": 1},
        ]
    ).execute()

    assert main(["purge", "--instance", str(instance)]) == 0

    assert "expired sessions and counters deleted: 3" in capsys.readouterr().out
    assert [row.user_id for row in LoginSession.select()] == [provider.id]
    assert [row.user_id for row in MessageRate.select()] == [provider.id]
    assert [row.name for row in Budget.select()] == ["signup-minute"]


def test_nothing_live_is_deleted(app, activist):
    as_user(app, activist)
    Budget.create(name="signup-hour", window_start=utcnow() - 59 * MINUTE, used=1)
    assert end_expired_state(utcnow()) == 0


def test_sending_a_message_deletes_finished_minutes_of_anyone(
    app, activist, provider, stranger, help_request
):
    match = offers.accept_offer(activist, offers.make_offer(provider, help_request, "x" * 20))
    MessageRate.create(user=stranger, window_start=utcnow() - 2 * MINUTE, used=2)
    client = as_user(app, activist)
    assert (
        post(client, f"/matches/{match.public_id}/messages", {"text": "hello"}).status_code == 302
    )
    assert [row.user_id for row in MessageRate.select()] == [activist.id]


def test_a_message_minute_starts_again_once_over(app, activist, monkeypatch):
    app.config["MESSAGES_PER_MINUTE"] = 1
    start = utcnow()
    monkeypatch.setattr(throttle, "now", lambda: start)
    with app.test_request_context():
        throttle.check_message_rate(activist)
        monkeypatch.setattr(throttle, "now", lambda: start + MINUTE)
        throttle.check_message_rate(activist)
    row = MessageRate.get()
    assert (row.window_start, row.used) == (start + MINUTE, 1)
