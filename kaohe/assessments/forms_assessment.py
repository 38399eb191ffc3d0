"""The forms of one unit's assessment: self-assessment, review, evidence, return, reopening.

Scores are typed as text and checked by the actions (kaohe.assessments.actions.parse_score), so that the page
says what the round's rules say ("a score goes in steps of 0.5") rather than a form's own wording; the
number input only helps the browser and the phone's keyboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from kaohe.assessments import files
from kaohe.assessments.models import Assessment, Item
from kaohe.forms import StyledFormMixin, within_limits
from kaohe.versions import VersionedFormMixin

NOTE_MAX_LENGTH = 200  # Evidence.note
SCORE_MAX_LENGTH = 20


def plain(value: Decimal | None) -> str:
    """A score as typed: 3, 3.5; empty for none."""
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def score_input() -> forms.NumberInput:
    """0 to the item's points (set per item) in steps of 0.5; a decimal keypad on phones."""
    return forms.NumberInput(attrs={"step": "0.5", "min": "0", "inputmode": "decimal"})


def _score_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=SCORE_MAX_LENGTH, widget=score_input())


def _text_field(label: Any, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class SelfAssessmentForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """The unit's self-score and explanation for one item, at the item's version."""

    self_score = _score_field(_("Self-score"))
    explanation = _text_field(_("Explanation"), rows=4)

    def __init__(self, data: Any = None, *, item: Item) -> None:
        initial = {"self_score": plain(item.self_score), "explanation": item.explanation}
        super().__init__(data, initial=initial, edited=item, prefix="self")
        self.fields["self_score"].widget.attrs["max"] = plain(item.points)


class ReviewForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """The reviewer's final score, its reason and a comment for one item, at the item's version."""

    final_score = _score_field(_("Final score"))
    reason = _text_field(_("Reason for the final score"))
    comment = _text_field(_("Comment for the unit"))

    def __init__(self, data: Any = None, *, item: Item) -> None:
        initial = {"final_score": plain(item.final_score), "reason": item.reason, "comment": item.comment}
        super().__init__(data, initial=initial, edited=item, prefix="review")
        self.fields["final_score"].widget.attrs["max"] = plain(item.points)


def requirement_choices(requirements: Iterable[dict[str, Any]]) -> list[tuple[Any, str]]:
    """The item's requirements by their position (what Evidence.requirement holds), as the page numbers them."""
    choices: list[tuple[Any, str]] = [("", str(_("The item as a whole")))]
    for requirement in requirements:
        text = Truncator(requirement["text"]).chars(50)
        choices.append((requirement["position"], f"{requirement['item']} · {requirement['number']}、{text}"))
    return choices


def _requirement_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=_("Requirement it proves"), coerce=int, empty_value=None, required=False)


def _note_field() -> forms.CharField:
    return forms.CharField(label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH)


class EvidenceUploadForm(StyledFormMixin, forms.Form):
    """A file, or a photo taken with the phone's camera; the requirement it proves, and a note."""

    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.FileInput(attrs={"accept": files.ACCEPT}),
        help_text=_("PDF, JPG or PNG pictures, Word or Excel documents."),
    )
    photo = forms.FileField(
        label=_("Or take a photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    requirement = _requirement_field()
    note = _note_field()

    def __init__(self, data: Any = None, uploads: Any = None, *, requirements: Sequence[dict[str, Any]]) -> None:
        super().__init__(data, uploads, prefix="upload")
        self.fields["requirement"].choices = requirement_choices(requirements)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = [name for name in ("file", "photo") if cleaned.get(name)]
        if not chosen and not self.has_error("file") and not self.has_error("photo"):
            self.add_error("file", _("Choose a file or take a photo."))
        elif len(chosen) == 2:
            self.add_error("photo", _("Choose a file or take a photo, one at a time."))
        return cleaned

    @property
    def upload_field(self) -> str:
        """The field the upload came in: where a refusal of the file is shown."""
        return "photo" if self.cleaned_data.get("photo") else "file"

    @property
    def uploaded(self) -> Any:
        return self.cleaned_data.get("file") or self.cleaned_data.get("photo")


class EvidenceLinkForm(StyledFormMixin, forms.Form):
    """One of the unit's records of the year, grouped by kind; the requirement it proves, and a note."""

    record = forms.ChoiceField(label=_("Record"))
    requirement = _requirement_field()
    note = _note_field()

    def __init__(
        self,
        data: Any = None,
        *,
        requirements: Sequence[dict[str, Any]],
        records: Sequence[tuple[str, list[tuple[str, str]]]],
    ) -> None:
        super().__init__(data, prefix="link")
        self.fields["record"].choices = [("", "—"), *records]  # type: ignore[attr-defined]
        self.fields["requirement"].choices = requirement_choices(requirements)  # type: ignore[attr-defined]


class ReturnForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """Back to the unit: a general comment and one per item, at the assessment's version."""

    comment = _text_field(_("General comment"), rows=4)

    def __init__(self, data: Any = None, *, assessment: Assessment, items: Sequence[Item]) -> None:
        super().__init__(data, edited=assessment)
        self.items = items
        for item in items:
            field = _text_field(_("Item %(item)s") % {"item": item.number}, rows=2)
            field.widget.attrs["class"] = "form-control"
            within_limits(field)
            self.fields[self.item_field(item)] = field

    @staticmethod
    def item_field(item: Item) -> str:
        return f"item_{item.number}"

    def item_comments(self) -> dict[str, str]:
        return {item.number: self.cleaned_data.get(self.item_field(item), "") for item in self.items}

    def item_rows(self) -> list[tuple[Item, Any]]:
        return [(item, self[self.item_field(item)]) for item in self.items]


class ReopenForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """A correction after publication, with its reason, at the assessment's version."""

    reason = _text_field(_("Reason for reopening"), rows=3)

    def __init__(self, data: Any = None, *, assessment: Assessment) -> None:
        super().__init__(data, edited=assessment)


class HistoryFilterForm(forms.Form):
    """The history of one item, or of everything; a GET form, so that a link can point at an item's."""

    item = forms.ChoiceField(label=_("Item"), required=False)

    def __init__(self, data: Any, *, numbers: Sequence[str]) -> None:
        super().__init__(data)
        field = self.fields["item"]
        field.choices = [("", _("All items")), *((number, number) for number in numbers)]  # type: ignore[attr-defined]
        field.widget.attrs["class"] = "form-select"
