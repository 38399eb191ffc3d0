"""A published cycle's results: each unit's total, grade, rank in its group, category subtotals and change
against the previous cycle (READING.md, "How a score is reached" and "The round of a year").

Groups, ranked competition style (two units tied for first are both 1, the next is 3):
- secondary unions among themselves, directly affiliated unions among themselves;
- grassroots unions within their secondary union's system (the unit just above them on their path, as it
  reviews them), and, as a second list, across the district;
- district federations among the districts under the same unit above (their cycles of the same year).

Totals are those fixed at publication (kept while an assessment is reopened, until it is published again).
Reading costs a fixed number of queries whatever the size of the district: the totals in one, the previous
cycle's in one more; category subtotals are read only for the units asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from kaohe.assessments.actions import scored_items
from kaohe.assessments.models import Assessment, Cycle, Item

SECONDARY, DIRECT, GRASSROOTS, DISTRICT = "secondary", "direct", "grassroots", "district"
GROUPS = (SECONDARY, DIRECT, GRASSROOTS, DISTRICT)


@dataclass(slots=True)
class Result:
    """A unit's result. Built afresh by each reading and ranked in place: a district holds 30,000 of them,
    and copying each to set its rank took most of a second."""

    assessment_id: int
    organisation_id: int
    code: str
    name: str
    path: str  # the unit's place in the tree now: whose subtree it is in
    tier: str  # as the cycle opened it
    system: str  # grassroots: the code of the unit above it (its system); else ""
    total: Decimal
    grade: str
    rank: int = 0  # in its group; grassroots: within its system
    district_rank: int | None = None  # grassroots only: across the district
    group_size: int = 0
    previous_total: Decimal | None = None  # the same unit in the previous published cycle, if it was there
    previous_rank: int | None = None
    previous_district_rank: int | None = None  # grassroots: across the district, in the previous cycle

    @property
    def change(self) -> Decimal | None:
        return None if self.previous_total is None else self.total - self.previous_total

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) since the previous cycle, in its group (a grassroots union: its system)."""
        return None if self.previous_rank is None else self.previous_rank - self.rank

    @property
    def district_rank_change(self) -> int | None:
        """A grassroots union's places gained across the district since the previous cycle."""
        if self.previous_district_rank is None or self.district_rank is None:
            return None
        return self.previous_district_rank - self.district_rank


def is_published(cycle: Cycle) -> bool:
    return cycle.published_at is not None


def previous_cycle(cycle: Cycle) -> Cycle | None:
    """The district's latest published cycle before this one's year."""
    return (
        Cycle.objects.filter(district_id=cycle.district_id, year__lt=cycle.year, published_at__isnull=False)
        .defer("document")
        .order_by("-year")
        .first()
    )


def cycle_results(cycle: Cycle, *, with_previous: bool = True) -> list[Result]:
    """Every published unit of the cycle, ranked, best first within each group."""
    results = _ranked(_published_rows(cycle))
    if cycle.district_id is not None:
        results = _with_district_ranks(cycle, results)
    if with_previous:
        before = previous_cycle(cycle)
        if before is not None:
            results = _with_previous(results, cycle_results(before, with_previous=False))
    return results


def _published_rows(cycle: Cycle) -> list[Result]:
    rows = (
        Assessment.objects.filter(cycle=cycle, published_at__isnull=False, final_total__isnull=False)
        .values_list(
            "pk",
            "organisation_id",
            "organisation__code",
            "organisation__name",
            "organisation__path",
            "tier",
            "final_total",
            "grade",
        )
        .order_by()
    )
    return [
        Result(
            pk, unit, code, name, path, tier, _system_of(path) if tier == GRASSROOTS else "", total or Decimal(0), grade
        )
        for pk, unit, code, name, path, tier, total, grade in rows
    ]


def _system_of(path: str) -> str:
    codes = path.strip("/").split("/")
    return codes[-2] if len(codes) > 1 else ""


def competition_ranks(totals: Sequence[Decimal]) -> list[int]:
    """Ranks of totals given best first: 1 + how many are strictly better (100, 95, 95, 90 → 1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, total in enumerate(totals):
        ranks.append(ranks[-1] if position and total == totals[position - 1] else position + 1)
    return ranks


def _rank_within(results: Iterable[Result], key: Any, field: str = "rank") -> list[Result]:
    """Each group of `key` sorted best first (ties by code, so that lists read the same every time), ranked."""
    groups: dict[Any, list[Result]] = defaultdict(list)
    for result in results:
        groups[key(result)].append(result)
    ranked: list[Result] = []
    for members in groups.values():
        members.sort(key=lambda r: (-r.total, r.code))
        ranks = competition_ranks([member.total for member in members])
        for member, rank in zip(members, ranks, strict=True):
            setattr(member, field, rank)
            if field == "rank":
                member.group_size = len(members)
        ranked += members
    return ranked


def group_of(result: Result) -> str:
    return result.tier if result.tier in GROUPS else DIRECT


def _ranked(results: list[Result]) -> list[Result]:
    others = [r for r in results if r.tier not in (GRASSROOTS, DISTRICT)]
    grassroots = [r for r in results if r.tier == GRASSROOTS]
    grassroots = _rank_within(grassroots, lambda r: r.system)
    grassroots = _rank_within(grassroots, lambda r: 0, field="district_rank")
    ranked = _rank_within(others, group_of) + grassroots + [r for r in results if r.tier == DISTRICT]
    return sorted(ranked, key=lambda r: (GROUPS.index(group_of(r)), r.system, r.rank, r.code))


def _with_district_ranks(cycle: Cycle, results: list[Result]) -> list[Result]:
    """The district federation ranked among the districts under the same unit above, in their cycles of the
    year: one query."""
    parent_id = cycle.district.parent_id if cycle.district else None
    same_root = Q(cycle__district__parent_id=parent_id) if parent_id else Q(cycle__district__parent__isnull=True)
    rows = (
        Assessment.objects.filter(same_root, cycle__year=cycle.year, tier=DISTRICT, final_total__isnull=False)
        .filter(published_at__isnull=False)
        .values_list("organisation_id", "organisation__code", "final_total")
        .order_by("-final_total", "organisation__code")
    )
    listed = list(rows)
    ranks = dict(
        zip(
            (unit for unit, _code, _total in listed),
            competition_ranks([t or Decimal(0) for *_rest, t in listed]),
            strict=True,
        )
    )
    for result in results:
        if result.tier == DISTRICT:
            result.rank, result.group_size = ranks.get(result.organisation_id, 1), len(listed)
    return results


def _with_previous(results: list[Result], previous: list[Result]) -> list[Result]:
    before = {r.organisation_id: r for r in previous}
    for result in results:
        last = before.get(result.organisation_id)
        if last is not None:
            result.previous_total, result.previous_rank = last.total, last.rank
            result.previous_district_rank = last.district_rank
    return results


def category_subtotals(cycle: Cycle, assessment_ids: Iterable[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """Each assessment's final scores added up by category ("1" … "8", category 8 pooled): one query, over
    the assessments given (all of the cycle's published ones when None)."""
    category_of = {row.number: str(row.category) for row in scored_items(cycle.doc)}
    items = Item.objects.filter(assessment__cycle=cycle, assessment__published_at__isnull=False)
    if assessment_ids is not None:
        items = items.filter(assessment_id__in=list(assessment_ids))
    subtotals: dict[int, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(categories_of(cycle), Decimal(0)))
    for assessment_id, number, score in items.values_list("assessment_id", "number", "final_score").order_by():
        category = category_of.get(number)
        if category is not None and score is not None:
            subtotals[assessment_id][category] += score
    return dict(subtotals)


def categories_of(cycle: Cycle) -> list[str]:
    return [str(category.number) for category in cycle.doc.categories]
