"""Fields of the filters over a list, cheap enough for a page that every visit renders afresh.

The list of requests reads five such filters from its query string on every visit (countries
and languages are some sixty choices each) and shows one of them as a select. WTForms checks a
value by walking every choice and writes each option's HTML again each time; a `FilterField`
checks it against a set of its values, and its options' HTML is kept, per option, as it was
first written (a label is plain text in one language, so an option is the same every time).

Each field also says, in `shown()`, everything its HTML depends on, so that the page may keep
the whole field as rendered (`kept_field`, app/web/fragments.py).
"""

from functools import lru_cache

from markupsafe import Markup
from wtforms import SelectField, StringField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import Select

OPTIONS_KEPT = 4096  # every option of every filter in every language, several times over


@lru_cache(maxsize=OPTIONS_KEPT)
def _option(value: str, label: str, selected: bool) -> Markup:
    return Select.render_option(Choice(value, label, selected, {}))


class KeptOptionsSelect(Select):
    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        if kwargs or choice.render_kw or not isinstance(choice.value, str):
            return super().render_option(choice, **kwargs)
        return _option(choice.value, str(choice.label), bool(choice.selected))


class ShownField:
    """A field whose HTML is a function of `shown()` alone."""

    def shown(self) -> tuple:
        return (
            type(self),
            self.id,
            self.name,
            str(self.label.text),
            str(self.description or ""),
            tuple(str(error) for error in self.errors),
            tuple(sorted(vars(self.flags).items())),
            tuple(sorted((self.render_kw or {}).items())),
            *self.shown_value(),
        )


class SearchField(ShownField, StringField):
    """The words to look for."""

    def shown_value(self) -> tuple:
        return (self._value(),)


class FilterField(ShownField, SelectField):
    """A select among `choices`, whose values are also given as a set, `values`."""

    widget = KeptOptionsSelect()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.values = frozenset(choice.value for choice in self.choices or ())

    def offer(self, choices: list[SelectChoice], values: frozenset[str]) -> None:
        self.choices, self.values = choices, values

    def shown_value(self) -> tuple:
        choices = tuple(
            (
                choice.value,
                str(choice.label),
                tuple(sorted(choice.render_kw.items())),
                choice.optgroup,
            )
            for choice in self.choices or ()
        )
        return (self.data, choices)

    def pre_validate(self, form) -> None:
        if self.process_errors or not self.validate_choice:
            return
        if self.data not in self.values:
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice.")
            )
