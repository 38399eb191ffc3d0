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
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

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
    """One unit's own records of the year, or (rolled up) those of its whole subtree."""

    activities: dict[str, int]
    lecture_participants: int = 0
    funds: Decimal = Decimal(0)
    honours: dict[str, int] | None = None
    members: int = 0
    grassroots_units: int = 0


def standard_for_year(year: int) -> Standard | None:
    """The version the year's cycle runs on; before any cycle exists, the most recently loaded one."""
    from kaohe.assessments.models import Cycle

    cycle = Cycle.objects.filter(year=year).select_related("standard").first()
    return cycle.standard if cycle else Standard.objects.order_by("-loaded_at", "-version").first()


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def compute_figures(units: Sequence[Organisation], year: int, standard: StandardDocument) -> dict[int, list[Figure]]:
    """Figures of each unit (by id) for the rules of its tier: seven queries, whatever the number of units."""
    roots = _outermost(units)
    if not roots:
        return {}
    in_scope = Organisation.objects.filter(_subtree_q(roots), is_active=True)
    own = _own_totals(in_scope, year)
    rolled = _roll_up(own, in_scope)
    return {unit.pk: _figures_of(unit, own, rolled, standard) for unit in units}


def rules_for(unit: Organisation, standard: StandardDocument) -> list[tuple[str, Rule]]:
    """(item number, rule) of the column the unit is assessed against: grassroots units use the standard's."""
    column = standard.grassroots_column if unit.tier == "grassroots" else str(unit.tier)
    return [(item.number, rule) for item in standard.items for rule in item.rules if rule.tier == column]


def _outermost(units: Iterable[Organisation]) -> list[Organisation]:
    """The units not inside another one given: their subtrees cover all the others'."""
    roots: list[Organisation] = []
    for unit in sorted(units, key=lambda u: u.path):
        if not roots or not unit.path.startswith(roots[-1].path):
            roots.append(unit)
    return roots


def _subtree_q(roots: Sequence[Organisation], prefix: str = "") -> Q:
    q = Q()
    for root in roots:
        q |= Q(**{f"{prefix}path__startswith": root.path})
    return q


def _own_totals(in_scope: QuerySet[Organisation], year: int) -> dict[int, Totals]:
    """Each unit's own records of the year, grouped in the database: three queries."""
    start, end = year_range(year)
    ids = in_scope.values("pk")
    totals: dict[int, Totals] = defaultdict(lambda: Totals(activities=defaultdict(int), honours=defaultdict(int)))
    activity_rows = (
        Activity.objects.filter(date__range=(start, end), organisation_id__in=ids)
        .values("organisation_id", "category")
        .annotate(count=Count("pk"), participants=Sum("participants"))
        .order_by()
    )
    for row in activity_rows:
        unit = totals[row["organisation_id"]]
        unit.activities[row["category"]] = row["count"]
        if row["category"] == ActivityCategory.LECTURE:
            unit.lecture_participants = row["participants"] or 0
    fund_rows = (
        EducationFund.objects.filter(date__range=(start, end), organisation_id__in=ids)
        .values("organisation_id")
        .annotate(amount=Sum("amount"))
        .order_by()
    )
    for row in fund_rows:
        totals[row["organisation_id"]].funds = row["amount"] or Decimal(0)
    honour_rows = (
        Honour.objects.filter(date__range=(start, end), organisation_id__in=ids)
        .values("organisation_id", "level")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in honour_rows:
        honours = totals[row["organisation_id"]].honours
        assert honours is not None
        honours[row["level"]] = row["count"]
    return totals


def _roll_up(own: dict[int, Totals], in_scope: QuerySet[Organisation]) -> dict[str, Totals]:
    """Subtree totals by unit code: lecture counts, participants, members and grassroots units (one query)."""
    rolled: dict[str, Totals] = defaultdict(lambda: Totals(activities=defaultdict(int)))
    for pk, path, members, category in in_scope.values_list("pk", "path", "members", "category"):
        mine = own.get(pk)
        lectures = mine.activities.get(ActivityCategory.LECTURE, 0) if mine else 0
        participants = mine.lecture_participants if mine else 0
        for code in path.strip("/").split("/"):  # the unit and each unit above it
            subtree = rolled[code]
            subtree.activities[ActivityCategory.LECTURE] += lectures
            subtree.lecture_participants += participants
            subtree.members += members
            subtree.grassroots_units += category == Category.GRASSROOTS
    return rolled


def _figures_of(
    unit: Organisation, own: dict[int, Totals], rolled: dict[str, Totals], standard: StandardDocument
) -> list[Figure]:
    mine = own.get(unit.pk) or Totals(activities={}, honours={})
    subtree = rolled.get(unit.code) or Totals(activities={})
    grassroots_below = subtree.grassroots_units - (unit.category == Category.GRASSROOTS)
    figures = []
    for item_number, rule in rules_for(unit, standard):
        value = _value(rule.indicator, mine, subtree)
        target, met = _judge(rule, value, subtree, grassroots_below)
        figures.append(Figure(rule.indicator, item_number, _shown(value), target, met))
    return figures


def _value(indicator: str, mine: Totals, subtree: Totals) -> int | Decimal | Fraction | None:
    if indicator in OWN_ACTIVITY_COUNTS:
        return mine.activities.get(OWN_ACTIVITY_COUNTS[indicator], 0)
    if indicator in HONOUR_COUNTS:
        return (mine.honours or {}).get(HONOUR_COUNTS[indicator], 0)
    if indicator == "lecture_count":
        return subtree.activities.get(ActivityCategory.LECTURE, 0)
    if indicator == "lecture_participation_rate":
        return Fraction(subtree.lecture_participants, subtree.members) if subtree.members else None
    if indicator == "education_funds":
        return mine.funds
    raise ValueError(f"no way to compute {indicator}")  # the standard's loader refuses unknown keys


def _judge(
    rule: Rule, value: int | Decimal | Fraction | None, subtree: Totals, grassroots_below: int
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
