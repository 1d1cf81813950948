from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from movements.app.core.eligibility import eligible_countries, eligible_statuses
from movements.app.core.models import HelpRequest
from movements.app.core.taxonomy import (
    REQUEST_STATUSES,
    SKILLS,
    URGENCIES,
    VISIBILITIES,
    in_visitors_language,
    languages,
)
from movements.app.requests.rules import Filters, RequestFields
from movements.app.web.filter_fields import FilterField
from movements.app.web.forms import CheckboxListField, Form, MaxItems, options

EXPIRY_CHOICES = {7: _l("1 week"), 30: _l("1 month"), 90: _l("3 months"), 180: _l("6 months")}


class WhereFields(Form):
    """Where a request is about and in which languages: the long lists, asked on a step of
    their own so neither page of the request form outgrows a slow circuit."""

    country = SelectField(_l("Country of focus"), validators=[DataRequired()])
    languages = SelectMultipleField(
        _l("Languages you can use"),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(10)],
        description=_l("To choose several, hold Ctrl (or Cmd on a Mac) as you click."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # a request must be about an eligible country, so only those are offered
        self.country.choices = options({"": _l("Choose a country"), **eligible_countries()})
        self.languages.choices = options(languages())


class WhereForm(WhereFields):
    """The first step, sent by GET to the second: it changes nothing, so it needs no CSRF."""

    class Meta:
        csrf = False


class RequestForm(WhereFields):
    """The whole request; the second step carries the first step's answers as hidden fields."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=5, max=200)])
    description = TextAreaField(
        _l("What do you need?"),
        validators=[DataRequired(), Length(min=20, max=10000)],
        description=_l(
            "This is public. Do not name people or places that could put anyone at risk."
        ),
    )
    skills = CheckboxListField(
        _l("Skills needed"),
        choices=options(SKILLS),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(6)],
    )
    urgency = RadioField(_l("Urgency"), choices=options(URGENCIES), default="normal")
    visibility = RadioField(_l("Who may see it"), choices=options(VISIBILITIES), default="everyone")
    min_stars = IntegerField(
        _l("Minimum trust stars"),
        default=0,
        validators=[Optional(), NumberRange(min=0, max=5)],
        description=_l("Used only when you choose providers with trust stars."),
    )
    expires_in_days = SelectField(
        _l("Close it after"),
        coerce=int,
        choices=options(EXPIRY_CHOICES),
        default=90,
        validators=[InputRequired()],
    )

    def fields(self) -> RequestFields:
        return RequestFields(
            title=self.title.data,
            description=self.description.data,
            skills=self.skills.data,
            country=self.country.data,
            languages=self.languages.data,
            urgency=self.urgency.data,
            visibility=self.visibility.data,
            min_stars=self.min_stars.data or 0,
            expires_in_days=self.expires_in_days.data,
        )


@lru_cache(maxsize=64)
def _filter_choices(_locale: str, _eligible: tuple[str, ...]) -> dict:
    """The browse filters' choices in one language (and for one setting of eligible countries),
    made once: the form is built for every list of requests."""
    anything = {"": str(_l("Any"))}
    labels = {
        "skill": {**anything, **in_visitors_language(SKILLS)},
        "country": {**anything, **eligible_countries()},
        "language": {**anything, **languages()},
        "urgency": {**anything, **in_visitors_language(URGENCIES)},
    }
    return {name: (options(offered), frozenset(offered)) for name, offered in labels.items()}


class BrowseForm(Form):
    """The filters of /requests, read from the query string; no CSRF on a GET."""

    class Meta:
        csrf = False

    q = StringField(_l("Words"), validators=[Optional(), Length(max=200)])
    skill = FilterField(_l("Skill"), validators=[Optional()])
    country = FilterField(_l("Country"), validators=[Optional()])
    language = FilterField(_l("Language"), validators=[Optional()])
    urgency = FilterField(_l("Urgency"), validators=[Optional()])
    status = FilterField(
        _l("Status"),
        choices=options({k: REQUEST_STATUSES[k] for k in ("open", "matched", "completed")}),
        default="open",
        validators=[Optional()],
    )
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = _filter_choices(str(get_locale()), eligible_statuses())
        for name, (choices, values) in offered.items():
            self[name].offer(choices, values)

    def filters(self) -> Filters:
        return Filters(
            skill=self.skill.data or "",
            country=self.country.data or "",
            language=self.language.data or "",
            urgency=self.urgency.data or "",
            status=self.status.data or HelpRequest.OPEN,
            q=self.q.data or "",
            page=self.page.data or 1,
        )
