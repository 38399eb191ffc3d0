"""The demo district's round, so that every page of the round has something to show on first start:
last year's cycle published, with final scores spread over every grade, and this year's cycle open with
units in every state (not started, drafting, submitted, returned with comments, reviewed), its deadlines
counted from today.

Everything goes through kaohe.assessments.actions: last year as a federation starting with kaohe brings it
in (import_past_cycle, its final scores), this year as people would do it on the pages, a score sheet at a
time. The numbers are made up but plausible: a unit scores itself near what its records propose, a little
above where nothing is counted, and its reviewer mostly agrees, giving a reason where not. Deterministic:
each unit's choices come from a generator seeded with the year and its code. A year that already has its
cycle is left as it is, so running the demo again changes nothing.
"""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable, Iterable
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from kaohe.access import REVIEWED_BY_THE_DISTRICT
from kaohe.accounts.models import Role, User
from kaohe.assessments import actions
from kaohe.assessments import importing as sheets
from kaohe.assessments.models import Assessment, Cycle, Item, Status
from kaohe.organisations.demo import DISTRICT_CODE
from kaohe.organisations.models import Organisation
from kaohe.standard.in_force import standard_in_force
from kaohe.standard.models import Standard

HALF = Decimal("0.5")
DEMO_LOGINS = ("admin", "assessor", "secondary", "grassroots")

# This year's states, by share of the units not given a state below.
STATE_SHARES = [
    (Status.NOT_STARTED, 30),
    (Status.DRAFT, 25),
    (Status.SUBMITTED, 20),
    (Status.RETURNED, 5),
    (Status.REVIEWED, 20),
]
# The demo logins' units (kaohe.organisations.management.commands.demo) each show a different 待办: the
# district drafting its own, the secondary union returned with comments while some of its grassroots units
# wait for it, the grassroots union drafting with items still missing.
SECONDARY = f"{DISTRICT_CODE}-S001"
GRASSROOTS = f"{SECONDARY}-G0001"
FIXED_STATES = {
    DISTRICT_CODE: Status.DRAFT,
    SECONDARY: Status.RETURNED,
    GRASSROOTS: Status.DRAFT,
    f"{SECONDARY}-G0002": Status.SUBMITTED,
    f"{SECONDARY}-G0003": Status.SUBMITTED,
    f"{SECONDARY}-G0004": Status.SUBMITTED,
    f"{SECONDARY}-G0005": Status.RETURNED,
    f"{SECONDARY}-G0006": Status.REVIEWED,
    f"{SECONDARY}-G0007": Status.NOT_STARTED,
}
# Last year's totals: a quality per unit drawn so that every grade has units (READING.md's default bands).
QUALITY_SHARES = [((0.92, 1.0), 20), ((0.81, 0.9), 35), ((0.62, 0.79), 33), ((0.4, 0.58), 12)]

EXPLANATIONS = [
    "已按要求开展，详见佐证材料。",
    "全年计划已落实，会议纪要、签到表已上传。",
    "活动照片、通知和总结材料见附件。",
    "相关制度文件已印发，附文件扫描件。",
    "本年度按季度开展，台账齐全。",
]
REASONS = [
    "佐证材料不够完整，酌情扣分。",
    "部分活动缺少签到表，按实际认定。",
    "会议纪要未体现研究创建工作，扣分。",
    "经费使用记录不全，按核实数额计分。",
    "材料齐全、成效明显，按实际情况认定。",
]
RETURN_COMMENTS = [
    "请补充会议纪要和签到表后重新提交。",
    "自评分与佐证材料不符，请核实。",
    "请上传年度总结的盖章扫描件。",
]


def build_round(today: datetime.date | None = None) -> list[str]:
    """Last year's cycle and this year's for the demo district, each only if the year has none; what was
    done, one line each. Nothing without the demo district or a standard to open cycles on."""
    today = today or timezone.localdate()
    district = Organisation.objects.filter(code=DISTRICT_CODE, parent=None).first()
    if district is None:
        return ["No demo district: no assessment cycles were made."]
    done = []
    for year, build in ((today.year - 1, published_cycle), (today.year, open_cycle)):
        if Cycle.objects.filter(district=district, year=year).exists():
            done.append(f"The {year} cycle exists already; left as it is.")
            continue
        standard = standard_in_force(year)
        if standard is None:
            return [*done, "No standard is loaded (kaohe load_standard): no assessment cycles were made."]
        add_records(year)
        with transaction.atomic():
            cycle = build(district, year, standard, today)
        done.append(f"The {year} cycle: {states_in_words(cycle)}.")
    return done


def add_records(year: int) -> None:
    """The year's demo records, so that the figures and proposals count something (only what is missing)."""
    call_command("demo_records", "--year", str(year), stdout=io.StringIO())


def states_in_words(cycle: Cycle) -> str:
    counts: dict[str, int] = {}
    for status in cycle.assessments.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return ", ".join(f"{counts[status]} {status}" for status in Status.values if status in counts)


# Last year: published, brought in from its final scores -------------------------------------------------


def published_cycle(district: Organisation, year: int, standard: Standard, today: datetime.date) -> Cycle:
    """As a federation starting with kaohe brings in last year's file: one row per unit and item."""
    rows: list[tuple[int, dict[str, Any]]] = []
    scored = actions.scored_items(standard.doc)
    for unit in Organisation.objects.subtree_of(district).active().order_by("path"):
        rng = random.Random(f"{year}:{unit.code}")  # noqa: S311 (made-up demo data)
        quality = _quality(rng)
        for row in scored:
            score = str(_score(row.points, quality, rng))
            rows.append((len(rows) + 2, {sheets.UNIT: unit.code, sheets.ITEM: row.number, sheets.PAST_SCORE: score}))
    return actions.import_past_cycle(Personas.of(district).admin, district, year, standard, rows, source="demo")


def _quality(rng: random.Random) -> float:
    (low, high) = rng.choices([band for band, _share in QUALITY_SHARES], [s for _band, s in QUALITY_SHARES])[0]
    return rng.uniform(low, high)


def _score(points: Decimal, quality: float, rng: random.Random) -> Decimal:
    """Points × a share near the unit's quality, down to a multiple of 0.5, within 0 and the points."""
    share = min(1.0, max(0.0, quality + rng.uniform(-0.08, 0.08)))
    score = (points * Decimal(str(round(share, 3))) / HALF).to_integral_value(rounding=ROUND_FLOOR) * HALF
    return min(points, max(Decimal(0), score))


# This year: every state -----------------------------------------------------------------------------------


def open_cycle(district: Organisation, year: int, standard: Standard, today: datetime.date) -> Cycle:
    people = Personas.of(district)
    cycle = actions.open_cycle(
        people.admin,
        district,
        year,
        standard,
        self_deadline=today + datetime.timedelta(days=10),
        review_deadline=today + datetime.timedelta(days=31),
    )
    for assessment in assessments_of(cycle):
        code = assessment.organisation.code
        rng = random.Random(f"{year}:{code}")  # noqa: S311 (made-up demo data)
        state = FIXED_STATES.get(code) or rng.choices([s for s, _ in STATE_SHARES], [w for _, w in STATE_SHARES])[0]
        bring_to(state, assessment, people, rng)
    return cycle


def bring_to(state: str, assessment: Assessment, people: Personas, rng: random.Random) -> None:
    """Through the actions the unit and its reviewer would take to reach the state."""
    if state == Status.NOT_STARTED:
        return
    cadre, reviewer = people.cadre_of(assessment), people.reviewer_of(assessment)
    quality = rng.uniform(0.6, 1.0)
    items = list(assessment.items.all())
    if state == Status.DRAFT:
        started = items[: rng.randint(max(1, len(items) // 3), len(items) - 2)]  # a few left to do
        fill_in(cadre, assessment, rng, lambda item: _proposal_or_guess(item, quality, rng), started)
        return
    fill_in(cadre, assessment, rng, lambda item: _proposal_or_guess(item, quality, rng), items)
    actions.submit_self_assessment(cadre, assessment)
    if state == Status.RETURNED:
        return_with_comments(reviewer, assessment, rng)
    elif state == Status.REVIEWED:
        review(reviewer, assessment, rng, lambda item: _agreed_or_less(item, rng))


def _proposal_or_guess(item: Item, quality: float, rng: random.Random) -> Decimal:
    """What the figures propose (now and then half a point more); where nothing counts, the unit's guess."""
    if item.proposed is not None:
        return min(item.points, item.proposed + HALF * rng.choice([0, 0, 0, 1]))
    return _score(item.points, quality, rng)


def _agreed_or_less(item: Item, rng: random.Random) -> Decimal:
    score = item.self_score or Decimal(0)
    return max(Decimal(0), score - HALF * rng.choice([0, 0, 0, 0, 1, 2]))


def return_with_comments(reviewer: Any, assessment: Assessment, rng: random.Random) -> None:
    numbers = list(assessment.items.values_list("number", flat=True))
    chosen = rng.sample(numbers, 2)
    actions.return_assessment(
        reviewer,
        assessment,
        comment=rng.choice(RETURN_COMMENTS),
        item_comments={chosen[0]: "请补充佐证材料。", chosen[1]: "自评分偏高，请对照评分细则核实。"},
    )


# The steps ------------------------------------------------------------------------------------------------


def assessments_of(cycle: Cycle) -> Iterable[Assessment]:
    return cycle.assessments.select_related("cycle", "organisation").order_by("organisation__path")


def fill_in(
    cadre: Any, assessment: Assessment, rng: random.Random, score_of: Callable[[Item], Decimal], items: list[Item]
) -> None:
    entries = {item.number: (score_of(item), rng.choice(EXPLANATIONS)) for item in items}
    actions.save_self_items(cadre, assessment, entries)


def review(reviewer: Any, assessment: Assessment, rng: random.Random, final_of: Callable[[Item], Decimal]) -> None:
    entries: dict[str, tuple[Any, str, str | None]] = {}
    for item in assessment.items.all():  # as submitted: the self-scores and the proposals refreshed
        final = final_of(item)
        entries[item.number] = (final, rng.choice(REASONS) if actions.needs_reason(item, final) else "", None)
    actions.review_items(reviewer, assessment, entries)
    actions.complete_review(reviewer, assessment)


class Personas:
    """Who acts in the demo: its logins (kaohe.organisations' demo command) on their own units and those they
    review; elsewhere no one named, as a history shows what a script did."""

    def __init__(self, users: dict[str, User]):
        self.users = users
        self.admin = users.get("admin")

    @classmethod
    def of(cls, district: Organisation) -> Personas:
        users = User.objects.filter(organisation__path__under=district.path, username__in=DEMO_LOGINS)
        return cls({user.username: user for user in users})

    def cadre_of(self, assessment: Assessment) -> User | None:
        unit = assessment.organisation_id
        return next((u for u in self.users.values() if u.organisation_id == unit and u.role != Role.ASSESSOR), None)

    def reviewer_of(self, assessment: Assessment) -> User | None:
        if assessment.tier in REVIEWED_BY_THE_DISTRICT:
            return self.users.get("assessor")
        secondary = self.users.get("secondary")
        return secondary if secondary and assessment.organisation.parent_id == secondary.organisation_id else None
