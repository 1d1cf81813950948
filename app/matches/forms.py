from flask_babel import lazy_gettext as _l
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from movements.app.matches.rules import MESSAGE_MAX
from movements.app.web.forms import CheckboxListField, Form, options


class MessageForm(Form):
    text = TextAreaField(
        _l("Message"),
        validators=[DataRequired(), Length(max=MESSAGE_MAX)],
        description=_l("Only the two of you can read it. It is stored encrypted."),
    )


class RevealForm(Form):
    contacts = CheckboxListField(
        _l("Contact details the other side may see"),
        coerce=int,
        description=_l("Nothing is shown until you tick it. Untick to hide it again."),
    )


class CancelForm(Form):
    reason = TextAreaField(
        _l("Why are you cancelling?"), validators=[DataRequired(), Length(min=3, max=1000)]
    )


class RatingForm(Form):
    stars = RadioField(
        _l("Your rating"),
        coerce=int,
        choices=options({n: f"{n} ★" for n in (5, 4, 3, 2, 1)}),
        validators=[InputRequired(message=_l("Choose 1 to 5 stars."))],
    )
    comment = TextAreaField(
        _l("Comment (optional, public)"), validators=[Optional(), Length(max=1000)]
    )
