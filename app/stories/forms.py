"""The forms of a match's story page, and the page number of /stories."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from movements.app.stories.rules import TEXT_MAX
from movements.app.web.forms import Form

PAGE_MAX = 10_000
ANONYMOUS_LABEL = _l("Show me as an activist in the request's country, not by my username")


class StoryForm(Form):
    text = TextAreaField(
        _l("What was achieved"),
        validators=[DataRequired(), Length(max=TEXT_MAX)],
        description=_l(
            "Public once both of you approve it. Names only as usernames; no contact details."
        ),
    )
    anonymous = BooleanField(ANONYMOUS_LABEL, default=True)  # shown to the activist only


class ApproveForm(Form):
    # the version of the text on the page: approving it approves those words and no others
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=1, max=10**9)]
    )
    anonymous = BooleanField(ANONYMOUS_LABEL, default=True)  # shown to the activist only


class PageForm(Form):
    class Meta:
        csrf = False

    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=PAGE_MAX)])
