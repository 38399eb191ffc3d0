"""The proposal, exactly as READING.md words it: points × the mean of the shares reached, each at most 1,
rounded down to a multiple of 0.5, in fractions until that rounding."""

from __future__ import annotations

import datetime
from decimal import Decimal

from kaohe.assessments import actions
from kaohe.assessments.proposals import proposed_score
from kaohe.assessments.tests.conftest import assessment_of
from kaohe.conftest import make_unit
from kaohe.figures.compute import Figure
from kaohe.organisations.models import Category
from kaohe.records.models import Activity, ActivityCategory


def lectures(unit, count: int, participants_each: int, year: int = 2026) -> None:
    Activity.objects.bulk_create(
        Activity(
            organisation=unit,
            category=ActivityCategory.LECTURE,
            name=f"大讲堂第{n}讲",
            date=datetime.date(year, 1 + n % 12, 1 + n % 28),
            participants=participants_each,
        )
        for n in range(count)
    )


def proposal_for_61(tree, standard, admin, members: int, count: int, participants_each: int) -> Decimal | None:
    unit = make_unit("YX-D9", "区图书馆工会", Category.DIRECT, tree["YX"], members)
    lectures(unit, count, participants_each)
    cycle = actions.open_cycle(admin, tree["YX"], 2026, standard)
    return assessment_of(cycle, "YX-D9").items.get(number="6.1").proposed


def test_readings_example_7_lectures_of_5_and_72_percent_of_80_gives_14(tree, standard, district_admin):
    # 7 lectures with 36 person-times in all, 50 members: 15 × (1 + 0.9) ÷ 2 = 14.25 → 14
    unit = make_unit("YX-D9", "区图书馆工会", Category.DIRECT, tree["YX"], 50)
    lectures(unit, 6, 5)
    lectures(unit, 1, 6)
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    assert assessment_of(cycle, "YX-D9").items.get(number="6.1").proposed == Decimal(14)


def test_every_rule_met_gives_full_points(tree, standard, district_admin):
    assert proposal_for_61(tree, standard, district_admin, members=10, count=5, participants_each=2) == 15


def test_no_rule_met_at_all_gives_zero(tree, standard, district_admin):
    assert proposal_for_61(tree, standard, district_admin, members=10, count=0, participants_each=0) == 0


def test_a_rate_without_members_does_not_count_only_the_lectures_do(tree, standard, district_admin):
    # No members: the rate is not applicable, so the proposal is the lectures' share alone, 3 of 5.
    assert proposal_for_61(tree, standard, district_admin, members=0, count=3, participants_each=4) == 9


def test_a_value_that_floats_would_round_wrongly_is_computed_exactly(tree, standard, district_admin):
    # 5 lectures (met) and 8 person-times of 15 members: 15 × (1 + (8/15)/0.8) ÷ 2 is exactly 12.5;
    # in floating point it is 12.4999…, which would round down to 12.
    unit = make_unit("YX-D9", "区图书馆工会", Category.DIRECT, tree["YX"], 15)
    lectures(unit, 4, 0)
    lectures(unit, 1, 8)
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    assert assessment_of(cycle, "YX-D9").items.get(number="6.1").proposed == Decimal("12.5")


def test_a_target_of_zero_is_reached():
    figure = Figure("lecture_count", "6.1", 0, 0, True)
    assert proposed_score(Decimal(15), [figure]) == 15


def test_a_rule_without_a_target_does_not_count():
    # 定期 office meetings: a count with no target, so 2.2 of a secondary union has no proposal.
    assert proposed_score(Decimal(4), [Figure("office_meetings", "2.2", 9, None, None)]) is None


def test_shares_above_one_count_as_one():
    over, half = Figure("lecture_count", "6.1", 50, 5, True), Figure("lecture_count", "6.1", 1, 2, False)
    assert proposed_score(Decimal(15), [over, half]) == Decimal("11")  # 15 × 0.75 = 11.25 → 11


def test_two_counts_whose_float_mean_falls_just_below_a_half_step():
    # 5 × (1/10 + 7/10) ÷ 2 is exactly 2; floats make it 1.9999999999999998.
    figures = [Figure("training_count", "x", 1, 10, False), Figure("training_count", "x", 7, 10, False)]
    assert proposed_score(Decimal(5), figures) == 2


def test_the_district_figures_count_over_the_district_and_its_own_meetings(tree, standard, district_admin):
    for n in range(2):
        Activity.objects.create(
            organisation=tree["YX"],
            category=ActivityCategory.LEADING_GROUP_MEETING,
            name=f"领导小组会{n}",
            date=datetime.date(2026, 5, 1 + n),
            participants=0,
        )
    Activity.objects.create(  # a lower unit's meeting is not the district's
        organisation=tree["YX-S1"],
        category=ActivityCategory.LEADING_GROUP_MEETING,
        name="街道领导小组会",
        date=datetime.date(2026, 5, 9),
        participants=0,
    )
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    district = assessment_of(cycle, "YX")
    assert district.items.get(number="2.2").proposed == 4  # 2 of 2 leading-group meetings
    assert district.items.get(number="1.1").proposed == 0  # no trainings held
