from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from movements.app.alerts.rules import NAME_MAX_LENGTH, AlertFilters
from movements.app.core.eligibility import eligible_countries
from movements.app.core.taxonomy import SKILLS, URGENCIES, languages
from movements.app.web.forms import Form, options


class AlertForm(Form):
    """The filters of a /requests page, sent as hidden fields by its "alert me" button.

    The same choices as the page offers: a skill, country or language not on them is an error.
    """

    q = StringField(_l("Words"), validators=[Optional(), Length(max=200)])
    skill = SelectField(_l("Skill"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    language = SelectField(_l("Language"), validators=[Optional()])
    urgency = SelectField(_l("Urgency"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        anything = {"": _l("Any")}
        self.skill.choices = options({**anything, **SKILLS})
        self.country.choices = options({**anything, **eligible_countries()})
        self.language.choices = options({**anything, **languages()})
        self.urgency.choices = options({**anything, **URGENCIES})

    def filters(self) -> AlertFilters:
        return AlertFilters(
            skill=self.skill.data or "",
            country=self.country.data or "",
            language=self.language.data or "",
            urgency=self.urgency.data or "",
            words=self.q.data or "",
        )


class RenameForm(Form):
    name = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=NAME_MAX_LENGTH)],
        description=_l("Leave it empty to show the filters instead."),
    )
