"""What the cycle's pages and commands read: counts per state and tier, who is overdue, the units' totals.

Every count is one GROUP BY in the database and every total a Sum over the items, asked only for the rows a
page shows (or, for an export or a command, once for all of them), so that no page's queries or time grow
with the district: at 30,000 units the progress page reads one page of rows and counts the rest.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.access import REVIEWED_BY_THE_DISTRICT
from kaohe.assessments.models import SELF_ASSESSING, Assessment, Cycle, Item, Status
from kaohe.organisations.models import Tier

TIERS = (Tier.DISTRICT, Tier.SECONDARY, Tier.DIRECT, Tier.GRASSROOTS)
OVERDUE_SELF, OVERDUE_REVIEW = "self", "review"
EVERY_ASSESSOR = gettext_lazy("Every assessor")


# Counts ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TierCounts:
    tier: str
    label: str
    by_status: list[tuple[str, int]]  # (status, count), in the order of Status
    total: int


class StateCounts:
    """How many assessments are in each state, per tier: the progress page's table, and the publish page's.
    Worked out once, as the template reads each several times."""

    def __init__(self, counts: Counter[tuple[str, str]]):
        self.counts = counts  # (tier, status) → count
        by_status = Counter[str]()
        for (_tier, status), count in counts.items():
            by_status[status] += count
        self.by_status = by_status
        self.total = sum(counts.values())
        # (status, label, count) of every state, for the table's columns and its bottom row
        self.statuses = [(status.value, str(status.label), by_status[status.value]) for status in Status]
        self.tiers = [row for tier in TIERS if (row := self._tier_counts(tier)).total]  # in the tree's order

    def of_status(self, status: str) -> int:
        return self.by_status[status]

    def _tier_counts(self, tier: Tier) -> TierCounts:
        by_status = [(status.value, self.counts[tier.value, status.value]) for status in Status]
        return TierCounts(tier.value, str(tier.label), by_status, sum(count for _status, count in by_status))


def state_counts(assessments: QuerySet[Assessment]) -> StateCounts:
    """One GROUP BY (the model's ordering cleared, or it would group by unit too)."""
    grouped = assessments.order_by().values_list("tier", "status").annotate(count=Count("pk"))
    return StateCounts(Counter({(tier, status): count for tier, status, count in grouped}))


def counts_by_cycle(assessments: QuerySet[Assessment]) -> dict[int, Counter[str]]:
    """Cycle id → status → count, for the list of cycles: one GROUP BY for every cycle."""
    grouped = assessments.order_by().values_list("cycle_id", "status").annotate(count=Count("pk"))
    counts: dict[int, Counter[str]] = {}
    for cycle_id, status, count in grouped:
        counts.setdefault(cycle_id, Counter())[status] = count
    return counts


@dataclass(frozen=True)
class CycleState:
    key: str  # open, published, correcting, imported
    label: str


def cycle_state(cycle: Cycle, by_status: Counter[str]) -> CycleState:
    if cycle.imported:
        return CycleState("imported", _("Brought in from a past year's file"))
    if cycle.published_at is None:
        return CycleState("open", _("Open"))
    if sum(by_status.values()) == by_status[Status.PUBLISHED]:
        return CycleState("published", _("Published"))
    return CycleState("correcting", _("Published; corrections under way"))


# Overdue ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """Who is late today: units still filling in after the self-assessment deadline, reviewers who have
    not scored a submitted assessment by the review deadline."""

    self_deadline: datetime.date | None
    review_deadline: datetime.date | None
    self_count: int
    review_count: int


def self_overdue(cycle: Cycle, today: datetime.date) -> bool:
    return cycle.self_deadline is not None and today > cycle.self_deadline


def review_overdue(cycle: Cycle, today: datetime.date) -> bool:
    return cycle.review_deadline is not None and today > cycle.review_deadline


def overdue(cycle: Cycle, counts: StateCounts, today: datetime.date) -> Overdue:
    """From the state counts: no query of its own."""
    late_self = sum(counts.of_status(status) for status in SELF_ASSESSING) if self_overdue(cycle, today) else 0
    late_review = counts.of_status(Status.SUBMITTED) if review_overdue(cycle, today) else 0
    return Overdue(cycle.self_deadline, cycle.review_deadline, late_self, late_review)


def overdue_filter(cycle: Cycle, which: str, today: datetime.date) -> Q:
    """The assessments late in `which` way today (none when its deadline has not passed)."""
    if which == OVERDUE_SELF:
        return Q(status__in=SELF_ASSESSING) if self_overdue(cycle, today) else Q(pk__in=[])
    if which == OVERDUE_REVIEW:
        return Q(status=Status.SUBMITTED) if review_overdue(cycle, today) else Q(pk__in=[])
    return Q()


def is_overdue(cycle: Cycle, assessment: Assessment, today: datetime.date) -> bool:
    if assessment.status in SELF_ASSESSING:
        return self_overdue(cycle, today)
    return assessment.status == Status.SUBMITTED and review_overdue(cycle, today)


# Filters ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class System:
    """A secondary union and the grassroots unions under it, to filter by."""

    code: str
    name: str
    path: str


def systems_of(assessments: QuerySet[Assessment]) -> list[System]:
    secondary = assessments.filter(tier=Tier.SECONDARY).order_by("organisation__path")
    return [
        System(*row) for row in secondary.values_list("organisation__code", "organisation__name", "organisation__path")
    ]


def filtered(
    assessments: QuerySet[Assessment],
    cycle: Cycle,
    choices: dict[str, Any],
    systems: Sequence[System],
    today: datetime.date,
) -> QuerySet[Assessment]:
    """The assessments a progress filter asks for: state, tier, system, overdue and a name or code."""
    if choices.get("status"):
        assessments = assessments.filter(status=choices["status"])
    if choices.get("tier"):
        assessments = assessments.filter(tier=choices["tier"])
    system = next((system for system in systems if system.code == choices.get("system")), None)
    if system is not None:
        assessments = assessments.filter(organisation__path__under=system.path)
    if choices.get("overdue"):
        assessments = assessments.filter(overdue_filter(cycle, choices["overdue"], today))
    if choices.get("q"):
        assessments = assessments.filter(name_or_code(choices["q"]))
    return assessments


def name_or_code(text: str) -> Q:
    """A unit whose code holds the text in any letter case, or whose name holds it as written: Chinese has no
    case, and a case-blind test over 30,000 names costs PostgreSQL more than the rest of the page."""
    return Q(organisation__code__icontains=text) | Q(organisation__name__contains=text)


# Totals ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    self_total: Decimal | None  # sum of the self-scores so far; None when none is given
    final_sum: Decimal | None  # sum of the final scores so far; None when none is given


def totals_of(assessments: Iterable[int] | QuerySet[Any]) -> dict[int, Totals]:
    """Assessment id → its sums, in one query over the items of those assessments (ids, or a queryset of pks)."""
    ids = assessments if isinstance(assessments, QuerySet) else list(assessments)
    sums = (
        Item.objects.filter(assessment_id__in=ids)
        .order_by()
        .values("assessment_id")
        .annotate(self_total=Sum("self_score"), final_sum=Sum("final_score"))
        .values_list("assessment_id", "self_total", "final_sum")
    )
    return {pk: Totals(self_total, final_sum) for pk, self_total, final_sum in sums}


def final_total(assessment: Assessment, totals: Totals | None) -> Decimal | None:
    """Fixed at publication; before it, the final scores given so far (None if none)."""
    if assessment.status == Status.PUBLISHED:
        return assessment.final_total
    return totals.final_sum if totals else None


def reviewer_of(assessment: Assessment) -> str:
    """Who reviews it: the assessor given it (else every assessor), or a grassroots union's secondary union.
    Reads assessment.reviewer and organisation.parent: select them with the rows."""
    if assessment.tier in REVIEWED_BY_THE_DISTRICT:
        reviewer = assessment.reviewer
        return (reviewer.get_full_name() or reviewer.get_username()) if reviewer else str(EVERY_ASSESSOR)
    parent = assessment.organisation.parent
    return parent.name if parent else ""


EXPORT_FIELDS = (
    "pk",
    "organisation__code",
    "organisation__name",
    "tier",
    "status",
    "final_total",
    "grade",
    "reviewer__first_name",
    "reviewer__username",
    "organisation__parent__name",
    "submitted_at",
)


def export_rows(
    assessments: QuerySet[Assessment], totals: dict[int, Totals], finals_hidden: set[int]
) -> Iterator[list[Any]]:
    """The progress export's rows (its columns in views_cycle), read as plain values: 30,000 rows make no model
    instances, and each label is translated once, not once a row (as reviewer_of and final_total would).
    `finals_hidden`: the assessments whose final scores the reader may not see yet (access.final_scores_visible)."""
    tiers = {tier.value: str(tier.label) for tier in Tier}
    statuses = {status.value: str(status.label) for status in Status}
    every_assessor = str(EVERY_ASSESSOR)
    rows = assessments.order_by("organisation__path").values_list(*EXPORT_FIELDS)
    for pk, code, name, tier, status, fixed, grade, first_name, username, parent, submitted_at in rows.iterator(
        chunk_size=2000
    ):
        sums = totals.get(pk)
        final = fixed if status == Status.PUBLISHED else (sums.final_sum if sums else None)
        if pk in finals_hidden:
            final = None
        by_district = tier in REVIEWED_BY_THE_DISTRICT
        reviewer = (first_name or username or every_assessor) if by_district else (parent or "")
        self_total = sums.self_total if sums else None
        yield [code, name, tiers.get(tier, tier), statuses.get(status, status), json_number(self_total),
               json_number(final), grade or None, reviewer, submitted_at]  # fmt: skip


def tier_label(tier: str) -> str:
    return str(Tier(tier).label) if tier in Tier.values else tier


def json_number(value: Decimal | None) -> int | float | None:
    """15 rather than 15.0, 14.5 as it is, None as null: scores hold one decimal, so a float is exact enough."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def assessment_href(year: int, code: str) -> str:
    """The unit's assessment page (helper "assessment"'s), by its name once that is mounted."""
    try:
        return reverse("assessments:assessment", args=[year, code])
    except NoReverseMatch:
        return f"/assessments/{year}/{code}/"
