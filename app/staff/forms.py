"""Staff forms. Each action form carries `confirmed`, set only on its confirmation page."""

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from movements.app.moderation.outcomes import OUTCOMES, REASON_MAX, SUSPENSION_DAYS_MAX
from movements.app.trust.evidence import NOTE_MAX
from movements.app.trust.stars import MOST_FROM_EVIDENCE, STAFF_EVIDENCE
from movements.app.web.forms import Form, options

PAGE_MAX = 10_000


def _reason(label):
    return TextAreaField(label, validators=[DataRequired(), Length(max=NOTE_MAX)])


class ConfirmedForm(Form):
    confirmed = HiddenField()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed.data == "yes"


class EvidenceForm(ConfirmedForm):
    kind = SelectField(_l("Kind of evidence"), choices=options(STAFF_EVIDENCE))
    note = TextAreaField(
        _l("Note"),
        validators=[DataRequired(), Length(max=NOTE_MAX)],
        description=_l("What was checked, and how. Never paste documents or identities."),
    )


class ReasonForm(Form):
    """For actions whose own page asks why: that page is their confirmation."""

    reason = _reason(_l("Reason (kept in the staff log)"))


class JudgementForm(ConfirmedForm):
    why = _reason(_l("Why staff know and trust this person"))


class LimitForm(ConfirmedForm):
    max_stars = SelectField(
        _l("At most this many stars"),
        coerce=int,
        choices=options({n: str(n) for n in range(MOST_FROM_EVIDENCE + 1)}),
    )
    reason = _reason(_l("Reason (kept in the staff log)"))


class ActionForm(ConfirmedForm):
    outcome = RadioField(_l("Action"), choices=options(OUTCOMES))
    days = IntegerField(
        _l("Days of suspension"),
        validators=[Optional(), NumberRange(min=1, max=SUSPENSION_DAYS_MAX)],
        description=_l("Only for a suspension."),
    )
    message = TextAreaField(
        _l("What the user is told"),
        validators=[Optional(), Length(max=REASON_MAX)],
        description=_l("They see it, and see it at sign-in if suspended or removed."),
    )
    reason = TextAreaField(
        _l("Reason (kept in the staff log)"), validators=[DataRequired(), Length(max=REASON_MAX)]
    )


class FindUserForm(Form):
    class Meta:
        csrf = False

    name = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])


class PageForm(Form):
    class Meta:
        csrf = False

    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1, max=PAGE_MAX)])
