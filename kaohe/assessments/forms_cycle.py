"""Forms of the cycle's pages: opening a year, the progress filter, giving units to assessors, and the two
spreadsheet uploads. Each is a StyledFormMixin form, so every field keeps within kaohe.limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.access import REVIEWED_BY_THE_DISTRICT
from kaohe.accounts.models import User
from kaohe.assessments.actions import DEFAULT_BANDS
from kaohe.assessments.models import Status
from kaohe.assessments.queries_cycle import OVERDUE_REVIEW, OVERDUE_SELF, System
from kaohe.forms import StyledFormMixin, within_limits
from kaohe.limits import FileSizeValidator, import_file_max_bytes
from kaohe.organisations.models import Tier
from kaohe.standard.models import Standard

YEAR_MIN, YEAR_MAX = 2000, 2100
BAND_COUNT = len(DEFAULT_BANDS)
SEARCH_MAX_LENGTH = 100
# Units ticked on one page of the assignment list: the page holds fifty; more is not a person's choice.
MAX_UNITS_CHOSEN = 500


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = str(obj)
        return str(_("%(standard)s — the default")) % {"standard": label} if obj.is_default else label


class AssessorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


def standard_field() -> StandardChoiceField:
    return StandardChoiceField(
        label=_("Standard version"),
        queryset=Standard.objects.defer("document").order_by("slug", "-version"),
        empty_label=None,
    )


def year_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


class DateInput(forms.DateInput):
    input_type = "date"  # a phone shows its date picker

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class OpenCycleForm(StyledFormMixin, forms.Form):
    """The year, the version of the standard, the deadlines and the grade bands (READING.md's by default)."""

    year = year_field()
    standard = standard_field()
    self_deadline = forms.DateField(label=_("Self-assessment deadline"), required=False, widget=DateInput())
    review_deadline = forms.DateField(label=_("Review deadline"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for number, (grade, lowest) in enumerate(DEFAULT_BANDS, start=1):
            self.fields[f"band_{number}_name"] = forms.CharField(
                label=_("Grade %(number)s") % {"number": number}, max_length=20, initial=grade
            )
            self.fields[f"band_{number}_lowest"] = forms.DecimalField(
                label=_("from a total of"), min_value=0, max_value=100, decimal_places=1, initial=Decimal(lowest)
            )
        for name in self.band_field_names():  # added after the mixin styled the others: styled the same way
            self.fields[name].widget.attrs["class"] = "form-control"
            within_limits(self.fields[name])

    @staticmethod
    def band_field_names() -> list[str]:
        return [f"band_{number}_{part}" for number in range(1, BAND_COUNT + 1) for part in ("name", "lowest")]

    def band_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"band_{number}_name"], self[f"band_{number}_lowest"]) for number in range(1, BAND_COUNT + 1)]

    def bands(self) -> list[list[str]]:
        data = self.cleaned_data
        return [
            [data[f"band_{number}_name"], str(data[f"band_{number}_lowest"])] for number in range(1, BAND_COUNT + 1)
        ]


class ProgressFilterForm(StyledFormMixin, forms.Form):
    """A GET form, so that a filtered list can be bookmarked and exported as it is shown."""

    status = forms.ChoiceField(label=_("State"), required=False)
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    system = forms.ChoiceField(label=_("System"), required=False)
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[
            ("", _("Overdue or not")),
            (OVERDUE_SELF, _("Self-assessment overdue")),
            (OVERDUE_REVIEW, _("Review overdue")),
        ],
    )
    q = forms.CharField(label=_("Unit name or code"), required=False, max_length=SEARCH_MAX_LENGTH)

    def __init__(self, *args: Any, systems: list[System], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status_field = self.fields["status"]
        assert isinstance(status_field, forms.ChoiceField)  # noqa: S101 (for mypy)
        status_field.choices = [("", _("Every state")), *Status.choices]
        tier_field = self.fields["tier"]
        assert isinstance(tier_field, forms.ChoiceField)  # noqa: S101 (for mypy)
        tier_field.choices = [("", _("Every tier")), *Tier.choices]
        system_field = self.fields["system"]
        assert isinstance(system_field, forms.ChoiceField)  # noqa: S101 (for mypy)
        system_field.choices = [("", _("Every system")), *((system.code, system.name) for system in systems)]
        if len(systems) < 2:  # a secondary cadre's own system only: nothing to choose
            del self.fields["system"]


class UnitIdsField(forms.Field):
    """The ids of the units ticked on the page (checked against the cycle by the view)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        if len(values) > MAX_UNITS_CHOSEN:
            raise forms.ValidationError(_("Choose at most %(max)s units at a time.") % {"max": MAX_UNITS_CHOSEN})
        try:
            return sorted({int(text) for text in values})
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose units from the list.")) from None


class AssignForm(StyledFormMixin, forms.Form):
    """An assessor, or nobody in particular, for the units ticked (or every unit shown on the page)."""

    assessor = AssessorChoiceField(
        label=_("Assessor"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Every assessor (nobody in particular)"),
    )
    units = UnitIdsField(required=False)
    shown = UnitIdsField(required=False)
    all_shown = forms.BooleanField(label=_("Every unit on this page"), required=False)

    def __init__(self, *args: Any, assessors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assessor_field = self.fields["assessor"]
        assert isinstance(assessor_field, forms.ModelChoiceField)  # noqa: S101 (for mypy)
        assessor_field.queryset = assessors
        self.fields["all_shown"].widget.attrs["class"] = "form-check-input"

    def chosen_ids(self) -> list[int]:
        return self.cleaned_data["shown"] if self.cleaned_data["all_shown"] else self.cleaned_data["units"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not (cleaned.get("units") or (cleaned.get("all_shown") and cleaned.get("shown"))):
            raise forms.ValidationError(_("Tick the units to give to the assessor."))
        return cleaned


class AssignFilterForm(StyledFormMixin, forms.Form):
    tier = forms.ChoiceField(label=_("Tier"), required=False)
    q = forms.CharField(label=_("Unit name or code"), required=False, max_length=SEARCH_MAX_LENGTH)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tier_field = self.fields["tier"]
        assert isinstance(tier_field, forms.ChoiceField)  # noqa: S101 (for mypy)
        tiers = [(tier.value, tier.label) for tier in Tier if tier.value in REVIEWED_BY_THE_DISTRICT]
        tier_field.choices = [("", _("Every tier the assessors review")), *tiers]


class SheetForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Filled-in score sheet (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[FileSizeValidator(import_file_max_bytes)],
    )


class PastYearForm(StyledFormMixin, forms.Form):
    year = year_field()
    standard = standard_field()
    file = forms.FileField(
        label=_("Final scores file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[FileSizeValidator(import_file_max_bytes)],
    )
