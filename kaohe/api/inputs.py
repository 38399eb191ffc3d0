"""What a program sends is read by the very forms the pages use, so that one set of rules (kaohe.limits:
numbers, lengths, characters, file sizes; each form's own checks) holds for a person and a program alike,
with the same messages. `form_serializer` describes such a form in the OpenAPI schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, TypeVar, cast

from django import forms
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.request import Request

from kaohe import limits

Form = TypeVar("Form", bound=forms.BaseForm)
SCALARS = (str, int, float, bool)


def bound(form_class: type[Form], request: Request, data: Any = None, **kwargs: Any) -> Form:
    """The form bound to the request's body (JSON or multipart) or query, or to `data`."""
    given = request.data if data is None else data
    return form_class(data=form_data(given), files=getattr(request, "FILES", None) or None, **kwargs)


def cleaned(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or a 400 naming each field at fault."""
    if not form.is_valid():
        raise serializers.ValidationError(form_errors(form))
    return form.cleaned_data


def form_errors(form: forms.BaseForm) -> dict[str, list[str]]:
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def form_data(given: Any) -> Any:
    """A JSON object's values as a form reads posted ones: one value per field, as text; a field sent as a
    list, an object or null is left out, and the form reports it as missing when it must be given."""
    if isinstance(given, MultiValueDict):
        return given
    if not isinstance(given, Mapping):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object (or a form) of fields.")]})
    data: dict[str, Any] = {}
    for name, value in given.items():
        if isinstance(value, bool):
            data[name] = "true" if value else ""  # a form's checkbox: present and ticked, or not sent
        elif isinstance(value, SCALARS):
            data[name] = str(value)
        elif value is not None:
            raise serializers.ValidationError({str(name): [_("Send one value, not a list or an object.")]})
    return data


@cache
def form_serializer(form_class: type[forms.BaseForm], name: str | None = None) -> type[serializers.Serializer]:
    """A serializer with the form's fields, for the schema only: the form reads the request."""
    fields = {field_name: _field_for(field) for field_name, field in form_class.base_fields.items()}  # type: ignore[attr-defined]
    return type(name or form_class.__name__.replace("Form", "") + "Input", (serializers.Serializer,), fields)


def _field_for(field: forms.Field) -> serializers.Field:
    common: dict[str, Any] = {"required": field.required, "help_text": str(field.help_text or "") or None}
    if field.label:
        common["label"] = str(field.label)
    if isinstance(field, forms.FileField):
        return serializers.FileField(**common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(**{**common, "required": False})
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(
            max_digits=field.max_digits or 14,
            decimal_places=field.decimal_places if field.decimal_places is not None else 2,
            min_value=field.min_value,
            max_value=field.max_value if field.max_value is not None else limits.LARGEST_AMOUNT,
            coerce_to_string=False,
            **common,
        )
    if isinstance(field, forms.IntegerField):
        largest = field.max_value if field.max_value is not None else limits.LARGEST_COUNT
        return serializers.IntegerField(min_value=field.min_value, max_value=largest, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.TypedChoiceField | forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        choices = [value for value, _label in cast(Iterable[tuple[Any, Any]], field.choices) if value != ""]
        return serializers.ChoiceField(choices=choices, **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.CharField(**common)
    max_length = getattr(field, "max_length", None) or limits.LONG_TEXT_MAX_LENGTH
    return serializers.CharField(max_length=max_length, allow_blank=not field.required, **common)
