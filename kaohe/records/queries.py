"""Read-side queries of records: what a list or an export shows, at a fixed number of SQL queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, IntegerField, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.urls import reverse

from kaohe.access import Do, SeeButNotChange, can, visible_organisations
from kaohe.organisations.models import Organisation
from kaohe.records.actions import editable_fields
from kaohe.records.kinds import KINDS, Cell, Column, RecordKind
from kaohe.records.models import Record

# What a list adds up beside its count, so that a figure's drill-down shows the figure: the participants of
# activities (person-times), the amounts of funds.
TOTALLED = {"activities": "participants", "funds": "amount"}


@dataclass(frozen=True)
class RecordFilter:
    """What a list or an export is narrowed to; the unit has passed the access check already."""

    unit: Organisation
    subtree: bool = True
    active_only: bool = False  # only units still active, as figures count them
    category: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def filtered_records(kind: RecordKind, chosen: RecordFilter) -> QuerySet[Record]:
    """Newest first (the model's ordering); the caller pages or iterates."""
    records = kind.model._default_manager.select_related("organisation")
    if chosen.subtree:
        # A subquery rather than a list of ids: one statement however large the district, and the
        # database can walk the (organisation, -date) index unit by unit.
        units = Organisation.objects.subtree_of(chosen.unit)
        if chosen.active_only:
            units = units.filter(is_active=True)
        records = records.filter(organisation_id__in=units.values("pk"))
    else:
        records = records.filter(organisation=chosen.unit)
    if chosen.category and kind.category_field:
        records = records.filter(**{kind.category_field: chosen.category})
    if kind.date_field and chosen.date_from:
        records = records.filter(**{f"{kind.date_field}__gte": chosen.date_from})
    if kind.date_field and chosen.date_to:
        records = records.filter(**{f"{kind.date_field}__lte": chosen.date_to})
    return records


def record_or_404(user: Any, kind: RecordKind, pk: int, action: Do) -> Record:
    """The record if it belongs to a unit the user sees (else 404) and the user may do the action (else 403)."""
    record = (
        kind.model._default_manager.select_related("organisation")
        .filter(pk=pk, organisation_id__in=visible_organisations(user).values("pk"))
        .first()
    )
    if record is None:
        raise Http404
    if not can(user, action, record.organisation):
        raise SeeButNotChange
    return record


def attached_file_or_404(user: Any, kind: RecordKind, pk: int) -> Any:
    """A document's stored file if the user sees its record; else 404, as for a record without a file (or a
    kind without files): stored files are never public."""
    if "file" not in editable_fields(kind):
        raise Http404
    stored = getattr(record_or_404(user, kind, pk, Do.VIEW), "file", None)
    if not stored or not stored.storage.exists(stored.name):
        raise Http404
    return stored


def total_of(kind: RecordKind, records: QuerySet[Record]) -> Any:
    """The sum a list shows beside its count (one query), or None for kinds that add nothing up."""
    field = TOTALLED.get(kind.slug)
    if field is None:
        return None
    return records.order_by().aggregate(total=Sum(field))["total"] or 0


def has_records_in(unit: Organisation, start: datetime.date, end: datetime.date) -> bool:
    """Whether the unit or any unit under it has a dated record in these dates: one query for every kind."""
    units = Organisation.objects.subtree_of(unit).values("pk")
    any_recorded = Q()
    for kind in KINDS.values():
        if kind.date_field:
            dated = {"organisation_id__in": units, f"{kind.date_field}__range": (start, end)}
            any_recorded |= Q(Exists(kind.model._default_manager.filter(**dated)))
    return Organisation.objects.filter(pk=unit.pk).filter(any_recorded).exists()


def record_columns(kind: RecordKind) -> list[Column]:
    """The kind's own columns, without the unit (shown by name, not by code, on pages)."""
    return [column for column in kind.columns if column.cell != Cell.UNIT]


@dataclass(frozen=True)
class KindCount:
    kind: RecordKind
    count: int
    list_href: str  # the unit's own records of this kind (in the year, for dated kinds)


def own_record_counts(unit: Organisation, year_start: datetime.date, year_end: datetime.date) -> list[KindCount]:
    """How many records of each kind the unit keeps itself, dated kinds in these dates: one query."""
    counts = {
        kind.slug: Subquery(_counted(kind, unit, year_start, year_end), output_field=IntegerField())
        for kind in KINDS.values()
    }
    found = Organisation.objects.filter(pk=unit.pk).annotate(**counts).values(*counts).get()
    return [
        KindCount(kind, found[kind.slug] or 0, _own_list_href(kind, unit, year_start, year_end))
        for kind in KINDS.values()
    ]


def _counted(kind: RecordKind, unit: Organisation, start: datetime.date, end: datetime.date) -> QuerySet[Record]:
    records = kind.model._default_manager.filter(organisation_id=unit.pk)
    if kind.date_field:
        records = records.filter(**{f"{kind.date_field}__range": (start, end)})
    return records.order_by().values("organisation_id").annotate(count=Count("pk")).values("count")


def _own_list_href(kind: RecordKind, unit: Organisation, start: datetime.date, end: datetime.date) -> str:
    query = {"unit": unit.code}
    if kind.date_field:
        query.update(date_from=start.isoformat(), date_to=end.isoformat())
    return f"{reverse('records:list', args=[kind.slug])}?{urlencode(query)}"
