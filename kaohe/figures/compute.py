"""Every figure the standard counts, computed from the records (READING.md, "What can be counted").

`compute_figures(units, year, standard)` is the one function that turns records into figures, for one unit
or thirty thousand: a fixed number of database queries, then, for many units, a roll-up of the per-unit
totals up the tree. It never loops over records in Python. The per-unit totals are the yearly totals the
records keep of themselves in their own transactions (kaohe.records.totals: one row per unit and year), so
that a district's figures read 30,000 rows rather than group a million records; `from_records=True` groups
the records themselves instead, the same figures by the longer way (the tests prove them equal, the bench
times both).

What each figure counts is kaohe.standard.indicators' decision: meetings, trainings and exchange meetings
are the unit's own; lecture-hall activities, participants, funds and honours add up the unit and every
active unit under it. Dates are inclusive over the calendar year. Participation is person-times over the
members of the same subtree, and a subtree with no members has no rate. A target is met when the value is
at least the target, compared exactly.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from django.db import connections
from django.db.models import Count, Q, QuerySet, Sum

from kaohe.organisations.models import Category, Organisation, Tier
from kaohe.records.models import Activity, ActivityCategory, EducationFund, Honour, HonourLevel, YearTotals
from kaohe.records.totals import ACTIVITY_COLUMNS, COLUMNS, HONOUR_COLUMNS, yuan
from kaohe.standard.document import Rule, StandardDocument
from kaohe.standard.indicators import BY_KEY, Measure, Scope
from kaohe.standard.targets import plain_number, unit_target

# The activity category each activity count counts; lectures also sum their participants.
ACTIVITY_COUNTS = {
    "training_count": ActivityCategory.TRAINING,
    "leading_group_meetings": ActivityCategory.LEADING_GROUP_MEETING,
    "office_meetings": ActivityCategory.OFFICE_MEETING,
    "exchange_meetings": ActivityCategory.EXCHANGE_MEETING,
    "lecture_count": ActivityCategory.LECTURE,
}
HONOUR_COUNTS = {
    "honours_district": HonourLevel.DISTRICT,
    "honours_municipal": HonourLevel.MUNICIPAL,
    "honours_national": HonourLevel.NATIONAL,
}
# Activities whose figures count the unit's own records only (meetings, trainings): never added up the tree.
MEETING_CATEGORIES = [category for key, category in ACTIVITY_COUNTS.items() if BY_KEY[key].scope == Scope.OWN]
SUBTREE_CATEGORIES = [category for key, category in ACTIVITY_COUNTS.items() if BY_KEY[key].scope == Scope.SUBTREE]
RATE_PLACES = Decimal("0.0001")


class Unit(Protocol):
    """What computing needs of a unit: an Organisation, or a page's lighter row of the same values."""

    @property
    def pk(self) -> Any: ...

    @property
    def path(self) -> str: ...

    @property
    def members(self) -> int: ...

    @property
    def tier(self) -> Tier: ...


@dataclass(slots=True)  # not frozen: a district builds 200,000 of them, and frozen init costs twice as much
class Figure:
    key: str
    item: str  # the standard's item whose rule asks for it, e.g. "6.1"
    value: int | Decimal | None  # a count, an amount in yuan, or a rate (0.8 = 80 %); None: no rate
    target: int | Decimal | None  # None where the standard sets none
    met: bool | None  # None where there is no target, or no rate to compare
    # What the figure counts and how its target was reached; not part of a figure's identity in tests.
    scope: Scope = field(default=Scope.OWN, compare=False)
    rule: Rule | None = field(default=None, compare=False)
    subtree: Tally | None = field(default=None, compare=False)  # what the target's bases are counted in

    @property
    def bases(self) -> dict[str, int]:
        """What a multiple or share target is taken of: the unit's grassroots units and members."""
        subtree = self.subtree or Tally()
        return {"grassroots_units": subtree.grassroots_units, "members": subtree.members}

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "item": self.item,
            "value": _plain(self.value),
            "target": _plain(self.target),
            "met": self.met,
        }


@dataclass
class Tally:
    """What a set of records adds up to: a unit's own, or its subtree's (the unit included)."""

    activities: dict[str, int] = field(default_factory=dict)  # by category
    participants: int = 0  # of the lecture-hall activities, person-times
    funds: Decimal = Decimal(0)
    honours: dict[str, int] = field(default_factory=dict)  # by level
    members: int = 0
    grassroots_units: int = 0  # under the unit, itself excluded (only meaningful for a subtree)

    def add(self, other: Tally) -> None:
        """Adds the other's records (not its members or units: the tree decides whose those are)."""
        if other.activities:
            mine = self.activities
            for category, count in other.activities.items():
                mine[category] = mine.get(category, 0) + count
        if other.honours:
            for level, count in other.honours.items():
                self.honours[level] = self.honours.get(level, 0) + count
        self.participants += other.participants
        if other.funds:
            self.funds += other.funds


@dataclass
class UnitTallies:
    own: Tally
    subtree: Tally


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def compute_figures(
    units: Sequence[Unit], year: int, standard: StandardDocument, *, from_records: bool = False
) -> dict[int, list[Figure]]:
    """Figures of each unit (by id) for the rules of its column: a fixed number of queries for any number.

    One unit (its page) sums its own subtree directly; several units share one reading of every unit's own
    totals, added up the tree, so that every unit of a district costs no more than one.
    """
    tallies = tally_units(units, year, from_records=from_records)
    plans = Plans(standard)
    return {unit.pk: figures_from(tallies, unit, plans) for unit in units}


def tally_units(units: Sequence[Unit], year: int, *, from_records: bool = False) -> dict[int, UnitTallies]:
    """What each unit's own records and its subtree's add up to in the year (database queries): the first
    half of compute_figures, for a page that needs every unit's tallies but only some units' figures."""
    if not units:
        return {}
    source = RECORDS if from_records else YEARLY_TOTALS
    if len(units) == 1:
        return {units[0].pk: _tallies_of_one(units[0], year, source)}
    return _tallies_of_many(units, year, source)


def figures_from(tallies: dict[int, UnitTallies], unit: Unit, plans: Plans) -> list[Figure]:
    """The second half: the figures of one unit of the tallies, for the rules of its column (no query)."""
    return _figures_of(tallies.get(unit.pk), plans.of(unit))


def value_of(tallies: dict[int, UnitTallies], unit: Unit, plans_of_key: Plans) -> int | Decimal | None:
    """One figure's value (as shown) for a unit, without building figures: what a sort compares. None
    where the unit's column does not count it, or a rate has no members to divide by."""
    plans = plans_of_key.of(unit)
    if not plans:
        return None
    unit_tallies = tallies.get(unit.pk) or UnitTallies(Tally(), Tally())
    plan = plans[0]
    tally = unit_tallies.subtree if plan.in_subtree else unit_tallies.own
    return _rate(tally)[1] if plan.measure == Measure.RATE else plan.count(tally)


def _rules_by_column(standard: StandardDocument) -> dict[str, list[tuple[str, Rule]]]:
    by_column: dict[str, list[tuple[str, Rule]]] = defaultdict(list)
    for item in standard.items:
        for rule in item.rules:
            by_column[rule.tier].append((item.number, rule))
    return by_column


# Where the per-unit totals come from: the yearly totals the records keep, or the records themselves ---------


# Which units: lookups of Organisation, e.g. {"path__under": "/YX/", "is_active": True} or {"pk": 7}.
Units = dict[str, Any]


@dataclass(frozen=True)
class Source:
    own: Callable[[int, Units], dict[int, Tally]]  # each unit's own tally in the year
    summed: Callable[[int, Units], Tally]  # the units' records of the year added up


def _totals_of(year: int, units: Units) -> QuerySet[YearTotals]:
    """The year's totals rows of these units.

    A whole district (a path with one code, or every district) is most of the year's rows: they are joined
    to their units, so that SQLite walks them once (a subquery of 30,000 ids would be built and probed first,
    twice as long). A system or a unit is a few hundred rows at most: a subquery of their ids, which the path
    index finds, probes the year's rows of those alone (joined, SQLite would walk the whole year without
    statistics to tell it otherwise). PostgreSQL plans either well."""
    path = units.get("path__under")
    if path is not None and path.count("/") <= 2:
        return YearTotals.objects.filter(year=year, **{f"organisation__{lookup}": v for lookup, v in units.items()})
    return YearTotals.objects.filter(year=year, organisation_id__in=_ids(units))


def _own_from_totals(year: int, units: Units) -> dict[int, Tally]:
    """Each unit's own records of the year, as its yearly totals hold them: one query, one row a unit."""
    rows = _totals_of(year, units).values_list("organisation_id", *COLUMNS).order_by()
    return {row[0]: _tally_of(row[1:]) for row in _whole_number_rows(rows)}


def _summed_from_totals(year: int, units: Units) -> Tally:
    """The yearly totals of the units added up by the database: one query over one row a unit."""
    sums = _totals_of(year, units).aggregate(**{column: Sum(column) for column in COLUMNS})
    return _tally_of([int(sums[column] or 0) for column in COLUMNS])  # PostgreSQL sums bigints as numeric


# Where each of COLUMNS goes in a tally: read once, as a district's page makes 30,000 tallies.
_ACTIVITIES_AT = tuple((category, COLUMNS.index(column)) for category, column in ACTIVITY_COLUMNS.items())
_HONOURS_AT = tuple((level, COLUMNS.index(column)) for level, column in HONOUR_COLUMNS.items())
_PARTICIPANTS_AT, _FUNDS_AT = COLUMNS.index("participants"), COLUMNS.index("funds_fen")


def _ids(units: Units) -> Any:
    """The units as a subquery of ids, for grouping their records."""
    return Organisation.objects.filter(**units).values("pk")


def _tally_of(amounts: Sequence[int]) -> Tally:
    """A unit's yearly totals (whole numbers in the order of COLUMNS) as a tally; counts of nothing left out."""
    activities = {category: amounts[at] for category, at in _ACTIVITIES_AT if amounts[at]}
    honours = {level: amounts[at] for level, at in _HONOURS_AT if amounts[at]}
    return Tally(activities, amounts[_PARTICIPANTS_AT], yuan(amounts[_FUNDS_AT]), honours)


# One unit: its own records and its subtree's, summed by the database --------------------------------


def _tallies_of_one(unit: Unit, year: int, source: Source) -> UnitTallies:
    """A few small queries: the unit's own totals, its active subtree's added up, its subtree's size."""
    subtree_units: Units = {"path__under": unit.path, "is_active": True}
    own = source.own(year, {"pk": unit.pk}).get(unit.pk) or Tally()
    own.members = unit.members
    subtree = source.summed(year, subtree_units)
    sized = Organisation.objects.filter(**subtree_units).aggregate(
        members=Sum("members"), grassroots=Count("pk", filter=Q(category=Category.GRASSROOTS) & ~Q(pk=unit.pk))
    )
    subtree.members, subtree.grassroots_units = sized["members"] or 0, sized["grassroots"]
    return UnitTallies(own, subtree)


def _summed_from_records(year: int, units: Units) -> Tally:
    """The records of the units in the year added up by the database: three queries.
    Own-only activities (meetings) are left out: no figure adds them up a subtree."""
    in_year: dict[str, Any] = {"date__range": year_range(year), "organisation_id__in": _ids(units)}
    tally = Tally()
    activities = (
        Activity.objects.filter(category__in=SUBTREE_CATEGORIES, **in_year)
        .values_list("category")
        .annotate(count=Count("pk"), participants=Sum("participants"))
        .order_by()
    )
    for category, count, participants in activities:
        tally.activities[category] = count
        if category == ActivityCategory.LECTURE:
            tally.participants = participants or 0
    tally.funds = EducationFund.objects.filter(**in_year).aggregate(amount=Sum("amount"))["amount"] or Decimal(0)
    levels = Honour.objects.filter(**in_year).values_list("level").annotate(count=Count("pk")).order_by()
    tally.honours = dict(levels)
    return tally


# Many units: every unit's own totals read once, then added up the tree ---------------------------------


def _tallies_of_many(units: Sequence[Unit], year: int, source: Source) -> dict[int, UnitTallies]:
    scope: Units = {"path__under": _common_ancestor_path(units), "is_active": True}
    rows = list(Organisation.objects.filter(**scope).values_list("pk", "code", "path", "depth", "members", "category"))
    own = source.own(year, scope)
    with_units_under = {code for _pk, _code, path, *_rest in rows for code in path.strip("/").split("/")[:-1]}
    by_code: dict[str, UnitTallies] = {}
    for pk, code, _path, _depth, members, _category in rows:
        mine = own.get(pk) or Tally()
        mine.members = members
        if code in with_units_under:
            subtree = Tally(members=members)
            subtree.add(mine)
        else:  # most units have none under them: their subtree is their own records, the same object
            subtree = mine
        by_code[code] = UnitTallies(mine, subtree)
    # Deepest first, each unit's whole subtree into its parent's: once per unit, whatever the depth.
    for _pk, code, path, _depth, _members, category in sorted(rows, key=lambda row: -row[3]):
        parent_code = path.strip("/").split("/")[-2] if path.count("/") > 2 else None
        parent = by_code.get(parent_code) if parent_code else None
        if parent is None:
            continue  # the top of the scope
        subtree = by_code[code].subtree
        parent.subtree.add(subtree)
        parent.subtree.members += subtree.members
        parent.subtree.grassroots_units += subtree.grassroots_units + (category == Category.GRASSROOTS)
    wanted = {unit.pk for unit in units}
    return {pk: by_code[code] for pk, code, *_rest in rows if pk in wanted}


def _common_ancestor_path(units: Iterable[Unit]) -> str:
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


def _own_from_records(year: int, units: Units) -> dict[int, Tally]:
    """Each unit's own records of the year, grouped in the database: four queries.

    Lectures and meetings are separate queries because each is then one range of the category-first index,
    and only lectures need their participants summed.
    """
    start, end = year_range(year)
    in_year: dict[str, Any] = {"date__range": (start, end), "organisation_id__in": _ids(units)}
    tallies: dict[int, Tally] = defaultdict(Tally)
    lectures = (
        Activity.objects.filter(category=ActivityCategory.LECTURE, **in_year)
        .values_list("organisation_id")
        .annotate(count=Count("pk"), participants=Sum("participants"))
        .order_by()
    )
    for pk, count, participants in _whole_number_rows(lectures):
        tally = tallies[pk]
        tally.activities[ActivityCategory.LECTURE] = count
        tally.participants = participants or 0
    for pk, category, count in _meeting_rows(year, in_year["organisation_id__in"]):
        tallies[pk].activities[category] = count
    for pk, amount in (
        EducationFund.objects.filter(**in_year).values_list("organisation_id").annotate(amount=Sum("amount")).order_by()
    ):
        tallies[pk].funds = amount or Decimal(0)
    for pk, level, count in (
        Honour.objects.filter(**in_year).values_list("organisation_id", "level").annotate(count=Count("pk")).order_by()
    ):
        tallies[pk].honours[level] = count
    return tallies


def _meeting_rows(year: int, units: Any) -> list[tuple[Any, ...]]:
    """(unit id, category, count) of the own-only activities of these units (ids or a subquery)."""
    rows = (
        Activity.objects.filter(
            category__in=MEETING_CATEGORIES, date__range=year_range(year), organisation_id__in=units
        )
        .values_list("organisation_id", "category")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return _whole_number_rows(rows)


YEARLY_TOTALS = Source(_own_from_totals, _summed_from_totals)
RECORDS = Source(_own_from_records, _summed_from_records)


def _whole_number_rows(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a grouped query of ids, categories and whole numbers, read without the ORM's per-row
    converters, which have nothing to convert here and cost a district's 100,000 rows a fifth of a second.
    The SQL is the ORM's own."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# From tallies to figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One rule of a column, with everything about it that is the same for every unit: worked out once."""

    item: str
    rule: Rule
    scope: Scope
    measure: Measure
    constant_target: Fraction | None  # a constant target, else None (a computed one, or none at all)
    constant_shown: int | Decimal | None  # the same as a plain number
    count: Callable[[Tally], int | Decimal]  # a count's or an amount's value in a tally
    in_subtree: bool  # the scope, as the loop over 200,000 figures wants it


class Plans:
    """The plans of every column of a standard, worked out once for all the units of a page."""

    def __init__(self, standard: StandardDocument, by_column: dict[str, list[Plan]] | None = None):
        self.standard = standard
        self.by_column = _plans_by_column(standard) if by_column is None else by_column
        self.column_of_tier = {tier: standard.column_of(tier.value) for tier in Tier}

    def column_of(self, unit: Unit) -> str:
        return self.column_of_tier[unit.tier]

    def of(self, unit: Unit) -> list[Plan]:
        return self.by_column[self.column_of(unit)]

    def only(self, key: str) -> Plans:
        """The plans of one figure: each column's first rule counting it (what a sort by it compares)."""
        narrowed: dict[str, list[Plan]] = defaultdict(list)
        for column, plans in self.by_column.items():
            narrowed[column] = [plan for plan in plans if plan.rule.indicator == key][:1]
        return Plans(self.standard, narrowed)


def _plans_by_column(standard: StandardDocument) -> dict[str, list[Plan]]:
    plans: dict[str, list[Plan]] = defaultdict(list)
    for column, rules in _rules_by_column(standard).items():
        for item_number, rule in rules:
            indicator = BY_KEY[rule.indicator]
            constant = rule.target is not None and (rule.target.kind == "constant" or indicator.measure == Measure.RATE)
            target = unit_target(rule.target, indicator.measure, {}) if constant and rule.target else None
            shown = plain_number(target) if target is not None else None
            count = _counter(rule.indicator)
            in_subtree = indicator.scope == Scope.SUBTREE
            plan = Plan(item_number, rule, indicator.scope, indicator.measure, target, shown, count, in_subtree)
            plans[column].append(plan)
    return plans


def _figures_of(tallies: UnitTallies | None, plans: list[Plan]) -> list[Figure]:
    tallies = tallies or UnitTallies(Tally(), Tally())
    subtree = tallies.subtree
    bases = None  # only computed targets need them
    figures = []
    for plan in plans:
        rule = plan.rule
        tally = subtree if plan.in_subtree else tallies.own
        value: int | Decimal | Fraction | None
        shown: int | Decimal | None
        if plan.measure == Measure.RATE:
            value, shown = _rate(tally)
        else:
            value = shown = plan.count(tally)
        target: int | Decimal | None = None
        met = None
        if rule.target is not None:
            exact, target = plan.constant_target, plan.constant_shown
            if exact is None:
                bases = bases or {"grassroots_units": subtree.grassroots_units, "members": subtree.members}
                exact = unit_target(rule.target, plan.measure, bases)
                target = plain_number(exact)
            if value is not None:
                met = _reaches(value, exact)
        figures.append(Figure(rule.indicator, plan.item, shown, target, met, plan.scope, rule, subtree))
    return figures


def _counter(key: str) -> Callable[[Tally], int | Decimal]:
    """How a count or an amount is read off a tally; rates are worked out apart (`_rate`)."""
    if key in ACTIVITY_COUNTS:
        category = ACTIVITY_COUNTS[key]
        return lambda tally: tally.activities.get(category, 0)
    if key in HONOUR_COUNTS:
        level = HONOUR_COUNTS[key]
        return lambda tally: tally.honours.get(level, 0)
    if key == "education_funds":
        return lambda tally: tally.funds
    if key == "lecture_participation_rate":
        return lambda tally: 0  # never called: a rate has its own path
    raise ValueError(f"no way to compute {key}")  # the standard's loader refuses unknown keys


def _rate(tally: Tally) -> tuple[Fraction | None, Decimal | None]:
    """Person-times over members, exactly and as shown (four places); none for a unit without members."""
    if not tally.members:
        return None, None
    exact = Fraction(tally.participants, tally.members)
    return exact, _shown(exact)


def _reaches(value: int | Decimal | Fraction, target: Fraction) -> bool:
    """Exactly: 79.99 % of 80 % is not met. Whole numbers and rates, the common cases, cross-multiply
    integers rather than build fractions."""
    if isinstance(value, int):
        return value * target.denominator >= target.numerator
    if isinstance(value, Fraction):
        return value.numerator * target.denominator >= target.numerator * value.denominator
    return Fraction(value) >= target


def _shown(rate: Fraction) -> Decimal:
    return (Decimal(rate.numerator) / Decimal(rate.denominator)).quantize(RATE_PLACES)


def _plain(value: int | Decimal | None) -> int | float | None:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
