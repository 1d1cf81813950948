from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from movements.app.web.forms import Form


class OfferForm(Form):
    message = TextAreaField(
        _l("Your offer"),
        validators=[DataRequired(), Length(min=10, max=5000)],
        description=_l("How you can help, and what you need to know. Seen only by the author."),
    )
