"""Reports of abuse, and who has blocked whom."""

from peewee import BlobField, CharField, DateField, ForeignKeyField, TextField

from movements.app.core.models.marketplace import BaseModel, User, today


class Report(BaseModel):
    OPEN, HANDLED = "open", "handled"

    reporter = ForeignKeyField(User, null=True, backref="reports_filed", on_delete="SET NULL")
    target_kind = CharField(max_length=16)
    target_key = CharField(max_length=64)
    # whose content it is; kept if they delete their account, so the report still reads
    target_user = ForeignKeyField(User, null=True, backref="reports_against", on_delete="SET NULL")
    reason = CharField(max_length=24)
    details = TextField(default="")
    # a private message's text, given by the reporter who could read it; server keyring
    quoted = BlobField(null=True)
    status = CharField(max_length=16, default=OPEN, index=True)
    outcome = CharField(max_length=24, default="")
    created_on = DateField(default=today)
    handled_on = DateField(null=True)

    @property
    def target(self) -> str:
        return f"{self.target_kind}:{self.target_key}"


class Block(BaseModel):
    blocker = ForeignKeyField(User, backref="blocks", on_delete="CASCADE")
    blocked = ForeignKeyField(User, backref="blocked_by", on_delete="CASCADE")
    blocked_on = DateField(default=today)

    class Meta:
        indexes = ((("blocker", "blocked"), True),)


REPORT_TABLES = [Report, Block]
