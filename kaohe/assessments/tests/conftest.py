"""The round's fixtures: the seed's standard, a cycle of 云溪区 opened on it, and ways to fill one in."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle
from kaohe.organisations.models import Organisation
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.models import Standard


@pytest.fixture
def standard(db: Any) -> Standard:
    """The seed's standard, loaded as `make run` loads it."""
    return load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))[0]


@pytest.fixture
def cycle(tree: dict[str, Organisation], standard: Standard, district_admin: Any) -> Cycle:
    return actions.open_cycle(
        district_admin,
        tree["YX"],
        2026,
        standard,
        self_deadline=datetime.date(2026, 11, 30),
        review_deadline=datetime.date(2026, 12, 20),
    )


def assessment_of(cycle: Cycle, code: str) -> Assessment:
    return Assessment.objects.select_related("cycle", "organisation").get(cycle=cycle, organisation__code=code)


def fill_in(actor: Any, assessment: Assessment, score: str | None = None) -> None:
    """Every item self-scored (full points unless told) with an explanation, as a diligent cadre would."""
    for item in assessment.items.all():
        actions.save_self_item(
            actor, item, self_score=score if score is not None else item.points, explanation="见佐证材料"
        )


def review_all(actor: Any, assessment: Assessment, score: Decimal | None = None) -> None:
    """Every item given its self-score as final (or `score`, with a reason), then marked reviewed."""
    for item in assessment.items.all():
        final = item.self_score if score is None else score
        reason = "材料不全" if actions.needs_reason(item, final) else ""
        actions.review_item(actor, item, final_score=final, reason=reason)
    actions.complete_review(actor, assessment)


def submitted(actor: Any, cycle: Cycle, code: str) -> Assessment:
    assessment = assessment_of(cycle, code)
    fill_in(actor, assessment)
    return actions.submit_self_assessment(actor, assessment)
