"""The codes a help request is filed under that it may hold several of: skills and languages.

One row per code, indexed by code, so filtering is an index look-up on either database rather
than a scan of every request (they were packed as ",a,b," strings and matched with LIKE).
Deleting a request deletes its rows.
"""

from peewee import CharField, ForeignKeyField

from movements.app.core.models.marketplace import BaseModel, HelpRequest


class HelpRequestSkill(BaseModel):
    help_request = ForeignKeyField(HelpRequest, backref="skill_rows", on_delete="CASCADE")
    code = CharField(max_length=32)

    class Meta:
        table_name = "help_request_skill"
        indexes = ((("code", "help_request"), True),)


class HelpRequestLanguage(BaseModel):
    help_request = ForeignKeyField(HelpRequest, backref="language_rows", on_delete="CASCADE")
    code = CharField(max_length=16)

    class Meta:
        table_name = "help_request_language"
        indexes = ((("code", "help_request"), True),)


FACET_TABLES = [HelpRequestSkill, HelpRequestLanguage]


def codes_of(
    table: type[HelpRequestSkill | HelpRequestLanguage], help_request_id: int
) -> list[str]:
    """A request's skills (or languages), sorted."""
    rows = table.select(table.code).where(table.help_request == help_request_id)
    return sorted(code for (code,) in rows.tuples())
