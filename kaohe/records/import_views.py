"""The import page of each kind of record, and its empty template."""

from __future__ import annotations

from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.forms import StyledFormMixin
from kaohe.limits import FileSizeValidator, import_file_max_bytes
from kaohe.records import importing
from kaohe.records.kinds import Cell, Column, kind_or_404
from kaohe.spreadsheets import ImportRefused, RowError, export_response, write_xlsx

# A file of 100,000 bad rows would make a page no browser can show; the count is always given in full.
MAX_ERRORS_SHOWN = 1000
# The same for rows skipped as already recorded: a file imported twice skips every one of its rows.
MAX_SKIPPED_SHOWN = 1000


class RecordsFileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Records file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[FileSizeValidator(import_file_max_bytes)],
    )


class ColumnGuide(NamedTuple):
    """A tuple, as the shared guide (templates/import_guide.html) unpacks each column."""

    heading: str
    required: bool
    how: str


@login_required
def import_records(request: HttpRequest, kind: str) -> HttpResponse:
    record_kind = kind_or_404(kind)
    scope = importing.import_scope(request.user)
    posted = request.method == "POST"
    form = RecordsFileForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[RowError] = []
    result, summary = None, ""
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = importing.import_file(request.user, record_kind, upload, upload.name, scope)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            summary = result.summary(upload.name)
            if not result.skipped:
                messages.success(request, summary)
                return redirect("records:list", kind=record_kind.slug)
            # Skipped rows are listed here, where the person can read which and why, rather than in a message.
            form = RecordsFileForm()
    context = {
        "kind": record_kind,
        "form": form,
        "errors": errors,
        "errors_shown": errors[:MAX_ERRORS_SHOWN],
        "result": result,
        "summary": summary,
        "skipped_shown": result.skipped[:MAX_SKIPPED_SHOWN] if result else [],
        "guide": [_guide(column) for column in record_kind.columns],
    }
    return render(request, "records/import.html", context)


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    record_kind = kind_or_404(kind)
    # Headings only, in row 1: a sheet to fill in, not a report (imports find the headings either way).
    content = write_xlsx(str(record_kind.label), record_kind.headings, [])
    name = _("%(kind)s import template") % {"kind": record_kind.label}
    return export_response(content, f"{name}.xlsx", ascii_filename=f"{record_kind.slug}-template.xlsx")


def _guide(column: Column) -> ColumnGuide:
    return ColumnGuide(column.heading, column.required, _how_to_fill(column))


def _how_to_fill(column: Column) -> str:
    if column.cell is Cell.UNIT:
        return _("The code of a unit in your system.")
    if column.cell is Cell.CHOICE:
        assert column.choices is not None  # noqa: S101 (for mypy: a choice column has choices)
        return _("One of %(choices)s.") % {"choices": "、".join(column.choices)}
    if column.cell is Cell.DATE:
        return _("A date, such as 2026-03-05.")
    if column.cell is Cell.INTEGER:
        return _("A whole number, 0 or more.")
    if column.cell is Cell.DECIMAL:
        return _("A number, 0 or more; commas may separate thousands.")
    if column.max_length is not None:
        return _("Text, at most %(max)s characters.") % {"max": column.max_length}
    return _("Text.")
