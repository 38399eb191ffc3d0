"""Every figure the standard counts, computed from the records (READING.md, "What can be counted").

`compute_figures(units, year, standard)` is the one function that turns records into figures, for one unit
or thirty thousand: a fixed number of grouped database queries over the units' subtrees, then a roll-up of
those per-unit totals up the tree. It never loops over records in Python.

Counting follows READING.md: lecture-hall activities and their participants count the unit's whole subtree
(for a direct or grassroots unit, that is the unit itself); meetings, trainings, funds and honours count the
unit's own records; dates are inclusive over the calendar year; participation is person-times over the
members of the same subtree, and a subtree with no members has no rate.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kaohe.organisations.models import Category, Organisation
from kaohe.records.models import Activity, ActivityCategory, EducationFund, Honour, HonourLevel
from kaohe.standard.document import Rule, StandardDocument
from kaohe.standard.models import Standard

OWN_ACTIVITY_COUNTS = {
    "training_count": ActivityCategory.TRAINING,
    "leading_group_meetings": ActivityCategory.LEADING_GROUP_MEETING,
    "office_meetings": ActivityCategory.OFFICE_MEETING,
    "exchange_meetings": ActivityCategory.EXCHANGE_MEETING,
}
HONOUR_COUNTS = {
    "honours_district": HonourLevel.DISTRICT,
    "honours_municipal": HonourLevel.MUNICIPAL,
    "honours_national": HonourLevel.NATIONAL,
}
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Figure:
    key: str
    item: str  # the standard's item whose rule asks for it, e.g. "6.1"
    value: int | Decimal | None  # a count, an amount in yuan, or a rate (0.8 = 80 %); None: no rate
    target: int | Decimal | None  # None where the standard sets none
    met: bool | None  # None where there is no target, or no rate to compare

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "item": self.item,
            "value": _plain(self.value),
            "target": _plain(self.target),
            "met": self.met,
        }


@dataclass
class Totals:
    """A unit's own records of the year."""

    activities: dict[str, int] = field(default_factory=dict)
    funds: Decimal = Decimal(0)
    honours: dict[str, int] = field(default_factory=dict)


@dataclass
class Subtree:
    """What the unit and every active unit under it add up to."""

    lectures: int = 0
    participants: int = 0  # of those lectures, person-times
    members: int = 0
    grassroots_units: int = 0  # under the unit, itself excluded


def standard_for_year(year: int) -> Standard | None:
    """The version the year's cycle runs on; before any cycle exists, the most recently loaded one."""
    from kaohe.assessments.models import Cycle

    cycle = Cycle.objects.filter(year=year).select_related("standard").first()
    return cycle.standard if cycle else Standard.objects.order_by("-loaded_at", "-version").first()


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def compute_figures(units: Sequence[Organisation], year: int, standard: StandardDocument) -> dict[int, list[Figure]]:
    """Figures of each unit (by id) for the rules of its tier: five queries, whatever the number of units.

    One unit (its page) sums its own subtree directly; several units share one grouping of the year's
    lectures by unit, added up the tree, so that every unit of a district costs no more than one.
    """
    if not units:
        return {}
    in_scope = Organisation.objects.filter(path__startswith=_common_ancestor_path(units), is_active=True)
    own = _own_totals([unit.pk for unit in units], in_scope, year)
    if len(units) == 1:
        subtrees = {units[0].code: _subtree_totals(units[0], year)}
    else:
        subtrees = _rolled_up_subtree_totals(in_scope, year)
    return {unit.pk: _figures_of(unit, own, subtrees, standard) for unit in units}


def rules_for(unit: Organisation, standard: StandardDocument) -> list[tuple[str, Rule]]:
    """(item number, rule) of the column the unit is assessed against: grassroots units use the standard's."""
    column = standard.grassroots_column if unit.tier == "grassroots" else str(unit.tier)
    return [(item.number, rule) for item in standard.items for rule in item.rules if rule.tier == column]


def _common_ancestor_path(units: Iterable[Organisation]) -> str:
    """The path of the deepest unit whose subtree holds all of them ("/" if they span several trees).

    One prefix match instead of one per unit: a database chokes on thousands of OR-ed conditions.
    """
    segments = [unit.path.strip("/").split("/") for unit in units]
    shared = []
    for level in zip(*segments, strict=False):
        if len(set(level)) > 1:
            break
        shared.append(level[0])
    return "/" + "".join(f"{code}/" for code in shared)


def _year_lectures(year: int) -> QuerySet[Activity]:
    return Activity.objects.filter(category=ActivityCategory.LECTURE, date__range=year_range(year))


def _own_totals(unit_ids: list[int], in_scope: QuerySet[Organisation], year: int) -> dict[int, Totals]:
    """The units' own records of the year, grouped in the database: three queries."""
    start, end = year_range(year)
    # Thousands of ids would pass a database's parameter limit; so many units are most of the scope anyway.
    wanted: Any = unit_ids if len(unit_ids) <= 500 else in_scope.values("pk")
    totals: dict[int, Totals] = defaultdict(Totals)
    activity_rows = (
        Activity.objects.filter(date__range=(start, end), organisation_id__in=wanted)
        .values("organisation_id", "category")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in activity_rows:
        totals[row["organisation_id"]].activities[row["category"]] = row["count"]
    fund_rows = (
        EducationFund.objects.filter(date__range=(start, end), organisation_id__in=wanted)
        .values("organisation_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in fund_rows:
        totals[row["organisation_id"]].funds = row["amount"] or Decimal(0)
    honour_rows = (
        Honour.objects.filter(date__range=(start, end), organisation_id__in=wanted)
        .values("organisation_id", "level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in honour_rows:
        totals[row["organisation_id"]].honours[row["level"]] = row["count"]
    return totals


def _subtree_totals(unit: Organisation, year: int) -> Subtree:
    """One unit's subtree: lectures and participants, members, grassroots units under it (two queries)."""
    units = Organisation.objects.subtree_of(unit).filter(is_active=True)
    lectures = _year_lectures(year).filter(organisation_id__in=units.values("pk"))
    counted = lectures.aggregate(lectures=Count("pk"), participants=Sum("participants"))
    sized = units.aggregate(
        members=Sum("members"), grassroots=Count("pk", filter=Q(category=Category.GRASSROOTS) & ~Q(pk=unit.pk))
    )
    return Subtree(counted["lectures"], counted["participants"] or 0, sized["members"] or 0, sized["grassroots"])


def _rolled_up_subtree_totals(in_scope: QuerySet[Organisation], year: int) -> dict[str, Subtree]:
    """Every unit's subtree at once: lectures grouped by unit, then added up the tree (two queries)."""
    lecture_rows = (
        _year_lectures(year)
        .filter(organisation_id__in=in_scope.values("pk"))
        .values("organisation_id")
        .annotate(lectures=Count("pk"), participants=Sum("participants"))
        .order_by()
    )
    lectures = {row["organisation_id"]: (row["lectures"], row["participants"] or 0) for row in lecture_rows}
    rolled: dict[str, Subtree] = defaultdict(Subtree)
    for pk, code, path, members, category in in_scope.values_list("pk", "code", "path", "members", "category"):
        count, participants = lectures.get(pk, (0, 0))
        for above in path.strip("/").split("/"):  # the unit itself and each unit above it
            subtree = rolled[above]
            subtree.lectures += count
            subtree.participants += participants
            subtree.members += members
            subtree.grassroots_units += category == Category.GRASSROOTS and above != code
    return rolled


def _figures_of(
    unit: Organisation, own: dict[int, Totals], subtrees: dict[str, Subtree], standard: StandardDocument
) -> list[Figure]:
    mine = own.get(unit.pk) or Totals()
    subtree = subtrees.get(unit.code) or Subtree()
    figures = []
    for item_number, rule in rules_for(unit, standard):
        value = _value(rule.indicator, mine, subtree)
        target, met = _judge(rule, value, subtree.grassroots_units)
        figures.append(Figure(rule.indicator, item_number, _shown(value), target, met))
    return figures


def _value(indicator: str, mine: Totals, subtree: Subtree) -> int | Decimal | Fraction | None:
    if indicator in OWN_ACTIVITY_COUNTS:
        return mine.activities.get(OWN_ACTIVITY_COUNTS[indicator], 0)
    if indicator in HONOUR_COUNTS:
        return mine.honours.get(HONOUR_COUNTS[indicator], 0)
    if indicator == "lecture_count":
        return subtree.lectures
    if indicator == "lecture_participation_rate":
        return Fraction(subtree.participants, subtree.members) if subtree.members else None
    if indicator == "education_funds":
        return mine.funds
    raise ValueError(f"no way to compute {indicator}")  # the standard's loader refuses unknown keys


def _judge(
    rule: Rule, value: int | Decimal | Fraction | None, grassroots_below: int
) -> tuple[int | Decimal | None, bool | None]:
    """The target for this unit, and whether the value reaches it (exactly: 79.99 % of 80 % is not met)."""
    if rule.target is None:
        return None, None
    amount = rule.target.value
    target: int | Decimal = amount * grassroots_below if rule.target.kind == "multiple" else amount
    target = int(target) if target == int(target) else target
    if value is None:
        return target, None
    return target, Fraction(value) >= Fraction(target)


def _shown(value: int | Decimal | Fraction | None) -> int | Decimal | None:
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(RATE_PLACES)
    return value


def _plain(value: int | Decimal | None) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
