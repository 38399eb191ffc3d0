"""A year's round through its actions: opening, self-assessment, review, return, publication, reopening."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Item, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.history.models import Action, Event
from kaohe.versions import StaleEdit


def test_opening_gives_every_active_unit_of_the_district_its_column_items(cycle, tree):
    codes = set(Assessment.objects.filter(cycle=cycle).values_list("organisation__code", flat=True))
    assert codes == {"YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"}
    district = assessment_of(cycle, "YX")
    numbers = list(district.items.values_list("number", flat=True))
    # 19 items, category 8's five pooled into one: 15 scored rows, in the standard's order.
    assert numbers == [
        "1.1",
        "2.1",
        "2.2",
        "3.1",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "5.1",
        "6.1",
        "6.2",
        "6.3",
        "6.4",
        "7.1",
        "8",
    ]
    assert sum(district.items.values_list("points", flat=True)) == 100
    assert assessment_of(cycle, "YX-S1-G1").column == "direct"  # READING.md: grassroots use the direct column
    assert all(a.status == Status.NOT_STARTED for a in Assessment.objects.filter(cycle=cycle))
    assert Event.objects.filter(action=Action.CYCLE_OPENED, details__assessments=7).exists()


def test_a_year_has_one_cycle_per_district(cycle, tree, standard, district_admin):
    with pytest.raises(ValidationError, match="2026"):
        actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    other = actions.open_cycle(district_admin, tree["LQ"], 2026, standard)
    assert other.assessments.count() == 3


def test_proposals_are_worked_out_at_opening_from_the_units_records(tree, standard, district_admin):
    from kaohe.records.models import Activity, ActivityCategory

    for day in range(1, 8):  # 7 lectures of 5, 36 person-times of 900 members: READING.md's example, scaled
        Activity.objects.create(
            organisation=tree["YX-D1"],
            category=ActivityCategory.LECTURE,
            name=f"讲堂{day}",
            date=datetime.date(2026, 3, day),
            participants=0,
        )
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    item = assessment_of(cycle, "YX-D1").items.get(number="6.1")
    # 15 × (1 + 0) ÷ 2 = 7.5: all lectures, no participation
    assert item.proposed == Decimal("7.5")
    assert assessment_of(cycle, "YX-D1").items.get(number="3.1").proposed is None  # no rule counts


def test_self_scores_go_from_zero_to_the_points_in_half_steps(cycle, grassroots_cadre):
    item = assessment_of(cycle, "YX-S1-G1").items.get(number="1.1")
    for bad, _fault in [
        ("4.5", "0 到 4|0 to 4"),
        ("-1", "0"),
        ("2.3", "0.5"),
        ("abc", "abc"),
        ("NaN", "NaN"),
        ("1e400", ""),
    ]:
        with pytest.raises(ValidationError):
            actions.save_self_item(grassroots_cadre, item, self_score=bad, explanation="")
    saved = actions.save_self_item(grassroots_cadre, item, self_score="3.5", explanation="两次专题学习")
    assert saved.self_score == Decimal("3.5")
    assert saved.version == 2
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


def test_submitting_is_refused_with_a_list_of_what_is_missing(cycle, grassroots_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")
    item = assessment.items.get(number="1.1")
    actions.save_self_item(grassroots_cadre, item, self_score="4", explanation="")
    with pytest.raises(actions.Incomplete) as refused:
        actions.submit_self_assessment(grassroots_cadre, assessment)
    assert len(refused.value.missing) == 15
    assert any("1.1" in line for line in refused.value.missing)
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


def test_a_submitted_assessment_cannot_be_changed_by_the_unit(cycle, grassroots_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    assert assessment.status == Status.SUBMITTED
    with pytest.raises(ValidationError, match=r"已提交|Submitted"):
        actions.save_self_item(grassroots_cadre, assessment.items.get(number="1.1"), self_score="0", explanation="改")


def test_a_final_score_that_differs_needs_a_reason(cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    item = assessment.items.get(number="1.1")
    with pytest.raises(ValidationError) as refused:
        actions.review_item(secondary_cadre, item, final_score="3")
    assert "reason" in refused.value.message_dict
    reviewed = actions.review_item(secondary_cadre, item, final_score="3", reason="只开展一次")
    assert reviewed.final_score == 3


def test_returned_and_resubmitted_the_earlier_round_stays(cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    with pytest.raises(ValidationError):
        actions.return_assessment(secondary_cadre, assessment)  # no comment: the unit would not know what to fix
    returned = actions.return_assessment(secondary_cadre, assessment, item_comments={"6.1": "请补充签到表"})
    assert returned.status == Status.RETURNED
    assert returned.round == 2
    item = returned.items.get(number="6.1")
    assert item.comment == "请补充签到表"
    actions.save_self_item(grassroots_cadre, item, self_score="14", explanation="已补充签到表")
    again = actions.submit_self_assessment(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    assert again.status == Status.SUBMITTED
    assert list(again.returns.values_list("round", "item_comments")) == [(1, {"6.1": "请补充签到表"})]


def test_publication_waits_for_every_review_then_fixes_totals_and_grades(cycle, personas):
    admin, assessor = personas["district_admin"], personas["assessor"]
    with pytest.raises(ValidationError, match="7"):
        actions.publish_cycle(admin, cycle)
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(admin, assessment)
        actions.submit_self_assessment(admin, assessment)
        review_all(assessor, assessment, score=None)
    assert actions.publish_cycle(admin, cycle) == 7
    published = assessment_of(cycle, "YX-D1")
    assert published.status == Status.PUBLISHED
    assert published.final_total == 100
    assert published.grade == "优秀"
    with pytest.raises(ValidationError):
        actions.review_item(assessor, published.items.get(number="1.1"), final_score="0", reason="改")


def test_reopening_goes_back_to_review_and_is_published_again(cycle, personas):
    admin, assessor = personas["district_admin"], personas["assessor"]
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(admin, assessment)
        actions.submit_self_assessment(admin, assessment)
        review_all(assessor, assessment)
    actions.publish_cycle(admin, cycle)
    with pytest.raises(ValidationError):
        actions.reopen_assessment(admin, assessment_of(cycle, "YX-D1"), reason="")
    reopened = actions.reopen_assessment(admin, assessment_of(cycle, "YX-D1"), reason="计分有误")
    assert reopened.status == Status.SUBMITTED
    assert reopened.final_total is None
    item = reopened.items.get(number="8")
    actions.review_item(assessor, item, final_score="10", reason="成效一般")
    actions.complete_review(assessor, assessment_of(cycle, "YX-D1"))
    assert actions.publish_cycle(admin, cycle) == 1
    again = assessment_of(cycle, "YX-D1")
    assert again.final_total == 90
    assert again.grade == "优秀"
    assert Event.objects.filter(action=Action.ASSESSMENT_REOPENED, details__reason="计分有误").exists()


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("90", "优秀"),
        ("89.5", "良好"),
        ("80", "良好"),
        ("79.5", "合格"),
        ("60", "合格"),
        ("59.5", "不合格"),
        ("0", "不合格"),
    ],
)
def test_grades_at_each_bands_edge(cycle, total, grade):
    assert cycle.grade_of(Decimal(total)) == grade


def test_the_later_of_two_saves_of_one_item_is_refused_and_says_what_changed(cycle, grassroots_cadre):
    item = assessment_of(cycle, "YX-S1-G1").items.get(number="1.1")
    actions.save_self_item(grassroots_cadre, item, self_score="4", explanation="第一位", read_version=1)
    with pytest.raises(StaleEdit) as refused:
        actions.save_self_item(grassroots_cadre, item, self_score="2", explanation="第二位", read_version=1)
    assert "4" in " ".join(refused.value.messages)
    assert Item.objects.get(pk=item.pk).explanation == "第一位"
