"""Success stories: a short public text about a completed match, published by both sides."""

from peewee import BooleanField, CharField, DateField, ForeignKeyField, IntegerField, TextField

from movements.app.core.models.marketplace import BaseModel, Match, new_public_id


class Story(BaseModel):
    DRAFT, PUBLISHED, REMOVED = "draft", "published", "removed"

    public_id = CharField(max_length=24, unique=True, default=new_public_id)
    match = ForeignKeyField(Match, unique=True, backref="stories", on_delete="CASCADE")
    text = TextField()
    # each change of the text counts up, so an approval names the text it approves
    version = IntegerField(default=1)
    activist_approved = BooleanField(default=False)
    provider_approved = BooleanField(default=False)
    # the activist appears as "an activist in <the request's country>" unless they choose
    activist_anonymous = BooleanField(default=True)
    status = CharField(max_length=16, default=DRAFT, index=True)
    published_on = DateField(null=True, index=True)

    class Meta:
        table_name = "story"


STORY_TABLES = [Story]
