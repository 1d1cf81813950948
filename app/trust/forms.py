from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from movements.app.trust.profiles import LINK_MAX
from movements.app.web.forms import Form


class PublicProfileForm(Form):
    link = StringField(
        _l("Address of a public profile you control"),
        validators=[Optional(), Length(max=LINK_MAX)],
        description=_l(
            "For example your page at your organisation or a social network. Only staff see it, "
            "to confirm it is yours. Stored encrypted. Leave empty to remove it."
        ),
    )


class ActionForm(Form):
    """A one-button action: only its CSRF token."""
