from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional

from movements.app.core.eligibility import eligible_countries
from movements.app.core.taxonomy import CONTACT_KINDS, SKILLS, languages
from movements.app.keys.passwords import PASSWORD_MAX, PASSWORD_MIN
from movements.app.web.forms import CheckboxListField, Form, MaxItems, options, options_first

password_length = Length(
    min=PASSWORD_MIN,
    max=PASSWORD_MAX,
    message=_l("A password has %(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
)


class SignupForm(Form):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("3 to 32 letters or digits. Do not use your real name."),
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), password_length],
        description=password_length.message,
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    role = RadioField(
        _l("I am here because"),
        choices=options({"activist": _l("I need help"), "provider": _l("I can help")}),
        validators=[InputRequired(message=_l("Choose one."))],
    )
    country = SelectField(
        _l("Country you work on (if you need help)"),
        choices=[],
        validators=[Optional()],
        description=_l("Only needed if you ask for help. It is shown on your profile."),
    )
    declaration = BooleanField(
        _l("I live in this country, or I work from outside it to open this closed society.")
    )
    risk_read = BooleanField(
        _l("I have read the notice above and understand it."),
        validators=[DataRequired(message=_l("Please read the notice and tick the box."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # only countries this site serves: see app/core/eligibility.py
        self.country.choices = options({"": _l("Choose a country"), **eligible_countries()})

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.role.data == "activist" and not self.country.data:
            self.country.errors = [*self.country.errors, _l("Choose the country you work on.")]
            return False
        if self.role.data == "activist" and not self.declaration.data:
            self.declaration.errors = [
                *self.declaration.errors,
                _l("To ask for help, confirm that you live there or work to open it."),
            ]
            return False
        return valid


class SavedCodesForm(Form):
    saved = BooleanField(
        _l("I have saved my recovery codes."),
        validators=[DataRequired(message=_l("Tick the box once your codes are saved."))],
    )


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)])


class RecoverForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    code = StringField(
        _l("One of your recovery codes"), validators=[DataRequired(), Length(max=64)]
    )
    password = PasswordField(_l("New password"), validators=[DataRequired(), password_length])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class PasswordForm(Form):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=PASSWORD_MAX)]
    )
    password = PasswordField(_l("New password"), validators=[DataRequired(), password_length])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ProfileForm(Form):
    bio = TextAreaField(
        _l("About you"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Public. Share only what you are comfortable with."),
    )
    skills = CheckboxListField(_l("Skills"), choices=options(SKILLS), validators=[MaxItems(12)])


class LanguagesForm(Form):
    """Languages and country, on a page of their own: their long lists would make the
    profile page too heavy for a slow circuit."""

    languages = CheckboxListField(_l("Languages"), choices=[], validators=[MaxItems(20)])
    country = SelectField(_l("Country you work on"), choices=[], validators=[Optional()])

    def __init__(self, *args, first_languages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.languages.choices = options_first(languages(), first_languages)
        self.country.choices = options({"": _l("None"), **eligible_countries()})


class ContactForm(Form):
    kind = SelectField(_l("Kind"), choices=options(CONTACT_KINDS))
    value = StringField(
        _l("How to reach you"),
        validators=[Optional(), Length(max=200)],
        description=_l("Leave empty to remove it. Stored encrypted; shown only where you choose."),
    )
