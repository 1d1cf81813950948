"""What trust stars are computed from: staff-recorded evidence, vouches, judgements, limits.

Evidence never holds documents: a kind and a short note are all staff write down.
"""

from peewee import BlobField, CharField, DateField, ForeignKeyField, IntegerField

from movements.app.core.models.marketplace import BaseModel, User, today


class Evidence(BaseModel):
    user = ForeignKeyField(User, backref="evidence", on_delete="CASCADE")
    kind = CharField(max_length=24)
    note = CharField(max_length=300)
    recorded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    recorded_on = DateField(default=today)


class Judgement(BaseModel):
    """ "Known and trusted": proposed by one staff member, in force once a second confirms."""

    user = ForeignKeyField(User, unique=True, backref="judgement", on_delete="CASCADE")
    note = CharField(max_length=300)
    proposed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    proposed_on = DateField(default=today)
    confirmed_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    confirmed_on = DateField(null=True)


class StarLimit(BaseModel):
    """Staff lowered this user's stars: at most `max_stars`, whatever the evidence says."""

    user = ForeignKeyField(User, unique=True, backref="star_limit", on_delete="CASCADE")
    max_stars = IntegerField()
    reason = CharField(max_length=300)
    set_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    set_on = DateField(default=today)


class Vouch(BaseModel):
    """A trusted user's word for another. Withdrawn vouches are kept, so they still count
    against the voucher's monthly allowance and vouching cannot be churned."""

    voucher = ForeignKeyField(User, backref="vouches_given", on_delete="CASCADE")
    vouchee = ForeignKeyField(User, backref="vouches_received", on_delete="CASCADE")
    vouched_on = DateField(default=today)
    withdrawn_on = DateField(null=True)

    class Meta:
        indexes = ((("voucher", "vouchee"), True),)


class PublicProfile(BaseModel):
    """A public profile the user says they control, for staff to confirm; never shown publicly.

    The link is encrypted under the server keyring: staff must read it, a copy of the
    database alone must not.
    """

    user = ForeignKeyField(User, unique=True, backref="public_profile", on_delete="CASCADE")
    sealed_link = BlobField()
    added_on = DateField(default=today)


TRUST_TABLES = [Evidence, Judgement, StarLimit, Vouch, PublicProfile]
