"""One-time keys of rendered forms, so a form sent twice has one effect (app/web/submissions.py)."""

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField

from movements.app.core.models.marketplace import BaseModel, User


class FormSubmission(BaseModel):
    key_hash = CharField(max_length=64, primary_key=True)
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    result = CharField(max_length=256, null=True)  # NULL while the first submission works
    sealed = BlobField(null=True)  # what a repeat needs and only the key opens (sign-up)
    expires_at = DateTimeField(index=True)

    class Meta:
        table_name = "form_submission"


SUBMISSION_TABLES = [FormSubmission]
