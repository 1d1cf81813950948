from functools import lru_cache

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

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
from movements.app.trust.standing import standing_of
from movements.app.web.filter_fields import FilterField, SearchField
from movements.app.web.forms import CheckboxListField, Form, MaxItems, options, options_first

STAR_LEVELS = (1, 2, 3, 4, 5)
VISIBILITY_ORDER = ("stars", "signed_in", "everyone")
EXPIRY_CHOICES = {7: _l("1 week"), 30: _l("1 month"), 90: _l("3 months"), 180: _l("6 months")}


VISIBILITY_HELP = {
    "everyone": _l("Anyone who opens this site can read it."),
    "signed_in": _l("Anyone with an account can read it, and anyone can make one."),
    "stars": _l(
        "Only providers whose trust stars reach the level you choose. Fewer people see it."
    ),
}


def star_level_required(form, field) -> None:
    """A level is needed only when the request is for providers with trust stars."""
    if form.visibility.data == "stars" and field.data not in STAR_LEVELS:
        raise ValidationError(_l("Choose the fewest trust stars a provider needs."))


class RequestForm(Form):
    """The whole request on one page: over Tor, every extra step costs seconds."""

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
    country = SelectField(_l("Country of focus"), validators=[DataRequired()])
    languages = CheckboxListField(
        _l("Languages you can use"),
        validators=[DataRequired(message=_l("Choose at least one.")), MaxItems(10)],
    )
    urgency = RadioField(_l("Urgency"), choices=options(URGENCIES), default="normal")
    # asked, never assumed: who may read a request is the author's choice to make. The fewest
    # readers come first, so a browser that takes the first choice for a default (lynx shows
    # it chosen) never makes a request public on its own.
    visibility = RadioField(
        _l("Who may see it"),
        choices=options({key: VISIBILITIES[key] for key in VISIBILITY_ORDER}),
        validators=[InputRequired(message=_l("Choose who may see it."))],
    )
    min_stars = RadioField(
        _l("Minimum trust stars"),
        coerce=int,
        validate_choice=False,
        validators=[star_level_required],
        description=_l("Used only when you choose providers with trust stars."),
    )
    expires_in_days = SelectField(
        _l("Close it after"),
        coerce=int,
        choices=options(EXPIRY_CHOICES),
        default=90,
        validators=[InputRequired()],
    )

    def __init__(self, *args, first_languages: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        # a request must be about an eligible country, so only those are offered
        self.country.choices = options({"": _l("Choose a country"), **eligible_countries()})
        self.languages.choices = options_first(languages(), first_languages)
        self.min_stars.choices = options({n: f"{n} ★ · {standing_of(n)}" for n in STAR_LEVELS})

    def fields(self) -> RequestFields:
        return RequestFields(
            title=self.title.data,
            description=self.description.data,
            skills=self.skills.data,
            country=self.country.data,
            languages=self.languages.data,
            urgency=self.urgency.data,
            visibility=self.visibility.data,
            min_stars=self.min_stars.data if self.visibility.data == "stars" else 0,
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

    q = SearchField(_l("Words"), validators=[Optional(), Length(max=200)])
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
    # never shown as a field; a label given spares WTForms translating one made from the name
    page = IntegerField("", default=1, validators=[Optional(), NumberRange(min=1, max=500)])

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
