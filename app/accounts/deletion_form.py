"""The one field that stands between a session and the deletion of an account."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from movements.app.keys.passwords import PASSWORD_MAX
from movements.app.web.forms import Form


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(), Length(max=PASSWORD_MAX)],
        description=_l("Type it again, so nobody else using this browser can do this."),
    )
