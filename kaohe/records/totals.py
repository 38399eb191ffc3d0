"""What each unit's own records of a year add up to, kept in one row per unit and year (`YearTotals`).

The figures (kaohe.figures.compute) read these rows instead of grouping a district's million activities
on every page: a unit's page sums the rows of its subtree, the overview reads one row per unit. They hold
exactly what the figures count of the unit's own records in the calendar year: lecture-hall activities and
their participants, trainings and the three kinds of meeting, education funds (in fen, so that sums stay
exact on every database) and honours by level. Which units add up into whose figures is not kept here: the
tree is read as it is when the figures are asked for, so moving or deactivating a unit changes no row.

The rows are kept true by the records themselves, in the transaction that writes them, whoever writes:
`Record.save()` and `delete()` and the records' `bulk_create`, `update` and `delete` (models.py) hand the
change to `replace`, `add_records` or `add_query` here. The actions and the imports write through
those, and so do the demo commands and tests. Only plain SQL passes them by: the bench's million
activities, and the migration that creates the rows, which therefore call `rebuild`. `differences` says
whether the rows agree with the records (`kaohe totals`; `kaohe totals --rebuild` makes them again).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Count, Max, Min, QuerySet, Sum

from kaohe.records.models import (
    Activity,
    ActivityCategory,
    EducationFund,
    Honour,
    HonourLevel,
    Record,
    YearTotals,
)

# The activity categories the figures count, each with its column; lectures also sum their participants.
ACTIVITY_COLUMNS: dict[str, str] = {
    ActivityCategory.LECTURE: "lectures",
    ActivityCategory.TRAINING: "trainings",
    ActivityCategory.LEADING_GROUP_MEETING: "leading_group_meetings",
    ActivityCategory.OFFICE_MEETING: "office_meetings",
    ActivityCategory.EXCHANGE_MEETING: "exchange_meetings",
}
HONOUR_COLUMNS: dict[str, str] = {
    HonourLevel.DISTRICT: "honours_district",
    HonourLevel.MUNICIPAL: "honours_municipal",
    HonourLevel.NATIONAL: "honours_national",
}
COLUMNS = (*ACTIVITY_COLUMNS.values(), "participants", "funds_fen", *HONOUR_COLUMNS.values())
# The fields of each kind that decide what its records add (the unit and the date decide where).
COUNTED_FIELDS: dict[type[Record], frozenset[str]] = {
    Activity: frozenset({"organisation", "organisation_id", "date", "category", "participants"}),
    EducationFund: frozenset({"organisation", "organisation_id", "date", "amount"}),
    Honour: frozenset({"organisation", "organisation_id", "date", "level"}),
}
FEN = Decimal("0.01")

Key = tuple[int, int]  # (unit id, year)
Amounts = dict[str, int]  # column → what is added to it


def counts(model: type[Any]) -> bool:
    return model in COUNTED_FIELDS


def changes_counted_fields(model: type[Any], fields: Iterable[str]) -> bool:
    return counts(model) and not COUNTED_FIELDS[model].isdisjoint(fields)


def fen(amount: Decimal | int | float | None) -> int:
    """Yuan as whole fen; an amount is stored with two places, a sum on SQLite may come back as a float."""
    return int(Decimal(str(amount or 0)).quantize(FEN).scaleb(2))


def yuan(fen_amount: int) -> Decimal:
    """Whole fen back as yuan with two places (none at all: a plain 0, as a sum of no records)."""
    return Decimal(fen_amount).scaleb(-2) if fen_amount else Decimal(0)


# What one record adds -------------------------------------------------------------------------------------


def contribution(record: Any) -> tuple[Key, Amounts] | None:
    """Where a record counts and what it adds there; None for records no figure counts."""
    values = {name: getattr(record, name) for name in _read_fields(type(record))}
    return _contribution_of(type(record), values)


def _read_fields(model: type[Any]) -> list[str]:
    return sorted(name for name in COUNTED_FIELDS[model] if name != "organisation")


def _contribution_of(model: type[Any], values: Mapping[str, Any]) -> tuple[Key, Amounts] | None:
    day = values["date"]
    if isinstance(day, str):  # a record built by hand (the bench) may carry its date as text
        day = datetime.date.fromisoformat(day)
    if day is None or values["organisation_id"] is None:
        return None
    key = (int(values["organisation_id"]), day.year)
    if model is Activity:
        column = ACTIVITY_COLUMNS.get(values["category"])
        if column is None:
            return None
        added = {column: 1}
        if column == "lectures":
            added["participants"] = int(values["participants"] or 0)
        return key, added
    if model is EducationFund:
        return key, {"funds_fen": fen(values["amount"])}
    column = HONOUR_COLUMNS.get(values["level"])
    return (key, {column: 1}) if column else None


def stored_contribution(record: Any) -> tuple[Key, Amounts] | None:
    """What the record as stored adds (its row locked until the transaction ends); None if not stored."""
    if record.pk is None:
        return None
    model = type(record)
    fields = _read_fields(model)
    stored = model._base_manager.select_for_update().filter(pk=record.pk).values(*fields).first()
    return _contribution_of(model, stored) if stored else None


# Keeping the rows -----------------------------------------------------------------------------------------


def replace(before: tuple[Key, Amounts] | None, after: tuple[Key, Amounts] | None, using: str) -> None:
    """One record changed from `before` to `after` (None: not there): its rows move by the difference."""
    if before == after:
        return  # a note or a name edited: nothing the figures count
    change: dict[Key, Amounts] = defaultdict(dict)
    for sign, counted in ((-1, before), (1, after)):
        if counted is not None:
            key, amounts = counted
            for column, amount in amounts.items():
                change[key][column] = change[key].get(column, 0) + sign * amount
    add(change, using)


def add_records(model: type[Any], records: Iterable[Any], using: str, sign: int = 1) -> None:
    """Records just written (or, with sign -1, about to go), as model instances."""
    change: dict[Key, Amounts] = defaultdict(dict)
    for record in records:
        counted = contribution(record)
        if counted is not None:
            key, amounts = counted
            for column, amount in amounts.items():
                change[key][column] = change[key].get(column, 0) + sign * amount
    add(change, using)


def add_query(records: QuerySet[Any], sign: int = 1) -> None:
    """What the records of a query add, grouped by the database (or taken away, with sign -1)."""
    add({key: {c: sign * a for c, a in amounts.items()} for key, amounts in _grouped(records).items()}, records.db)


def add(change: Mapping[Key, Amounts], using: str) -> None:
    """Adds each amount to its unit's and year's row, making the row if there is none: one statement for any
    number of rows, an upsert, so that writers adding to the same row at once both count (PostgreSQL locks
    the row; SQLite writers take turns). Rows in a fixed order, so that two writers never wait on each other."""
    rows = [
        (pk, year, *(amounts.get(column, 0) for column in COLUMNS))
        for (pk, year), amounts in sorted(change.items())
        if any(amounts.values())
    ]
    if not rows:
        return
    with connections[using].cursor() as cursor:
        cursor.executemany(_upsert_sql(connections[using]), rows)


def _upsert_sql(connection: Any) -> str:
    quote = connection.ops.quote_name
    table = quote(YearTotals._meta.db_table)
    names = ["organisation_id", "year", *COLUMNS]
    columns = ", ".join(quote(name) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    sums = ", ".join(f"{quote(c)} = {table}.{quote(c)} + excluded.{quote(c)}" for c in COLUMNS)
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608 (names from the model, quoted)
        f"ON CONFLICT ({quote('organisation_id')}, {quote('year')}) DO UPDATE SET {sums}"
    )


# From the records themselves ------------------------------------------------------------------------------


def from_records(units: Any = None, models: Mapping[str, Any] | None = None) -> dict[Key, Amounts]:
    """What the rows should hold, grouped from the records (of `units`, ids or a subquery; None: all),
    a year at a time so that every query is a date range of an index. `models` are the migration's."""
    kinds = models or {"activity": Activity, "educationfund": EducationFund, "honour": Honour}
    totals: dict[Key, Amounts] = defaultdict(dict)
    for name, model in kinds.items():
        records = model._base_manager.all()
        if units is not None:
            records = records.filter(organisation_id__in=units)
        for key, amounts in _grouped(records, kind=name).items():
            for column, amount in amounts.items():
                totals[key][column] = totals[key].get(column, 0) + amount
    return {key: amounts for key, amounts in totals.items() if any(amounts.values())}


def _grouped(records: QuerySet[Any], kind: str | None = None) -> dict[Key, Amounts]:
    """The records' amounts by unit and year, grouped by the database a year at a time."""
    kind = kind or records.model._meta.model_name
    records = records.order_by()
    totals: dict[Key, Amounts] = defaultdict(dict)
    span = records.aggregate(first=Min("date"), last=Max("date"))
    if span["first"] is None:
        return totals
    for year in range(_year(span["first"]), _year(span["last"]) + 1):
        in_year = records.filter(date__range=(datetime.date(year, 1, 1), datetime.date(year, 12, 31)))
        for pk, column, amount in _year_rows(kind, in_year):
            totals[(pk, year)][column] = totals[(pk, year)].get(column, 0) + amount
    return totals


def _year(day: datetime.date | str) -> int:
    return day.year if isinstance(day, datetime.date) else datetime.date.fromisoformat(str(day)[:10]).year


def _year_rows(kind: str, records: QuerySet[Any]) -> Iterable[tuple[int, str, int]]:
    """(unit id, column, amount) of one year's records of one kind."""
    if kind == "activity":
        grouped = (
            records.filter(category__in=list(ACTIVITY_COLUMNS))
            .values_list("organisation_id", "category")
            .annotate(count=Count("pk"), participants=Sum("participants"))
        )
        for pk, category, count, participants in grouped:
            yield pk, ACTIVITY_COLUMNS[category], count
            if category == ActivityCategory.LECTURE:
                yield pk, "participants", participants or 0
    elif kind == "educationfund":
        # Summed per record in fen: a sum of a unit's amounts on SQLite is a float, each amount is exact.
        for pk, amount in records.values_list("organisation_id", "amount"):
            yield pk, "funds_fen", fen(amount)
    else:
        grouped = records.filter(level__in=list(HONOUR_COLUMNS)).values_list("organisation_id", "level")
        for pk, level, count in grouped.annotate(count=Count("pk")):
            yield pk, HONOUR_COLUMNS[level], count


def stored(units: Any = None, totals_model: Any = YearTotals) -> dict[Key, Amounts]:
    """The rows as kept (of `units`, ids or a subquery; None: all), rows of nothing left out."""
    rows = totals_model._base_manager.all()
    if units is not None:
        rows = rows.filter(organisation_id__in=units)
    found = {}
    for pk, year, *amounts in rows.values_list("organisation_id", "year", *COLUMNS):
        kept = {column: amount for column, amount in zip(COLUMNS, amounts, strict=True) if amount}
        if kept:
            found[(pk, year)] = kept
    return found


def _nonzero(amounts: Amounts) -> Amounts:
    return {column: amount for column, amount in amounts.items() if amount}


def differences(units: Any = None) -> dict[Key, tuple[Amounts, Amounts]]:
    """(kept, from the records) for every unit and year where the rows do not hold what the records add."""
    kept, expected = stored(units), {key: _nonzero(a) for key, a in from_records(units).items()}
    return {
        key: (kept.get(key, {}), expected.get(key, {}))
        for key in kept.keys() | expected.keys()
        if kept.get(key, {}) != expected.get(key, {})
    }


def rebuild(units: Any = None, models: Mapping[str, Any] | None = None, totals_model: Any = YearTotals) -> int:
    """Makes the rows again from the records (of `units`; None: all): after plain SQL wrote records.
    Returns how many rows it wrote."""
    using = router.db_for_write(totals_model)
    with transaction.atomic(using=using):
        rows = totals_model._base_manager.all()
        if units is not None:
            rows = rows.filter(organisation_id__in=units)
        rows.delete()
        totals = from_records(units, models)
        totals_model._base_manager.bulk_create(
            (totals_model(organisation_id=pk, year=year, **amounts) for (pk, year), amounts in totals.items()),
            batch_size=2000,
        )
    return len(totals)
