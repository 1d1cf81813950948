"""Form pieces shared by every area."""

from collections.abc import Callable

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from movements.app.core.errors import RuleViolation

# WTForms' own messages for the validators and fields these forms use, word for word, listed so
# that `make catalogs` extracts them: they are translated in this site's catalogs with the rest
# (WTForms ships no Burmese, Amharic, Thai, Swahili or Vietnamese), and the completeness test
# sees them. tests/test_form_messages.py checks the wording against WTForms' own catalog.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    lazy_ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    ),
    lazy_ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    ),
    lazy_ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        1,
    ),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    lazy_ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    ),
    _l("Not a valid integer value."),
)


class CatalogTranslations:
    """WTForms' messages through this site's catalog in the visitor's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """Every form of the site: a FlaskForm (CSRF) whose built-in messages use our catalog."""

    class Meta:
        def get_translations(self, form):
            return CatalogTranslations()


class CheckboxListField(SelectMultipleField):
    """Several choices as plain checkboxes, which work in every browser without script."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MaxItems:
    def __init__(self, limit: int):
        self.limit = limit

    def __call__(self, form, field):
        if field.data and len(field.data) > self.limit:
            raise ValidationError(_l("Choose at most %(limit)d.", limit=self.limit))


def options(labels: dict) -> list[SelectChoice]:
    """Choices for a select, radio or checkbox list from a {value: label} mapping."""
    return [SelectChoice(value, label) for value, label in labels.items()]


class Refused:
    """What `through_rule` gives back when the rule refused: the form now says why."""

    def __repr__(self) -> str:
        return "REFUSED"


REFUSED = Refused()


def through_rule(field, rule: Callable, *args, **kwargs):
    """Apply a marketplace rule for a valid form: its result, or REFUSED with the rule's reason
    shown as an error on `field`, so the view shows the form again with what was typed."""
    try:
        return rule(*args, **kwargs)
    except RuleViolation as error:
        field.errors.append(error.message)
        return REFUSED
