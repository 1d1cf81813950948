"""The one field that stands between a session and the deletion of an account."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from movements.app.keys.passwords import PASSWORD_MAX


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description=_l("Type it again, so nobody else using this browser can do this."),
    )
