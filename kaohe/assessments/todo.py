"""What is mine to do (待办): the home page's list, most urgent first.

For the signed-in user, in the open cycle of their district (the cycle of this year, else the latest one not
yet published):
- whoever fills in their unit's assessment (a cadre; a district administrator for the district's own) sees
  its state, the self-assessment deadline and the days left, the items still without a score or an
  explanation, and what came back with the latest return;
- a reviewer (an assessor; a secondary union's cadre) sees the assessments waiting for them, the oldest
  submission first, and the review deadline;
- a district administrator sees the cycle's progress: how many units are in each state, how many are overdue,
  and whether it can be published.

Every part is a fixed number of queries counted or grouped in the database, whatever the number of units: at
30,000 units nothing here loops over the district in Python. Access is kaohe.access's decision.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from kaohe import access
from kaohe.assessments import queries_cycle
from kaohe.assessments.models import SELF_ASSESSING, Assessment, Cycle, Item, Return, Status
from kaohe.organisations.models import Organisation

FIRST_FEW = 5  # missing items listed by name; the rest are counted
REVIEWS_LISTED = 10  # assessments waiting for a reviewer listed by name; the rest are counted


# Where the 待办 links to: the round's own pages (the cycle's and the assessment's).


def assessment_url(year: int, code: str) -> str:
    return reverse("assessments:assessment", args=[year, code])


def item_url(year: int, code: str, number: str) -> str:
    return reverse("assessments:assessment_item", args=[year, code, number])


def progress_url(year: int, **query: str) -> str:
    """The cycle's progress page, filtered as its form filters (status, overdue)."""
    url = reverse("assessments:progress", args=[year])
    return f"{url}?{urlencode(query)}" if query else url


def publish_url(year: int) -> str:
    return reverse("assessments:publish", args=[year])


def open_cycle_url() -> str:
    return reverse("assessments:open")


# The parts of the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    day: datetime.date
    days_left: int  # negative once it has passed

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left


def deadline(day: datetime.date | None, today: datetime.date) -> Deadline | None:
    return Deadline(day, (day - today).days) if day else None


@dataclass(frozen=True)
class MissingItem:
    number: str
    url: str
    lacks_score: bool
    lacks_explanation: bool


@dataclass
class OwnAssessment:
    """The user's unit's assessment: what the unit still has to do before it can submit."""

    assessment: Assessment
    url: str
    deadline: Deadline | None
    missing: list[MissingItem] = field(default_factory=list)
    returned: Return | None = None
    returned_items: list[tuple[str, str, str]] = field(default_factory=list)  # number, url, comment

    @property
    def to_do(self) -> bool:
        return self.assessment.status in SELF_ASSESSING

    @property
    def overdue(self) -> bool:
        return self.to_do and self.deadline is not None and self.deadline.overdue

    @property
    def missing_shown(self) -> list[MissingItem]:
        return self.missing[:FIRST_FEW]

    @property
    def missing_more(self) -> int:
        return max(0, len(self.missing) - FIRST_FEW)


@dataclass(frozen=True)
class Waiting:
    assessment: Assessment
    url: str


@dataclass
class Reviews:
    """The assessments waiting for the user's review."""

    count: int
    first: list[Waiting]
    deadline: Deadline | None
    more_url: str  # the cycle's progress page, narrowed to what waits

    @property
    def more(self) -> int:
        return self.count - len(self.first)

    @property
    def to_do(self) -> bool:
        return self.count > 0

    @property
    def overdue(self) -> bool:
        return self.to_do and self.deadline is not None and self.deadline.overdue


@dataclass(frozen=True)
class StateCount:
    status: str
    label: str
    count: int
    url: str


@dataclass
class Progress:
    """The cycle as its district administrators run it: units per state, the overdue, the publication."""

    states: list[StateCount]
    total: int
    overdue_self: int  # still self-assessing after the self-assessment deadline
    overdue_review: int  # still waiting for review after the review deadline
    overdue_self_url: str
    overdue_review_url: str
    publish_url: str
    self_deadline: Deadline | None
    review_deadline: Deadline | None

    def count_of(self, status: str) -> int:
        return next(state.count for state in self.states if state.status == status)

    @property
    def ready_to_publish(self) -> bool:
        """Every assessment reviewed and some not yet published (a reopened one, published again, counts)."""
        reviewed = self.count_of(Status.REVIEWED)
        return reviewed > 0 and reviewed + self.count_of(Status.PUBLISHED) == self.total

    @property
    def published(self) -> bool:
        return self.total > 0 and self.count_of(Status.PUBLISHED) == self.total

    @property
    def overdue(self) -> int:
        return self.overdue_self + self.overdue_review

    @property
    def to_do(self) -> bool:
        return not self.published


@dataclass(frozen=True)
class Task:
    """One entry of the list: what it is about (own, reviews, progress), and when it is due."""

    kind: str
    part: Any
    due: datetime.date | None

    @property
    def to_do(self) -> bool:
        return bool(self.part.to_do)


@dataclass
class Todo:
    cycle: Cycle | None
    tasks: list[Task]
    unit: Organisation | None
    may_open_cycle: bool
    own_missing: bool = False  # the user fills in an assessment, but their unit has none in this cycle

    @property
    def progress_url(self) -> str:
        return progress_url(self.cycle.year) if self.cycle else ""


def district_of(unit: Organisation) -> Organisation:
    """The unit's district federation, read off the parents that come with the signed-in user (no query)."""
    while unit.parent_id is not None and unit.parent is not None:
        unit = unit.parent
    return unit


def open_cycle_of(district: Organisation, today: datetime.date) -> Cycle | None:
    """This year's cycle of the district, else the latest one not yet published: one query."""
    this_year = Case(When(year=today.year, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Cycle.objects.filter(district_id=district.pk)
        .filter(Q(year=today.year) | Q(published_at__isnull=True))
        .order_by(this_year, "-year")
        .defer("document")  # the standard's whole text: not needed for a list of what to do
        .first()
    )


def todo_of(user: Any, today: datetime.date | None = None) -> Todo:
    today = today or timezone.localdate()
    unit = access.scope_root(user)
    if unit is None:
        return Todo(None, [], None, False)
    district = district_of(unit)
    may_open = access.can_run_cycle(user, district)
    cycle = open_cycle_of(district, today)
    if cycle is None:
        return Todo(None, [], unit, may_open)
    todo = Todo(cycle, [], unit, may_open)
    if user.role in access.SELF_ASSESSING_ROLES:
        own = own_assessment(user, cycle, unit, today)
        todo.own_missing = own is None
        if own is not None:
            todo.tasks.append(Task("own", own, cycle.self_deadline))
    reviews = reviews_waiting(user, cycle, today)
    if reviews is not None:
        todo.tasks.append(Task("reviews", reviews, cycle.review_deadline))
    if may_open:
        todo.tasks.append(Task("progress", progress(cycle, today), cycle.review_deadline))
    todo.tasks.sort(key=urgency)
    return todo


def urgency(task: Task) -> tuple[bool, datetime.date, int]:
    """What is still to do before what is done; the earliest deadline first (an overdue one is earliest)."""
    order = ("own", "reviews", "progress")
    return (not task.to_do, task.due or datetime.date.max, order.index(task.kind))


# Each part ----------------------------------------------------------------------------------------------


def own_assessment(user: Any, cycle: Cycle, unit: Organisation, today: datetime.date) -> OwnAssessment | None:
    assessment = cycle.assessments.filter(organisation_id=unit.pk).first()
    if assessment is None or not access.can_self_assess(user, assessment):
        return None
    assessment.cycle = cycle
    assessment.organisation = unit
    code, year = unit.code, cycle.year
    own = OwnAssessment(assessment, assessment_url(year, code), deadline(cycle.self_deadline, today))
    if not own.to_do:
        return own
    own.missing = [
        MissingItem(item.number, item_url(year, code, item.number), item.self_score is None, not item.explanation)
        for item in missing_items(assessment)
    ]
    if assessment.round > 1:  # it came back at least once: what the reviewer asked for last
        own.returned = assessment.returns.order_by("-round").first()
    if own.returned is not None:
        own.returned_items = [
            (number, item_url(year, code, number), comment)
            for number, comment in sorted(own.returned.item_comments.items(), key=lambda pair: _item_key(pair[0]))
        ]
    return own


def missing_items(assessment: Assessment) -> list[Item]:
    """The items without a self-score or without an explanation (the actions store explanations stripped)."""
    missing = Q(self_score__isnull=True) | Q(explanation="")
    return list(assessment.items.filter(missing).only("assessment", "number", "position", "self_score", "explanation"))


def _item_key(number: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in number.split("."))


def reviews_waiting(user: Any, cycle: Cycle, today: datetime.date) -> Reviews | None:
    """The submitted assessments the user reviews; None for someone who reviews nobody."""
    if not access.may_review_some(user):
        return None
    waiting = waiting_for(user, cycle)
    first = list(waiting.select_related("organisation")[:REVIEWS_LISTED])
    count = waiting.count()
    listed = [Waiting(a, assessment_url(cycle.year, a.organisation.code)) for a in first]
    more_url = progress_url(cycle.year, status=Status.SUBMITTED)
    return Reviews(count, listed, deadline(cycle.review_deadline, today), more_url)


def waiting_for(user: Any, cycle: Cycle) -> QuerySet[Assessment]:
    submitted = cycle.assessments.filter(status=Status.SUBMITTED)
    return access.reviewable_assessments(user, submitted).order_by("submitted_at", "pk")


def progress(cycle: Cycle, today: datetime.date) -> Progress:
    """Units per state in one count grouped by state alone, which the (cycle, status) index answers without
    reading the rows (by tier too, as the progress page counts, reads all 30,000); the overdue follow from
    the counts and the deadlines, as on the progress page."""
    grouped = cycle.assessments.order_by().values_list("status").annotate(count=Count("pk"))
    counts = dict(grouped)
    late_self = queries_cycle.self_overdue(cycle, today)
    late_review = queries_cycle.review_overdue(cycle, today)
    return Progress(
        states=[
            StateCount(status, str(label), counts.get(status, 0), progress_url(cycle.year, status=status))
            for status, label in Status.choices
        ],
        total=sum(counts.values()),
        overdue_self=sum(counts.get(status, 0) for status in SELF_ASSESSING) if late_self else 0,
        overdue_review=counts.get(Status.SUBMITTED, 0) if late_review else 0,
        overdue_self_url=progress_url(cycle.year, overdue=queries_cycle.OVERDUE_SELF),
        overdue_review_url=progress_url(cycle.year, overdue=queries_cycle.OVERDUE_REVIEW),
        publish_url=publish_url(cycle.year),
        self_deadline=deadline(cycle.self_deadline, today),
        review_deadline=deadline(cycle.review_deadline, today),
    )
