"""A whole score sheet at once (save_self_items, review_items: what the demo fills in with): the same checks,
changes and history as the item-by-item actions, in one transaction, refused whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kaohe.assessments import actions
from kaohe.assessments.models import Item, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in
from kaohe.history.models import Action, Event


def test_a_sheet_of_self_scores_saves_each_item_as_one_save_would(cycle, grassroots_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")

    changed = actions.save_self_items(
        grassroots_cadre, assessment, {"1.1": ("3.5", " 两次学习 "), "2.1": ("4", "有领导小组")}
    )

    assert changed == 2
    items = {item.number: item for item in assessment.items.all()}
    assert (items["1.1"].self_score, items["1.1"].explanation, items["1.1"].version) == (Decimal("3.5"), "两次学习", 2)
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT
    events = Event.objects.filter(action=Action.SELF_SCORED, details__has_key="item_id")
    assert sorted(event.details["item"] for event in events) == ["1.1", "2.1"]
    assert all(event.actor == grassroots_cadre for event in events)
    assert events.get(details__item="1.1").details["changes"] == {
        "self_score": [None, "3.5"],
        "explanation": ["", "两次学习"],
    }
    assert actions.item_history(items["1.1"]).count() == 1  # what a later stale save is compared with


def test_saving_the_same_sheet_again_changes_nothing(cycle, grassroots_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")
    actions.save_self_items(grassroots_cadre, assessment, {"1.1": ("3", "学习")})
    events = Event.objects.count()

    assert actions.save_self_items(grassroots_cadre, assessment, {"1.1": ("3", "学习")}) == 0
    assert Event.objects.count() == events


@pytest.mark.parametrize("entry", [{"1.1": ("4.5", "")}, {"1.1": ("2.3", "")}, {"9.9": ("1", "")}])
def test_one_bad_entry_refuses_the_whole_sheet(cycle, grassroots_cadre, entry):
    assessment = assessment_of(cycle, "YX-S1-G1")

    with pytest.raises(ValidationError):
        actions.save_self_items(grassroots_cadre, assessment, {"2.1": ("4", "有"), **entry})

    assert not Item.objects.filter(assessment=assessment, self_score__isnull=False).exists()


def test_a_submitted_assessment_takes_no_sheet_of_self_scores(cycle, grassroots_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")
    fill_in(grassroots_cadre, assessment)
    actions.submit_self_assessment(grassroots_cadre, assessment)

    with pytest.raises(ValidationError, match=r"已提交|Submitted"):
        actions.save_self_items(grassroots_cadre, assessment, {"1.1": ("0", "改")})


def test_a_sheet_of_final_scores_needs_a_reason_where_one_differs(cycle, grassroots_cadre, secondary_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")
    fill_in(grassroots_cadre, assessment)
    actions.submit_self_assessment(grassroots_cadre, assessment)

    with pytest.raises(ValidationError, match=r"1\.1"):
        actions.review_items(secondary_cadre, assessment, {"1.1": ("2", "", None)})
    assert not Item.objects.filter(assessment=assessment, final_score__isnull=False).exists()

    changed = actions.review_items(
        secondary_cadre, assessment, {"1.1": ("2", "只有一次", "请补材料"), "2.1": ("4", "", None)}
    )

    assert changed == 2
    items = {item.number: item for item in assessment.items.all()}
    assert (items["1.1"].final_score, items["1.1"].reason, items["1.1"].comment) == (Decimal(2), "只有一次", "请补材料")
    assert Event.objects.filter(action=Action.ITEM_REVIEWED, actor=secondary_cadre).count() == 2


def test_a_draft_takes_no_final_scores(cycle, secondary_cadre):
    with pytest.raises(ValidationError):
        actions.review_items(secondary_cadre, assessment_of(cycle, "YX-S1-G1"), {"1.1": ("4", "", None)})
