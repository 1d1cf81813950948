"""The e-mail settings form on /account/email."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from movements.app.mail.addresses import INVALID_ADDRESS
from movements.app.mail.choices import CATEGORIES, MODES
from movements.app.mail.syntax import ADDRESS_MAX, is_valid_address
from movements.app.web.forms import CheckboxListField, Form, options


def _plain_address(_form, field) -> None:
    if not is_valid_address((field.data or "").strip()):
        raise ValidationError(INVALID_ADDRESS)


class AddressForm(Form):
    address = StringField(
        _l("E-mail address"),
        validators=[DataRequired(), Length(max=ADDRESS_MAX), _plain_address],
    )
    # a digest by default: one mail a day at a fixed hour says least about when things happen
    mode = RadioField(_l("When to send e-mail"), choices=options(MODES), default="digest")
    kinds = CheckboxListField(
        _l("What to send e-mail about"),
        choices=options(CATEGORIES),
        default=list(CATEGORIES),
        validators=[DataRequired(_l("Choose at least one."))],
    )
