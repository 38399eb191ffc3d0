"""The records list as a report to hand on: the filtered records in the import layout, so that the file also
imports back, with the unit's name beside its code and a title saying what the file holds."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kaohe.organisations.importing import NAME as UNIT_NAME
from kaohe.records.forms import model_field
from kaohe.records.kinds import Cell, Column, RecordKind, file_name_of
from kaohe.records.models import Record
from kaohe.records.queries import RecordFilter
from kaohe.spreadsheets import ExportColumn, Format, report_title, with_units_under, write_report

# The amounts that are money: their heading says 元 (imports read 金额（元） as 金额). A station's area is not.
MONEY_COLUMNS = {("funds", "amount")}
FORMAT_OF_CELL = {
    Cell.UNIT: Format.CODE,
    Cell.INTEGER: Format.COUNT,
    Cell.DECIMAL: Format.DECIMAL,
    Cell.DATE: Format.DATE,
}


def records_workbook(kind: RecordKind, chosen: RecordFilter, records: QuerySet[Record]) -> bytes:
    return write_report(title(kind, chosen), columns(kind), rows(kind, records), sheet_name=str(kind.label))


def columns(kind: RecordKind) -> list[ExportColumn]:
    """The kind's file columns, and 单位名称 after 单位编码 for people (imports ignore it)."""
    exported = []
    for column in kind.columns:
        exported.append(_export_column(kind, column))
        if column.cell is Cell.UNIT:
            exported.append(ExportColumn(UNIT_NAME, width=30))
    return exported


def _export_column(kind: RecordKind, column: Column) -> ExportColumn:
    if (kind.slug, column.field) in MONEY_COLUMNS:
        return ExportColumn(f"{column.heading}（元）", Format.MONEY)
    return ExportColumn(column.heading, FORMAT_OF_CELL.get(column.cell, Format.TEXT))


def rows(kind: RecordKind, records: QuerySet[Record]) -> Iterator[list[Any]]:
    """Read in chunks, so that a hundred thousand records stay cheap."""
    for record in records.iterator(chunk_size=2000):
        row = []
        for column in kind.columns:
            row.append(_value(column, record))
            if column.cell is Cell.UNIT:
                row.append(record.organisation.name)
        yield row


def _value(column: Column, record: Record) -> Any:
    if column.cell is Cell.UNIT:
        return record.organisation.code
    value = getattr(record, column.field)
    if column.cell is Cell.CHOICE:
        return file_name_of(column, value)
    return value  # dates, numbers and text as themselves, so that Excel sorts and sums them


def title(kind: RecordKind, chosen: RecordFilter) -> str:
    """活动 · 大讲堂 · 城关街道总工会（含下级） · 2026-01-01 至 2026-12-31: what the filter chose."""
    parts = [str(kind.label)]
    if kind.category_field and chosen.category:
        choices = dict(model_field(kind, kind.category_field).flatchoices)
        parts.append(str(choices.get(chosen.category, chosen.category)))
    parts.append(with_units_under(chosen.unit.name) if chosen.subtree else chosen.unit.name)
    if kind.date_field:
        parts.append(_period(chosen.date_from, chosen.date_to))
    return report_title(*parts)


def _period(start: datetime.date | None, end: datetime.date | None) -> str:
    if start and end:
        return _("%(start)s to %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    if start:
        return _("from %(start)s") % {"start": start.isoformat()}
    if end:
        return _("until %(end)s") % {"end": end.isoformat()}
    return _("all dates")


def file_names(kind: RecordKind, chosen: RecordFilter) -> tuple[str, str]:
    """活动-YX-S1-2026.xlsx, and activities-YX-S1-2026.xlsx for browsers that only keep ASCII names."""
    period = _file_period(chosen.date_from, chosen.date_to) if kind.date_field else ""
    stem = f"{chosen.unit.code}{period}.xlsx"
    return f"{kind.label}-{stem}", f"{kind.slug}-{stem}"


def _file_period(start: datetime.date | None, end: datetime.date | None) -> str:
    """-2026 for a whole calendar year, else the dates (either may be open): -2026-01-01_2026-06-30."""
    if start and end and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return f"-{start.year}"
    if start or end:
        return f"-{start.isoformat() if start else ''}_{end.isoformat() if end else ''}"
    return ""
