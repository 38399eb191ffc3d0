import copy
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.templatetags.static import static
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from kaohe import limits
from kaohe.access import visible_organisations
from kaohe.organisations.models import Organisation
from kaohe.organisations.picker import LONGEST_TEXT, SUGGESTIONS_SHOWN, matching_units, the_one_meant
from kaohe.versions import show_refusal

Saved = TypeVar("Saved")


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data on a POST, even an empty one (so that it reports missing fields); else unbound."""
    return request.POST if request.method == "POST" else None


def saved_or_form_error(
    form: forms.BaseForm, save: Callable[[], Saved], refusals_on: str | None = None
) -> Saved | None:
    """What an action returns, or None with its refusal shown on the form: an error the action keys by field
    goes on that field where the form has it; any other goes on `refusals_on`, or above the form."""
    try:
        return save()
    except ValidationError as error:
        show_refusal(form, error, refusals_on)
        return None


class StyledFormMixin:
    """Gives every widget Bootstrap's class, so that templates render a field as a plain {{ field }}, and every
    field the limits of kaohe.limits by its type, so that no form needs code of its own to stay within them."""

    fields: dict[str, forms.Field]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css
            within_limits(field)


def within_limits(field: forms.Field) -> None:
    """Adds kaohe.limits' validators to a form field (a per-form copy: Django copies fields per form)."""
    if isinstance(field, forms.DecimalField | forms.FloatField):  # both are IntegerFields to Django
        _at_most(field, limits.LARGEST_AMOUNT, limits.validate_amount)
    elif isinstance(field, forms.IntegerField):
        _at_most(field, limits.LARGEST_COUNT, limits.validate_count)
    elif isinstance(field, forms.CharField):
        _text_within_limits(field)


def _at_most(field: forms.IntegerField, largest: Any, validator: Callable[[Any], None]) -> None:
    # A field that allows less already (a year, a page) keeps its own bound.
    if field.max_value is None or field.max_value > largest:
        field.validators.append(validator)
        field.widget.attrs["max"] = largest


def _text_within_limits(field: forms.CharField) -> None:
    if isinstance(field.widget, forms.PasswordInput):
        field.validators.append(limits.validate_storable)
    elif isinstance(field.widget, forms.Textarea):
        field.validators.append(limits.validate_text)
    else:
        field.validators.append(limits.validate_line)
    if field.max_length is None:
        field.max_length = limits.LONG_TEXT_MAX_LENGTH
        field.validators.append(MaxLengthValidator(limits.LONG_TEXT_MAX_LENGTH))
        field.widget.attrs["maxlength"] = str(limits.LONG_TEXT_MAX_LENGTH)


# Picking a unit ------------------------------------------------------------------------------------------
# Wherever a unit is entered or filtered, the person types part of its name or its code. With JavaScript,
# htmx asks /units/suggest/ as they type and unit_picker.js fills the field with the unit chosen; without
# it the field is plain text, which the server reads as a code or a name (kaohe.organisations.picker).


class UnitPicker(forms.TextInput):
    """A text input that suggests the units of the user's system matching what is typed in it."""

    template_name = "organisations/unit_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"autocomplete": "off", "spellcheck": "false", "placeholder": _("Part of its name, or its code")}
        super().__init__({**defaults, **(attrs or {})})
        self.chosen: dict[str, str] = {}  # a text the field read → the unit it names, shown under the field

    def __deepcopy__(self, memo: dict[int, Any]) -> "UnitPicker":
        copied = super().__deepcopy__(memo)
        copied.chosen = copy.copy(self.chosen)  # each form's own, like attrs
        return copied  # type: ignore[return-value]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        picker = widget["attrs"].get("id") or f"unit-picker-{name}"
        described_by = [widget["attrs"].get("aria-describedby"), f"{picker}-chosen"]
        widget["attrs"].update(
            {
                "id": picker,
                "aria-autocomplete": "list",
                "aria-controls": f"{picker}-suggestions",
                "aria-describedby": " ".join(part for part in described_by if part),
                # htmx sends the input's value under its own name (unit, new_parent): `field` says which.
                "hx-get": f"{reverse('organisations:suggest')}?{urlencode({'for': picker, 'field': name})}",
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{picker}-suggestions",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",  # only the answer to the latest text is shown
            }
        )
        widget["picker"] = picker
        widget["chosen"] = self.chosen.get(str(value).strip(), "") if value else ""
        widget["script"] = static("kaohe/unit_picker.js")
        return context


class UnitChoiceField(forms.CharField):
    """A unit of the user's system, given as its code or as (part of) its name: the unit it names, None if
    left empty, or an error that says none or which several match. The form gives the units to pick from
    (`offer_units_of`); until then it picks from none."""

    widget = UnitPicker

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", LONGEST_TEXT)
        super().__init__(**kwargs)
        self.units: QuerySet[Organisation] = Organisation.objects.none()

    def prepare_value(self, value: Any) -> Any:
        """A unit as initial value shows as its code, with its name under the field."""
        if isinstance(value, Organisation):
            self._picker().chosen[value.code] = chosen_words(value)
            return value.code
        return value

    def has_changed(self, initial: Any, data: Any) -> bool:
        return super().has_changed(self.prepare_value(initial), data)

    def clean(self, value: Any) -> Organisation | None:  # type: ignore[override]
        text: str = super().clean(value)
        if not text:
            return None
        found = matching_units(self.units, text, SUGGESTIONS_SHOWN + 1)
        unit = the_one_meant(text, found)
        if unit is None:
            raise ValidationError(not_one_unit(text, found), code="unit")
        self._picker().chosen[text] = chosen_words(unit)
        return unit

    def _picker(self) -> UnitPicker:
        assert isinstance(self.widget, UnitPicker)  # noqa: S101 (for mypy; not a check of input)
        return self.widget


def chosen_words(unit: Organisation) -> str:
    return gettext_now("Chosen: %(unit)s") % {"unit": unit}


def not_one_unit(text: str, found: list[Organisation]) -> str:
    """Why a text names no unit: none matches it, or several do (listed, so the person can choose)."""
    if not found:
        return gettext_now("No unit has a name or code containing “%(text)s”.") % {"text": text}
    listed = "、".join(str(unit) for unit in found[:SUGGESTIONS_SHOWN])
    if len(found) > SUGGESTIONS_SHOWN:
        message = gettext_now(
            "More than %(count)s units have a name or code containing “%(text)s”, among them %(units)s. "
            "Type more of the name, or the code."
        )
        return message % {"count": SUGGESTIONS_SHOWN, "text": text, "units": listed}
    message = gettext_now(
        "Several units have a name or code containing “%(text)s”: %(units)s. Choose one, or type its code."
    )
    return message % {"text": text, "units": listed}


def offer_units_of(form: forms.BaseForm, user: Any) -> None:
    """Every unit field of the form picks among the units of the user's subtree, and only those."""
    for field in form.fields.values():
        if isinstance(field, UnitChoiceField):
            field.units = visible_organisations(user)


class UnitFilterForm(StyledFormMixin, forms.Form):
    """Narrows a list to a unit, with or without the units under it; a GET form, so a list can be bookmarked.
    Its unit is picked by name or code among the user's (`user=`); cleaned, it is the unit or None."""

    unit = UnitChoiceField(label=capfirst(_("unit")), required=False)
    subtree = forms.BooleanField(label=_("Include the units under it"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subtree"].widget.attrs["class"] = "form-check-input"
        offer_units_of(self, user)

    @staticmethod
    def data_for(request: HttpRequest, root: Organisation) -> QueryDict | dict[str, str]:
        """A first visit, with no filter submitted yet, lists the user's whole system."""
        return request.GET if "unit" in request.GET else {"unit": root.code, "subtree": "on"}
