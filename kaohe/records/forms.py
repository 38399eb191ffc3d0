from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kaohe.access import Do, can
from kaohe.forms import StyledFormMixin, UnitChoiceField, UnitFilterForm, offer_units_of
from kaohe.limits import FileSizeValidator, document_file_max_bytes
from kaohe.organisations.models import Organisation
from kaohe.records.actions import editable_fields
from kaohe.records.kinds import RecordKind
from kaohe.records.models import Record
from kaohe.records.queries import RecordFilter
from kaohe.versions import VersionedFormMixin


def model_field(kind: RecordKind, name: str) -> models.Field[Any, Any]:
    return cast("models.Field[Any, Any]", kind.model._meta.get_field(name))


def _date_input() -> forms.DateInput:
    # The browser's own date picker (a wheel on phones); it sends and needs ISO dates whatever the language.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(UnitFilterForm):
    """What the list and the export are narrowed to: a unit, and the kind's category and dates."""

    # Figures count only the active units under a unit; their links to the records they count set this.
    active = forms.BooleanField(label=_("Active units only"), required=False)

    def __init__(self, kind: RecordKind, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["active"].widget.attrs["class"] = "form-check-input"
        if kind.category_field:
            field = model_field(kind, kind.category_field)
            self.fields["category"] = forms.ChoiceField(
                label=capfirst(field.verbose_name), choices=[("", _("All")), *(field.choices or ())], required=False
            )
            self.fields["category"].widget.attrs["class"] = "form-select"
        if kind.date_field:
            for name, label in (("date_from", _("From")), ("date_to", _("To"))):
                self.fields[name] = forms.DateField(label=label, required=False, widget=_date_input())
                self.fields[name].widget.attrs["class"] = "form-control"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def chosen(self, unit: Organisation) -> RecordFilter:
        data = self.cleaned_data
        return RecordFilter(
            unit=unit,
            subtree=data["subtree"],
            active_only=data["active"],
            category=data.get("category", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class RecordForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    """The base of every kind's form: its own fields, and the unit (by name or code) among those one may edit."""

    unit = UnitChoiceField(
        label=capfirst(_("unit")),
        help_text=_("Your own unit or a unit under it: type part of its name, or its code."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.order_fields(["unit"])
        offer_units_of(self, user)
        record = self.instance
        self.fields["unit"].initial = record.organisation if record.pk else user.organisation
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                # The same rule as imports: no negative amounts or areas.
                field.validators.append(MinValueValidator(0))
                field.widget.attrs["min"] = 0
            if isinstance(field, forms.FileField):
                field.validators.append(FileSizeValidator(document_file_max_bytes))

    def clean_unit(self) -> Organisation:
        unit: Organisation = self.cleaned_data["unit"]  # one of the user's subtree (UnitChoiceField)
        if not can(self.user, Do.EDIT, unit):
            raise ValidationError(_("You cannot change the records of %(unit)s.") % {"unit": unit})
        return unit

    def values(self) -> dict[str, Any]:
        """The record's own fields, as the actions take them (the unit apart)."""
        return {name: self.cleaned_data[name] for name in self._meta.fields or ()}


class DuplicateConfirmationForm(forms.Form):
    """The box a person ticks to add, or save, a record identical to one already recorded."""

    anyway = forms.BooleanField(required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def confirmed(self) -> bool:
        return self.is_valid() and self.cleaned_data["anyway"]


def record_form_class(kind: RecordKind) -> type[RecordForm]:
    fields = editable_fields(kind)
    widgets: dict[str, type[forms.Widget] | forms.Widget] = {}
    for name in fields:
        field = model_field(kind, name)
        if isinstance(field, models.DateField):
            widgets[name] = _date_input()
        elif isinstance(field, models.TextField):
            widgets[name] = forms.Textarea(attrs={"rows": 3})
        elif isinstance(field, models.FileField):
            # Not ClearableFileInput: its "currently" link points at MEDIA_URL, past the access check.
            widgets[name] = forms.FileInput()
    form_class = forms.modelform_factory(kind.model, form=RecordForm, fields=fields, widgets=widgets)
    return form_class  # type: ignore[return-value]


def record_form(
    kind: RecordKind, user: Any, data: Any = None, files: Any = None, record: Record | None = None
) -> RecordForm:
    return record_form_class(kind)(data, files, instance=record, user=user)
