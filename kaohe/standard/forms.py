from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.forms import StyledFormMixin
from kaohe.limits import LARGEST_STORED_INTEGER, FileSizeValidator, standard_file_max_bytes
from kaohe.standard.document import TIERS

ALL_TIERS = "all"


class TierFilterForm(forms.Form):
    """`?tier=secondary` (repeatable): the tier columns to show; `?tier=all` all three; none chosen, `default`."""

    tier = forms.MultipleChoiceField(choices=[(tier, tier) for tier in (*TIERS, ALL_TIERS)], required=False)

    def chosen_tiers(self, default: tuple[str, ...] = TIERS) -> tuple[str, ...]:
        chosen = self.cleaned_data["tier"]
        if ALL_TIERS in chosen:
            return TIERS
        return tuple(tier for tier in TIERS if tier in chosen) or default


class CompareForm(forms.Form):
    """Two versions of one standard. “from” is a Python keyword, so the fields are added by name.

    On the list page the choices are the versions loaded; on the compare page any whole number is
    accepted here, and a version that does not exist is the view's 404.
    """

    def __init__(self, *args: Any, versions: list[int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from"] = _version_field(_("Compare version"), versions)
        self.fields["to"] = _version_field(_("with version"), versions)


def _version_field(label: Any, versions: list[int] | None) -> forms.Field:
    if versions is None:
        # No version beyond what the column holds: a larger number is a bad request, not a failed query.
        return forms.IntegerField(label=label, min_value=1, max_value=LARGEST_STORED_INTEGER)
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[(version, f"v{version}") for version in versions],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )


class StandardImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Standard file (.yaml, .json or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json,.xlsx"}),
        validators=[FileSizeValidator(standard_file_max_bytes)],
    )
