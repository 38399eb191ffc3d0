"""Read-side queries of records: what a list or an export shows, at a fixed number of SQL queries."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from kaohe.organisations.models import Organisation
from kaohe.records.kinds import Cell, Column, RecordKind, file_name_of
from kaohe.records.models import Record


@dataclass(frozen=True)
class RecordFilter:
    """What a list or an export is narrowed to; the unit has passed the access check already."""

    unit: Organisation
    subtree: bool = True
    category: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def filtered_records(kind: RecordKind, chosen: RecordFilter) -> QuerySet[Record]:
    """Newest first (the model's ordering); the caller pages or iterates."""
    records = kind.model._default_manager.select_related("organisation")
    if chosen.subtree:
        # A subquery rather than a list of ids: one statement however large the district, and the
        # database can walk the (organisation, -date) index unit by unit.
        units = Organisation.objects.subtree_of(chosen.unit).values("pk")
        records = records.filter(organisation_id__in=units)
    else:
        records = records.filter(organisation=chosen.unit)
    if chosen.category and kind.category_field:
        records = records.filter(**{kind.category_field: chosen.category})
    if kind.date_field and chosen.date_from:
        records = records.filter(**{f"{kind.date_field}__gte": chosen.date_from})
    if kind.date_field and chosen.date_to:
        records = records.filter(**{f"{kind.date_field}__lte": chosen.date_to})
    return records


def record_columns(kind: RecordKind) -> list[Column]:
    """The kind's own columns, without the unit (shown by name, not by code, on pages)."""
    return [column for column in kind.columns if column.cell != Cell.UNIT]


def export_rows(kind: RecordKind, records: QuerySet[Record]) -> Iterator[list[Any]]:
    """Rows in the import layout, read in chunks so that tens of thousands of rows stay cheap."""
    for record in records.iterator(chunk_size=2000):
        yield [_export_value(column, record) for column in kind.columns]


def _export_value(column: Column, record: Record) -> Any:
    if column.cell == Cell.UNIT:
        return record.organisation.code
    value = getattr(record, column.field)
    if column.cell == Cell.CHOICE:
        return file_name_of(column, value)
    return value  # dates, numbers and text as themselves, so that Excel sorts and sums them
