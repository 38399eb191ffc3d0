"""Lists, forms, exports and files of records. Access is decided in kaohe.access; changes in actions."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _

from kaohe.access import Do, SeeButNotChange, can, scope_root_or_404
from kaohe.forms import posted
from kaohe.organisations.models import Organisation
from kaohe.records import actions, exports, queries
from kaohe.records.forms import DuplicateConfirmationForm, FilterForm, RecordForm, model_field, record_form
from kaohe.records.kinds import KINDS, Cell, Column, RecordKind, kind_of, kind_or_404
from kaohe.records.models import Record
from kaohe.spreadsheets import export_response
from kaohe.versions import ConfirmForm, saved_or_current_shown

PER_PAGE = 50
SHOWN_CHARACTERS = 60  # of a long text in a list; the record's page shows it whole


@dataclass(frozen=True)
class Shown:
    """A value as a list shows it."""

    text: str | Promise  # headings stay lazy, so that they follow the language of the request
    css: str = ""


@dataclass(frozen=True)
class Row:
    record: Record
    cells: list[Shown]  # in column order, for the table
    may_edit: bool
    # Phones get a card instead of the wide table: the record's name in bold, then its other filled cells.
    title: str
    details: list[tuple[Shown, Shown]]
    # Where its buttons lead ("": no such button), worked out from one reversed address per list: a page of
    # fifty rows would otherwise resolve two hundred URLs in the template.
    edit_href: str = ""
    delete_href: str = ""
    file_href: str = ""

    # The table's cells and the card's details, escaped as the template would, in one piece each: a list of
    # fifty rows would otherwise render eight hundred template variables.
    @property
    def cells_html(self) -> str:
        return format_html_join("", '<td class="{}">{}</td>', ((cell.css, cell.text) for cell in self.cells))

    @property
    def details_html(self) -> str:
        return format_html_join(
            "",
            '<span class="d-inline-block me-3"><span class="text-secondary">{}</span> {}</span>',
            ((heading.text, cell.text) for heading, cell in self.details),
        )


@dataclass(frozen=True)
class RowLinks:
    """The addresses of a kind's record pages, with the record's id to fill in."""

    edit: str
    delete: str
    file: str

    @classmethod
    def of(cls, kind: RecordKind) -> RowLinks:
        marker = 999999999  # reversed once, then replaced by each record's id
        pages = ("edit", "delete", "file")
        addresses = (reverse(f"records:{page}", args=[kind.slug, marker]) for page in pages)
        return cls(*(address.replace(str(marker), "{pk}") for address in addresses))


def _row(kind: RecordKind, headings: list[Shown], record: Record, may_edit: bool, links: RowLinks) -> Row:
    cells = _cells(kind, record)
    title = _title_column(kind)
    details = [pair for index, pair in enumerate(zip(headings, cells, strict=True)) if index != title and pair[1].text]
    pk = record.pk
    return Row(
        record,
        cells,
        may_edit,
        str(cells[title].text),
        details,
        edit_href=links.edit.format(pk=pk) if may_edit else "",
        delete_href=links.delete.format(pk=pk) if may_edit else "",
        file_href=links.file.format(pk=pk) if getattr(record, "file", None) else "",
    )


def _title_column(kind: RecordKind) -> int:
    """Which of the kind's columns names a record: its first required text (a name, a title, a purpose)."""
    columns = queries.record_columns(kind)
    return next(index for index, column in enumerate(columns) if column.cell == Cell.TEXT and column.required)


def _column_css(column: Column) -> str:
    classes = ["text-end"] if column.cell in (Cell.INTEGER, Cell.DECIMAL) else []
    if column.cell != Cell.TEXT:
        classes.append("text-nowrap")  # short values that read badly broken over lines, like 2026-04-29
    if not column.required:
        classes.append("d-none d-lg-table-cell")  # optional details give way on narrow screens
    return " ".join(classes)


def _shown(column: Column, record: Record) -> Shown:
    value = getattr(record, column.field)
    if column.cell == Cell.CHOICE:
        labels = _choice_labels(type(record), column.field, translation.get_language())
        text = labels.get(value, value)
    elif value is None:
        text = ""
    elif column.cell == Cell.DATE:
        text = value.isoformat()
    elif column.cell == Cell.DECIMAL:
        text = f"{value:,}"
    else:
        text = str(value)
        if len(text) > SHOWN_CHARACTERS:
            text = Truncator(text).chars(SHOWN_CHARACTERS)
    return Shown(str(text), _column_css(column))


@functools.lru_cache(maxsize=128)
def _choice_labels(model: type[Record], field: str, language: str | None) -> dict[Any, str]:
    """A choice field's labels in the request's language, read once: as get_FOO_display() gives them, which
    builds the field's whole table of choices again for every cell."""
    return {value: str(label) for value, label in model._meta.get_field(field).flatchoices}  # type: ignore[union-attr]


def _cells(kind: RecordKind, record: Record) -> list[Shown]:
    return [_shown(column, record) for column in queries.record_columns(kind)]


def _headings(kind: RecordKind) -> list[Shown]:
    """The kind's own columns by their translated field names (files use the fixed Chinese headings)."""
    columns = queries.record_columns(kind)
    return [Shown(capfirst(model_field(kind, column.field).verbose_name), _column_css(column)) for column in columns]


def _filter_form(request: HttpRequest, kind: RecordKind, root: Organisation) -> FilterForm:
    return FilterForm(kind, FilterForm.data_for(request, root), user=request.user)


def _filtered(
    request: HttpRequest, kind: RecordKind, form: FilterForm, action: Do
) -> tuple[Organisation, QuerySet[Record]]:
    """The records the valid filter form asks for: its unit is one of the user's subtree (a name or code that
    matches none is the form's error, said on the page), by default the user's own."""
    unit = form.cleaned_data["unit"] or scope_root_or_404(request.user)
    if not can(request.user, action, unit):
        raise SeeButNotChange
    return unit, queries.filtered_records(kind, form.chosen(unit))


@login_required
def record_list(request: HttpRequest, kind: str) -> HttpResponse:
    record_kind = kind_or_404(kind)
    root = scope_root_or_404(request.user)
    form = _filter_form(request, record_kind, root)
    # Translated once here rather than once a row of the phones' cards.
    headings = [Shown(str(heading.text), heading.css) for heading in _headings(record_kind)]
    page, rows, unit, total = None, [], None, None
    if form.is_valid():
        unit, records = _filtered(request, record_kind, form, Do.VIEW)
        total = queries.total_of(record_kind, records)
        page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
        links = RowLinks.of(record_kind)
        rows = [
            _row(record_kind, headings, record, can(request.user, Do.EDIT, record.organisation), links)
            for record in page.object_list
        ]
    context = {
        "kind": record_kind,
        "kinds": KINDS.values(),
        "form": form,
        "unit": unit,
        "page": page,
        "rows": rows,
        "headings": headings,
        "total": total,
        "may_edit": can(request.user, Do.EDIT, root),
    }
    return render(request, "records/list.html", context)


@login_required
def record_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The filtered records in the import layout: edit them in Excel, or import them elsewhere."""
    record_kind = kind_or_404(kind)
    form = _filter_form(request, record_kind, scope_root_or_404(request.user))
    if not form.is_valid():
        messages.error(request, _("Correct the filter before exporting."))
        return redirect(_list_url(record_kind, request.GET.urlencode()))
    unit, records = _filtered(request, record_kind, form, Do.EXPORT)
    chosen = form.chosen(unit)
    name, ascii_name = exports.file_names(record_kind, chosen)
    return export_response(exports.records_workbook(record_kind, chosen, records), name, ascii_filename=ascii_name)


def _list_url(kind: RecordKind, query: str = "") -> str:
    url = reverse("records:list", args=[kind.slug])
    return f"{url}?{query}" if query else url


@login_required
def record_create(request: HttpRequest, kind: str) -> HttpResponse:
    record_kind = kind_or_404(kind)
    if not can(request.user, Do.EDIT, scope_root_or_404(request.user)):
        raise SeeButNotChange
    form = record_form(record_kind, request.user, posted(request), request.FILES or None)
    confirmation = DuplicateConfirmationForm(posted(request))
    duplicate = None
    if request.method == "POST" and form.is_valid():
        record, duplicate = _saved_unless_duplicate(
            form,
            lambda anyway: actions.create_record(
                request.user, record_kind, *_unit_and_values(form), allow_duplicate=anyway
            ),
            confirmation,
        )
        if record is not None:
            messages.success(request, _("%(record)s was added.") % {"record": record})
            return redirect(_list_url(record_kind))
    context = {"kind": record_kind, "form": form, "record": None}
    return render(request, "records/form.html", context | _duplicate_context(request, duplicate, confirmation))


@login_required
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = kind_or_404(kind)
    record = queries.record_or_404(request.user, record_kind, pk, Do.EDIT)
    form = record_form(record_kind, request.user, posted(request), request.FILES or None, record=record)
    confirmation = DuplicateConfirmationForm(posted(request))
    duplicate = None
    if request.method == "POST" and form.is_valid():
        unit, values = _unit_and_values(form)
        saved, duplicate = _saved_unless_duplicate(
            form,
            lambda anyway: actions.update_record(
                request.user,
                record,
                {"organisation": unit, **values},
                allow_duplicate=anyway,
                read_version=form.read_version,
            ),
            confirmation,
        )
        if saved is not None:
            messages.success(request, _("%(record)s was saved.") % {"record": saved})
            return redirect(_list_url(record_kind))
    stored = _stored_file(record)
    context = {
        "kind": record_kind,
        "form": form,
        "record": record,
        "file_name": os.path.basename(stored.name) if stored else "",
    }
    return render(request, "records/form.html", context | _duplicate_context(request, duplicate, confirmation))


def _saved_unless_duplicate(
    form: RecordForm, save: Callable[[bool], Record], confirmation: DuplicateConfirmationForm
) -> tuple[Record | None, Record | None]:
    """(the saved record, None), or (None, the identical record) until the person ticks "anyway"."""
    try:
        return saved_or_current_shown(form, lambda: save(confirmation.confirmed())), None
    except actions.DuplicateRecord as duplicate:
        return None, duplicate.existing


def _duplicate_context(
    request: HttpRequest, duplicate: Record | None, confirmation: DuplicateConfirmationForm
) -> dict[str, Any]:
    if duplicate is None:
        return {}
    return {
        "duplicate": duplicate,
        "duplicate_named": _named(kind_of(duplicate), duplicate),
        "confirmation": confirmation,
        # A browser never fills a file input again: the person must choose the file once more.
        "choose_file_again": bool(request.FILES),
    }


def _named(kind: RecordKind, record: Record) -> str:
    """A record as a person recognises it: its date, if the kind has one, and its name or title."""
    title = str(getattr(record, queries.record_columns(kind)[_title_column(kind)].field))
    date = getattr(record, kind.date_field) if kind.date_field else None
    return f"{date.isoformat()} {title}" if date else title


def _unit_and_values(form: RecordForm) -> tuple[Organisation, dict[str, Any]]:
    return form.cleaned_data["unit"], form.values()


@login_required
def record_delete(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    record_kind = kind_or_404(kind)
    record = queries.record_or_404(request.user, record_kind, pk, Do.EDIT)
    form = ConfirmForm(posted(request), edited=record)
    if request.method == "POST" and form.is_valid():
        deleted = saved_or_current_shown(
            form, lambda: actions.delete_record(request.user, record, read_version=form.read_version)
        )
        if deleted is not None:
            messages.success(request, _("%(record)s was deleted.") % {"record": deleted})
            return redirect(_list_url(record_kind))
    cells = zip(_headings(record_kind), _cells(record_kind, record), strict=True)
    context = {"kind": record_kind, "record": record, "cells": cells, "form": form}
    return render(request, "records/delete.html", context)


@login_required
def record_file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """A document's file, served only after the access check: stored files are never public."""
    stored = queries.attached_file_or_404(request.user, kind_or_404(kind), pk)
    # An attachment, never shown inline: an uploaded HTML file must not run as a page of the site.
    return FileResponse(stored.open("rb"), as_attachment=True, filename=os.path.basename(stored.name))


def _stored_file(record: Record | None) -> Any:
    """A document's file (empty if none was attached); None for the kinds without files."""
    return getattr(record, "file", None)
