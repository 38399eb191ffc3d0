"""What the dashboards show, as tables (each chart draws one, and each exports to xlsx): for the user's
subtree — the district for its staff, a secondary union's system for its cadres — the open cycle's progress,
and the latest published cycle's totals, category averages, rules met and grades, and every published
cycle's average and grades; for one unit, its results across cycles and where it lost points.

Every table is a fixed number of grouped queries, whatever the number of units."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Max, Q, QuerySet

from kaohe.assessments.actions import scored_items
from kaohe.assessments.models import Assessment, Cycle, Item, Status
from kaohe.organisations.models import Tier
from kaohe.standard.indicators import INDICATORS

BINS = [(0, 60), (60, 70), (70, 80), (80, 90), (90, 101)]  # the last takes 100 in


@dataclass
class Table:
    """A table of numbers: a heading per column, a label and values per row; `chart` says how to draw it."""

    name: str  # in addresses: ?table=progress
    title: str
    headings: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    chart: str = "bar"  # bar, stacked, line

    def as_chart(self) -> dict[str, Any]:
        """What static/kaohe/charts.js draws: the first column along the axis, one series per other column."""
        return {
            "kind": self.chart,
            "categories": [str(row[0]) for row in self.rows],
            "series": [
                {"name": heading, "data": [_number(row[index]) for row in self.rows]}
                for index, heading in enumerate(self.headings[1:], start=1)
            ],
        }


def _number(value: Any) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value  # type: ignore[no-any-return]


def one_decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def in_scope(assessments: QuerySet[Assessment], path: str) -> QuerySet[Assessment]:
    return assessments.filter(organisation__path__under=path)


def tier_label(tier: str) -> str:
    try:
        return str(Tier(tier).label)
    except ValueError:
        return tier


# The open cycle ---------------------------------------------------------------------------------------------


def progress(cycle: Cycle, path: str, labels: dict[str, str]) -> Table:
    """Units per tier and state: one grouped count."""
    statuses = list(Status)
    counts = (
        in_scope(cycle.assessments.all(), path).values_list("tier", "status").annotate(count=Count("pk")).order_by()
    )
    by_tier: dict[str, Counter[str]] = defaultdict(Counter)
    for tier, status, count in counts:
        by_tier[tier][status] += count
    table = Table("progress", labels["progress"], [labels["tier"], *[str(s.label) for s in statuses]], chart="stacked")
    for tier in Tier:
        if tier.value in by_tier:
            table.rows.append([str(tier.label), *[by_tier[tier.value][s.value] for s in statuses]])
    return table


# A published cycle -----------------------------------------------------------------------------------------


def last_published(cycles: list[Cycle]) -> Any:
    """When anything of these cycles was last published: a dashboard's cached tables of them are good until it
    changes (one query)."""
    found = Assessment.objects.filter(cycle__in=[c.pk for c in cycles]).aggregate(last=Max("published_at"))
    return found["last"]


def published(cycle: Cycle) -> QuerySet[Assessment]:
    return cycle.assessments.filter(published_at__isnull=False, final_total__isnull=False)


def distribution(cycle: Cycle, path: str, labels: dict[str, str]) -> Table:
    """How many totals fall in each band of ten (below 60 together): counted by the database in one query."""
    bands = {
        str(index): Count("pk", filter=Q(final_total__gte=low, final_total__lt=high))
        for index, (low, high) in enumerate(BINS)
    }
    counts = in_scope(published(cycle), path).aggregate(**bands)
    names = ["< 60", "60–69.5", "70–79.5", "80–89.5", "90–100"]
    table = Table("distribution", labels["distribution"], [labels["totals"], labels["units"]])
    table.rows = [[name, counts[str(index)]] for index, name in enumerate(names)]
    return table


def category_averages(cycle: Cycle, path: str, labels: dict[str, str]) -> Table:
    """Each category's average self-score and final score over the units: items averaged in one grouped
    query, then added up by category (every unit has every scored item)."""
    category_of = {row.number: row.category for row in scored_items(cycle.doc)}
    items = Item.objects.filter(assessment__in=in_scope(published(cycle), path).values("pk"))
    averages = (
        items.values_list("number")
        .annotate(self_average=Avg("self_score"), final_average=Avg("final_score"))
        .order_by()
    )
    self_sums: dict[int, Decimal] = defaultdict(Decimal)
    final_sums: dict[int, Decimal] = defaultdict(Decimal)
    self_given = False  # a past year brought from a file has final scores only
    for number, self_average, final_average in averages:
        category = category_of.get(number)
        if category is not None:
            self_given = self_given or self_average is not None
            self_sums[category] += Decimal(self_average or 0)
            final_sums[category] += Decimal(final_average or 0)
    table = Table("categories", labels["categories"], [labels["category"], labels["self"], labels["final"]])
    for shown in cycle.doc.categories:
        number = shown.number
        if number in final_sums:
            table.rows.append(
                [
                    f"{number} {shown.title}",
                    one_decimal(self_sums[number]) if self_given else None,
                    one_decimal(final_sums[number]),
                ]
            )
    return table


def rules_met(cycle: Cycle, path: str, labels: dict[str, str], *, published_only: bool = True) -> Table:
    """For every quantitative rule (a figure of a tier's column with a target), how many units meet it, of
    how many it applies to: the verdicts each item held when its proposal was last worked out (its
    `rule_states`), grouped in the database by tier and verdicts — a few hundred groups for a district."""
    assessed = published(cycle) if published_only else cycle.assessments.all()
    doc = cycle.doc
    # Per tier, the rules of the column it is assessed against (grassroots unions: the direct unions' column).
    rules = [
        (tier.value, rule.indicator)
        for tier in Tier
        for item in doc.items
        for rule in item.rules
        if rule.target and rule.tier == doc.column_of(tier.value)
    ]
    grouped = (
        Item.objects.filter(assessment__in=in_scope(assessed, path).values("pk"))
        .exclude(rule_states="")
        .values_list("assessment__tier", "rule_states")
        .annotate(count=Count("pk"))
        .order_by()
    )
    met: Counter[tuple[str, str]] = Counter()
    applies: Counter[tuple[str, str]] = Counter()
    for tier, states, count in grouped:
        for state in states.split():
            key, _sep, verdict = state.partition("=")
            applies[tier, key] += count
            met[tier, key] += count if verdict == "1" else 0
    table = Table("rules", labels["rules"], [labels["rule"], labels["met"], labels["not_met"]], chart="stacked")
    for tier, key in rules:
        if applies[tier, key]:
            label = f"{tier_label(tier)} · {INDICATORS.get(key, key)}"
            table.rows.append([label, met[tier, key], applies[tier, key] - met[tier, key]])
    return table


def grades(cycle: Cycle, path: str, labels: dict[str, str]) -> Table:
    """Units per tier and grade: one grouped count; grades in the order of the cycle's bands."""
    counts = in_scope(published(cycle), path).values_list("tier", "grade").annotate(count=Count("pk")).order_by()
    by_tier: dict[str, Counter[str]] = defaultdict(Counter)
    for tier, grade, count in counts:
        by_tier[tier][grade] += count
    names = [str(grade) for grade, _lowest in cycle.bands]
    table = Table("grades", labels["grades"], [labels["tier"], *names], chart="stacked")
    for tier in Tier:
        if tier.value in by_tier:
            table.rows.append([str(tier.label), *[by_tier[tier.value][name] for name in names]])
    return table


def year_over_year(cycles: list[Cycle], path: str, labels: dict[str, str]) -> Table:
    """Each published cycle's average total and units per grade (READING.md's default grades): one query."""
    names = sorted({str(grade) for cycle in cycles for grade, _lowest in cycle.bands}, key=_grade_order(cycles))
    rows = (
        Assessment.objects.filter(
            cycle__in=[c.pk for c in cycles], published_at__isnull=False, final_total__isnull=False
        )
        .filter(organisation__path__under=path)
        .values_list("cycle_id", "grade")
        .annotate(count=Count("pk"), average=Avg("final_total"))
        .order_by()
    )
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    sums: dict[int, Decimal] = defaultdict(Decimal)
    for cycle_id, grade, count, average in rows:
        counts[cycle_id][grade] += count
        sums[cycle_id] += Decimal(average or 0) * count
    table = Table("years", labels["years"], [labels["year"], labels["average"], *names], chart="line")
    for cycle in sorted(cycles, key=lambda c: c.year):
        units = sum(counts[cycle.pk].values())
        if units:
            average = one_decimal(sums[cycle.pk] / units)
            table.rows.append([cycle.year, average, *[counts[cycle.pk][name] for name in names]])
    return table


def _grade_order(cycles: list[Cycle]) -> Any:
    order: dict[str, int] = {}
    for cycle in cycles:
        for position, (grade, _lowest) in enumerate(cycle.bands):
            order.setdefault(str(grade), position)
    return lambda name: order.get(name, len(order))


# One unit --------------------------------------------------------------------------------------------------


def unit_across_cycles(unit_id: int, cycles: list[Cycle], labels: dict[str, str]) -> Table:
    """The unit's total and category subtotals in every published cycle it was in: one query of its items."""
    items = (
        Item.objects.filter(assessment__organisation_id=unit_id, assessment__cycle__in=[c.pk for c in cycles])
        .filter(assessment__published_at__isnull=False)
        .values_list("assessment__cycle_id", "number", "final_score")
        .order_by()
    )
    category_of = {cycle.pk: {row.number: row.category for row in scored_items(cycle.doc)} for cycle in cycles}
    subtotals: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for cycle_id, number, score in items:
        category = category_of[cycle_id].get(number)
        if category is not None and score is not None:
            subtotals[cycle_id][category] += score
    categories = sorted({category for cycle in subtotals.values() for category in cycle})
    table = Table(
        "unit",
        labels["unit"],
        [labels["year"], labels["total"], *[labels["category_n"] % {"key": c} for c in categories]],
        chart="line",
    )
    for cycle in sorted(cycles, key=lambda c: c.year):
        if cycle.pk in subtotals:
            row = subtotals[cycle.pk]
            table.rows.append([cycle.year, sum(row.values(), Decimal(0)), *[row.get(c) for c in categories]])
    return table


def points_lost(assessment: Assessment, labels: dict[str, str]) -> Table:
    """Where the unit lost points in a published cycle: each item's points less its final score, most first."""
    contents = {item.number: item.content for item in assessment.cycle.doc.items}
    contents.update({str(c.number): c.title for c in assessment.cycle.doc.categories if c.pooled})  # "8" as a whole
    rows = []
    for item in assessment.items.all():
        if item.final_score is not None and item.final_score < item.points:
            rows.append(
                [f"{item.number} {contents.get(item.number, '')}"[:40], item.points - item.final_score, item.points]
            )
    table = Table("lost", labels["lost"], [labels["item"], labels["lost_points"], labels["points"]])
    table.rows = sorted(rows, key=lambda row: -row[1])
    return table
