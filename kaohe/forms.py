from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, QueryDict
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kaohe import limits
from kaohe.organisations.models import CODE_MAX_LENGTH, Organisation

Saved = TypeVar("Saved")


def posted(request: HttpRequest) -> QueryDict | None:
    """A form's data on a POST, even an empty one (so that it reports missing fields); else unbound."""
    return request.POST if request.method == "POST" else None


def saved_or_form_error(form: forms.BaseForm, save: Callable[[], Saved]) -> Saved | None:
    """What an action returns, or None with its refusal shown on the form."""
    try:
        return save()
    except ValidationError as error:
        form.add_error(None, error.messages)
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


class UnitFilterForm(StyledFormMixin, forms.Form):
    """Narrows a list to a unit, with or without the units under it; a GET form, so a list can be bookmarked."""

    unit = forms.CharField(label=capfirst(_("unit code")), max_length=CODE_MAX_LENGTH, required=False)
    subtree = forms.BooleanField(label=_("Include the units under it"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subtree"].widget.attrs["class"] = "form-check-input"

    @staticmethod
    def data_for(request: HttpRequest, root: Organisation) -> QueryDict | dict[str, str]:
        """A first visit, with no filter submitted yet, lists the user's whole system."""
        return request.GET if "unit" in request.GET else {"unit": root.code, "subtree": "on"}
