"""Alerts saved through the rules, and what their owners were told."""

from movements.app.alerts import rules
from movements.app.core.models import Alert, Notification, User


def save(owner: User, **filters) -> Alert:
    return rules.save_alert(owner, rules.AlertFilters(**filters))


def alert_notices(user: User) -> list[str]:
    """The subjects (request titles) of the user's alert notifications, oldest first."""
    rows = Notification.select().where(
        (Notification.user == user) & (Notification.kind == "alert_match")
    )
    return [row.subject for row in rows.order_by(Notification.id)]
