from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from movements.app.core.eligibility import eligible_countries
from movements.app.core.models import HelpRequest, StandingOffer
from movements.app.core.taxonomy import SKILLS, languages
from movements.app.directory.invitations import NOTE_MAX
from movements.app.directory.rules import StandingOfferFields
from movements.app.web.forms import CheckboxListField, Form, MaxItems, options, options_first

STAR_CHOICES = {
    "": _l("Any"),
    **{str(n): _l("At least %(n)d", n=n) for n in range(1, 6)},
}


ANY_COUNTRY = "any"


class StandingOfferForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=200)])
    description = TextAreaField(
        _l("What you offer"),
        validators=[DataRequired(), Length(min=20, max=5000)],
        description=_l("Public. Who you can help, and how."),
    )
    # checkboxes, never a list box that needs Ctrl held down to choose several
    skills = CheckboxListField(
        _l("Skills"),
        choices=options(SKILLS),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(6)],
    )
    languages = CheckboxListField(
        _l("Languages you work in"),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(10)],
    )
    countries = CheckboxListField(
        _l("Countries whose people you can help"),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(50)],
    )
    capacity = IntegerField(
        _l("Open matches you can take on at once (then nobody can invite you)"),
        default=3,
        validators=[InputRequired(), NumberRange(min=1, max=50)],
    )

    def __init__(self, *args, first_languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = options_first(languages(), first_languages)
        self.countries.choices = options({ANY_COUNTRY: _l("Any country"), **eligible_countries()})

    def fields(self) -> StandingOfferFields:
        everywhere = ANY_COUNTRY in self.countries.data
        return StandingOfferFields(
            title=self.title.data,
            description=self.description.data,
            skills=self.skills.data,
            languages=self.languages.data,
            countries=[] if everywhere else self.countries.data,
            everywhere=everywhere,
            capacity=self.capacity.data,
        )


class DirectoryForm(Form):
    """The filters of /providers, read from the query string; no CSRF on a GET."""

    class Meta:
        csrf = False

    q = StringField(
        _l("Words"),
        validators=[Optional(), Length(max=200)],
        description=_l("Searched in standing offers."),
    )
    skill = SelectField(_l("Skill"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    country = SelectField(_l("Country served"), validators=[Optional()])
    stars = SelectField(_l("Trust stars"), choices=options(STAR_CHOICES), validators=[Optional()])
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = {"": _l("Any")}
        self.skill.choices = options({**anything, **SKILLS})
        self.language.choices = options({**anything, **languages()})
        self.country.choices = options({**anything, **eligible_countries()})

    def narrow(self, languages_in_use: set[str], countries_in_use: set[str]) -> None:
        """After validating against every code, show only codes someone listed has (and the
        one chosen): no dead-end choices, and a page a few kilobytes smaller."""
        for field, in_use in ((self.language, languages_in_use), (self.country, countries_in_use)):
            keep = in_use | {"", field.data}
            field.choices = [choice for choice in field.choices if choice.value in keep]


class InvitationForm(Form):
    help_request_id = SelectField(_l("Which of your requests"), validators=[DataRequired()])
    standing_offer = SelectField(_l("About their standing offer"), validators=[Optional()])
    note = TextAreaField(
        _l("A short note"),
        validators=[Optional(), Length(max=NOTE_MAX)],
        description=_l(
            "Optional. Seen only by this provider. Keep anything that identifies you for the "
            "private match."
        ),
    )

    def __init__(
        self,
        requests: list[HelpRequest],
        standing_offers: list[StandingOffer],
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.help_request_id.choices = options({r.public_id: r.title for r in requests})
        self.standing_offer.choices = options(
            {"": _l("None in particular"), **{o.public_id: o.title for o in standing_offers}}
        )
