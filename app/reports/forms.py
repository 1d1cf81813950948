from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from movements.app.reports.rules import DETAILS_MAX, REASONS
from movements.app.web.forms import Form, options


class ReportForm(Form):
    reason = RadioField(
        _l("What is wrong?"),
        choices=options(REASONS),
        validators=[InputRequired(message=_l("Choose a reason from the list."))],
    )
    details = TextAreaField(
        _l("Details (optional)"),
        validators=[Optional(), Length(max=DETAILS_MAX)],
        description=_l("Only staff read this. Do not include anything that identifies you."),
    )
    include_text = BooleanField(
        _l("Include the text of this message, so staff can read it. Otherwise they cannot.")
    )


class ActionForm(Form):
    """A one-button action: only its CSRF token."""
