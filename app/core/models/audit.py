"""The staff log's one table: append-only through the application, hash-chained in place."""

from peewee import CharField, DateField, IntegerField, TextField

from movements.app.core.models.marketplace import BaseModel, today


class StaffLogEntry(BaseModel):
    """One staff action: who, what, on which target, why, and the date. Never an address.

    Names are stored as text rather than as references to accounts, so an entry outlives the
    accounts it names and deleting an account can never delete (and so break) the chain.
    """

    position = IntegerField(unique=True)
    recorded_on = DateField(default=today)
    actor = CharField(max_length=64)
    action = CharField(max_length=32)
    target = CharField(max_length=128)
    detail = CharField(max_length=200, default="")
    reason = TextField(default="")
    previous_hash = CharField(max_length=64)
    entry_hash = CharField(max_length=64)

    class Meta:
        table_name = "staff_log"


AUDIT_TABLES = [StaffLogEntry]
