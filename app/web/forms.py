"""Form pieces shared by every area."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


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
