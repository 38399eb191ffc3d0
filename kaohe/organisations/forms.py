from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.forms import StyledFormMixin, UnitChoiceField, offer_units_of
from kaohe.limits import FileSizeValidator, import_file_max_bytes
from kaohe.organisations.models import ALLOWED_PARENT_CATEGORIES, Category, Organisation
from kaohe.versions import VersionedFormMixin


class OrganisationForm(VersionedFormMixin, StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "category", "members"]

    def __init__(self, *args: Any, parent: Organisation | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Codes are the key that imports match on: fixed once a unit exists.
            del self.fields["code"]
        if parent is not None:
            category_field = self.fields["category"]
            assert isinstance(category_field, forms.ChoiceField)  # noqa: S101 (for mypy; not a check of input)
            category_field.choices = [
                (value, label)
                for value, label in Category.choices
                if parent.category in ALLOWED_PARENT_CATEGORIES[value]
            ]

    def validate_unique(self) -> None:
        """Left to create_organisation: Django's "already exists" would say so of another system's code too."""


class MoveForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """The unit's new parent, by name or code among the user's units; the unit being moved is given as edited=."""

    new_parent = UnitChoiceField(
        label=_("New parent unit"),
        help_text=_(
            "The unit it will belong to, e.g. a 乡镇街道总工会 for a 基层工会: type part of its name, or its code."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_units_of(self, user)


class ImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Units file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[FileSizeValidator(import_file_max_bytes)],
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Find a unit by name or code"), required=False, max_length=100)
