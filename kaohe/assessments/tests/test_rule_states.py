"""Each item's rule_states, the verdicts a dashboard counts, say what its figures say: written at opening and
again whenever the proposals are worked out afresh (at submission)."""

from __future__ import annotations

import datetime
from typing import Any

from kaohe.assessments import actions
from kaohe.assessments.models import Item, rule_states_of
from kaohe.assessments.tests.conftest import assessment_of, fill_in
from kaohe.records.models import Activity, ActivityCategory


def test_rule_states_of_keeps_the_figures_with_a_target():
    figures: list[dict[str, Any]] = [
        {"key": "lecture_count", "met": True},
        {"key": "lecture_participation_rate", "met": False},
        {"key": "office_meetings", "met": None},  # no target: not a rule to meet
    ]
    assert rule_states_of(figures) == "lecture_count=1 lecture_participation_rate=0"
    assert rule_states_of([]) == ""


def test_opening_writes_every_items_verdicts_with_its_figures(cycle):
    items = list(Item.objects.filter(assessment__cycle=cycle))

    assert any(item.rule_states for item in items)
    assert all(item.rule_states == rule_states_of(item.figures) for item in items)


def test_submitting_works_them_out_again_from_the_records(cycle, tree, grassroots_cadre):
    lectures = [
        Activity(
            organisation=tree["YX-S1-G1"],
            category=ActivityCategory.LECTURE,
            name=f"讲座{n}",
            date=datetime.date(2026, 3, n + 1),
            participants=40,
        )
        for n in range(6)
    ]
    Activity.objects.bulk_create(lectures)
    assessment = assessment_of(cycle, "YX-S1-G1")
    before = assessment.items.get(number="6.1").rule_states
    fill_in(grassroots_cadre, assessment)

    actions.submit_self_assessment(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))

    item = assessment.items.get(number="6.1")
    assert "lecture_count=0" in before
    assert "lecture_count=1" in item.rule_states  # six lectures of five
    assert item.rule_states == rule_states_of(item.figures)
