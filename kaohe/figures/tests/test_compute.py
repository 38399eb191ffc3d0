"""Every rule of READING.md at its boundary: exactly at the target is met, one below is not."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from kaohe.conftest import make_unit
from kaohe.figures.compute import ACTIVITY_COUNTS, HONOUR_COUNTS, Figure, compute_figures
from kaohe.organisations.models import Category, Organisation
from kaohe.records.models import Activity, ActivityCategory, EducationFund, Honour, HonourLevel
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.indicators import Scope

pytestmark = pytest.mark.django_db

IN_2026 = datetime.date(2026, 6, 1)
LECTURE, TRAINING = ActivityCategory.LECTURE, ActivityCategory.TRAINING


@pytest.fixture
def standard(db):
    document = read_standard_path(SHIPPED / "fangshan-2026-trial.yaml")
    load_standard(None, document)
    return document


def add_activities(unit: Organisation, category: str, count: int, participants: int = 0, date=IN_2026) -> None:
    """`count` activities whose participants add up to `participants` (person-times)."""
    each, extra = divmod(participants, count) if count else (0, 0)
    Activity.objects.bulk_create(
        Activity(organisation=unit, category=category, name=f"活动{n}", date=date, participants=each + (n < extra))
        for n in range(count)
    )


def figure(unit: Organisation, key: str, standard, year: int = 2026) -> Figure:
    [found] = [f for f in compute_figures([unit], year, standard)[unit.pk] if f.key == key]
    return found


def test_district_trainings_count_its_own_and_need_two(tree, standard):
    add_activities(tree["YX"], TRAINING, 1)
    add_activities(tree["YX-S1"], TRAINING, 5)  # a secondary union's trainings are not the district's

    assert figure(tree["YX"], "training_count", standard) == Figure("training_count", "1.1", 1, 2, False)
    add_activities(tree["YX"], TRAINING, 1)
    assert figure(tree["YX"], "training_count", standard) == Figure("training_count", "1.1", 2, 2, True)


def test_the_leading_group_meets_at_least_twice(tree, standard):
    add_activities(tree["YX"], ActivityCategory.LEADING_GROUP_MEETING, 1)
    assert figure(tree["YX"], "leading_group_meetings", standard).met is False

    add_activities(tree["YX"], ActivityCategory.LEADING_GROUP_MEETING, 1)
    assert figure(tree["YX"], "leading_group_meetings", standard) == Figure("leading_group_meetings", "2.2", 2, 2, True)


def test_office_meetings_are_counted_without_a_target(tree, standard):
    add_activities(tree["YX-S1"], ActivityCategory.OFFICE_MEETING, 3)
    add_activities(tree["YX-S1-G1"], ActivityCategory.OFFICE_MEETING, 4)

    assert figure(tree["YX-S1"], "office_meetings", standard) == Figure("office_meetings", "2.2", 3, None, None)
    assert figure(tree["YX-D1"], "office_meetings", standard) == Figure("office_meetings", "2.2", 0, None, None)
    assert figure(tree["YX-S1-G1"], "office_meetings", standard).value == 4


def test_the_district_needs_two_thousand_lectures_across_the_whole_district(tree, standard):
    add_activities(tree["YX"], LECTURE, 999)
    add_activities(tree["YX-S1-G1"], LECTURE, 600)
    add_activities(tree["YX-D1"], LECTURE, 400)
    add_activities(tree["LQ-S1-G1"], LECTURE, 50)  # another district's

    assert figure(tree["YX"], "lecture_count", standard) == Figure("lecture_count", "6.1", 1999, 2000, False)
    add_activities(tree["YX-S2-G1"], LECTURE, 1)
    assert figure(tree["YX"], "lecture_count", standard) == Figure("lecture_count", "6.1", 2000, 2000, True)


def test_a_secondary_union_needs_three_lectures_per_grassroots_union_in_its_system(tree, standard):
    # 城关街道 has two grassroots unions: 3 × 2 = 6.
    add_activities(tree["YX-S1"], LECTURE, 1)
    add_activities(tree["YX-S1-G1"], LECTURE, 2)
    add_activities(tree["YX-S1-G2"], LECTURE, 2)
    add_activities(tree["YX-S2-G1"], LECTURE, 9)  # a sibling system's

    assert figure(tree["YX-S1"], "lecture_count", standard) == Figure("lecture_count", "6.1", 5, 6, False)
    add_activities(tree["YX-S1-G2"], LECTURE, 1)
    assert figure(tree["YX-S1"], "lecture_count", standard) == Figure("lecture_count", "6.1", 6, 6, True)


def test_a_secondary_unions_participation_is_person_times_over_its_systems_members(tree, standard):
    # Members of 城关街道's system: 30 + 120 + 80 = 230; 80 % of that is 184 person-times.
    add_activities(tree["YX-S1"], LECTURE, 2, participants=100)
    add_activities(tree["YX-S1-G1"], LECTURE, 3, participants=83)

    below = figure(tree["YX-S1"], "lecture_participation_rate", standard)
    assert (below.value, below.target, below.met) == (Decimal("0.7957"), Decimal("0.8"), False)
    add_activities(tree["YX-S1-G2"], LECTURE, 1, participants=1)
    at = figure(tree["YX-S1"], "lecture_participation_rate", standard)
    assert (at.value, at.met) == (Decimal("0.8000"), True)


def test_a_direct_union_needs_five_lectures_of_its_own(tree, standard):
    add_activities(tree["YX-D1"], LECTURE, 4)

    assert figure(tree["YX-D1"], "lecture_count", standard) == Figure("lecture_count", "6.1", 4, 5, False)
    add_activities(tree["YX-D1"], LECTURE, 1)
    assert figure(tree["YX-D1"], "lecture_count", standard).met is True


def test_a_direct_unions_participation_is_eighty_percent_of_its_members(tree, standard):
    # 900 members: 720 person-times; 719 is 79.9 %, which is not 80 %.
    add_activities(tree["YX-D1"], LECTURE, 5, participants=719)

    assert figure(tree["YX-D1"], "lecture_participation_rate", standard).met is False
    add_activities(tree["YX-D1"], LECTURE, 1, participants=1)
    assert figure(tree["YX-D1"], "lecture_participation_rate", standard).met is True


def test_a_grassroots_union_is_assessed_with_the_direct_column(tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 5, participants=96)  # 120 members: 96 is 80 %

    keys = {
        f.key: (f.value, f.target, f.met)
        for f in compute_figures([tree["YX-S1-G1"]], 2026, standard)[tree["YX-S1-G1"].pk]
    }
    assert keys["lecture_count"] == (5, 5, True)
    assert keys["lecture_participation_rate"] == (Decimal("0.8000"), Decimal("0.8"), True)
    assert "training_count" not in keys  # a district rule


def test_the_district_holds_at_least_one_exchange_meeting(tree, standard):
    assert figure(tree["YX"], "exchange_meetings", standard) == Figure("exchange_meetings", "6.4", 0, 1, False)

    add_activities(tree["YX"], ActivityCategory.EXCHANGE_MEETING, 1)
    assert figure(tree["YX"], "exchange_meetings", standard) == Figure("exchange_meetings", "6.4", 1, 1, True)


def test_education_funds_add_up_the_unit_and_its_system_without_a_target(tree, standard):
    # 汇总 / 统计汇总本系统: a secondary union's figure is its own spending and its grassroots unions'.
    EducationFund.objects.create(organisation=tree["YX-S1"], amount=Decimal("12000.50"), date=IN_2026, purpose="培训")
    EducationFund.objects.create(organisation=tree["YX-S1"], amount=Decimal("3000"), date=IN_2026, purpose="讲堂")
    EducationFund.objects.create(organisation=tree["YX-S1-G1"], amount=Decimal("500"), date=IN_2026, purpose="书籍")
    EducationFund.objects.create(organisation=tree["YX-S2-G1"], amount=Decimal("700"), date=IN_2026, purpose="书籍")
    EducationFund.objects.create(organisation=tree["LQ-S1"], amount=Decimal("9999"), date=IN_2026, purpose="外区")

    secondary = figure(tree["YX-S1"], "education_funds", standard)
    assert secondary == Figure("education_funds", "4.3", Decimal("15500.50"), None, None)
    assert secondary.scope == Scope.SUBTREE
    assert figure(tree["YX"], "education_funds", standard).value == Decimal("16200.50")  # the whole district
    assert figure(tree["YX-S1-G1"], "education_funds", standard).value == Decimal("500")  # a grassroots union: its own


def test_honours_are_counted_by_level_over_the_whole_district_and_each_system(tree, standard):
    for level in (HonourLevel.DISTRICT, HonourLevel.DISTRICT, HonourLevel.MUNICIPAL):
        Honour.objects.create(organisation=tree["YX-D1"], level=level, title="先进集体", date=IN_2026)
    Honour.objects.create(organisation=tree["YX-S1-G2"], level=HonourLevel.NATIONAL, title="全国模范", date=IN_2026)
    Honour.objects.create(organisation=tree["LQ-S1-G1"], level=HonourLevel.NATIONAL, title="外区", date=IN_2026)

    def by_level(unit):
        values = {f.key: f.value for f in compute_figures([unit], 2026, standard)[unit.pk]}
        return values["honours_district"], values["honours_municipal"], values["honours_national"]

    assert by_level(tree["YX-D1"]) == (2, 1, 0)
    assert by_level(tree["YX-S1"]) == (0, 0, 1)  # its grassroots union's national honour
    assert by_level(tree["YX"]) == (2, 1, 1)  # 统计全区工会获得的各项荣誉, not the other district's


@pytest.mark.parametrize(
    ("key", "scope"),
    [
        ("training_count", Scope.OWN),
        ("leading_group_meetings", Scope.OWN),
        ("office_meetings", Scope.OWN),
        ("exchange_meetings", Scope.OWN),
        ("lecture_count", Scope.SUBTREE),
        ("lecture_participation_rate", Scope.SUBTREE),
        ("education_funds", Scope.SUBTREE),
        ("honours_district", Scope.SUBTREE),
        ("honours_municipal", Scope.SUBTREE),
        ("honours_national", Scope.SUBTREE),
    ],
)
def test_each_figure_counts_the_units_own_records_or_its_subtree_as_reading_says(tree, standard, key, scope):
    """A record of the district itself and one of a grassroots union under it: own figures see one."""
    category = {**ACTIVITY_COUNTS, "lecture_participation_rate": LECTURE}.get(key)
    for unit in (tree["YX"], tree["YX-S1-G1"]):
        if category:
            add_activities(unit, category, 1, participants=10)
        elif key == "education_funds":
            EducationFund.objects.create(organisation=unit, amount=Decimal("100"), date=IN_2026, purpose="培训")
        else:
            Honour.objects.create(organisation=unit, level=HONOUR_COUNTS[key], title="荣誉", date=IN_2026)
    found = [f for f in compute_figures([tree["YX"]], 2026, standard)[tree["YX"].pk] if f.key == key]
    if not found:  # not a rule of the district's column: the secondary union's, over its system
        found = [f for f in compute_figures([tree["YX-S1"]], 2026, standard)[tree["YX-S1"].pk] if f.key == key]
        expected = {Scope.OWN: 0, Scope.SUBTREE: 1}[scope]
    else:
        expected = {Scope.OWN: 1, Scope.SUBTREE: 2}[scope]
    [computed] = found
    assert computed.scope == scope
    if key == "education_funds":
        assert computed.value == 100 * expected
    elif key == "lecture_participation_rate":
        assert computed.value is not None
        assert computed.value > 0
    else:
        assert computed.value == expected


def test_only_the_years_records_count_both_ends_included(tree, standard):
    add_activities(tree["YX-D1"], LECTURE, 1, date=datetime.date(2025, 12, 31))
    add_activities(tree["YX-D1"], LECTURE, 1, date=datetime.date(2026, 1, 1))
    add_activities(tree["YX-D1"], LECTURE, 1, date=datetime.date(2026, 12, 31))
    add_activities(tree["YX-D1"], LECTURE, 1, date=datetime.date(2027, 1, 1))

    assert figure(tree["YX-D1"], "lecture_count", standard).value == 2
    assert figure(tree["YX-D1"], "lecture_count", standard, year=2027).value == 1


def test_a_unit_with_no_members_has_no_rate(tree, standard):
    empty = make_unit("YX-D2", "新成立工会", Category.DIRECT, tree["YX"], members=0)
    add_activities(empty, LECTURE, 6, participants=30)

    rate = figure(empty, "lecture_participation_rate", standard)
    assert (rate.value, rate.target, rate.met) == (None, Decimal("0.8"), None)


def test_every_unit_of_the_district_at_once_costs_the_same_queries(tree, standard, django_assert_num_queries):
    for number in range(30):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    units = list(Organisation.objects.filter(path__startswith="/YX/"))

    # the units to add up the tree; their yearly totals
    with django_assert_num_queries(2):
        figures = compute_figures(units, 2026, standard)
    # alone: its own yearly totals; its subtree's added up; its subtree's members and grassroots units
    with django_assert_num_queries(3):
        compute_figures([tree["YX-S1"]], 2026, standard)
    # from the records themselves: lectures, meetings, funds and honours grouped by unit (for one unit, also
    # its subtree's activities, funds and honours summed)
    with django_assert_num_queries(5):
        assert compute_figures(units, 2026, standard, from_records=True) == figures
    with django_assert_num_queries(8):
        compute_figures([tree["YX-S1"]], 2026, standard, from_records=True)

    assert len(figures) == len(units)
    assert next(f for f in figures[tree["YX-S1"].pk] if f.key == "lecture_count").target == 3 * 32


def test_a_unit_alone_gets_the_figures_it_gets_among_the_whole_district(tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 4, participants=90)
    add_activities(tree["YX-S1"], LECTURE, 3, participants=50)
    add_activities(tree["YX-S1"], ActivityCategory.OFFICE_MEETING, 2)
    add_activities(tree["YX"], TRAINING, 2)
    Honour.objects.create(
        organisation=tree["YX-D1"], level=HonourLevel.NATIONAL, title="全国模范职工之家", date=IN_2026
    )
    units = list(Organisation.objects.filter(path__startswith="/YX/"))

    together = compute_figures(units, 2026, standard)

    for unit in units:
        assert compute_figures([unit], 2026, standard)[unit.pk] == together[unit.pk], unit.code


def test_units_scattered_over_the_tree_are_computed_with_one_prefix_match(tree, standard):
    for number in range(1500):  # thousands of grassroots units, as a tier filter picks them
        make_unit(f"YX-S1-Y{number}", f"工会{number}", Category.GRASSROOTS, tree["YX-S1"], 1)
    add_activities(tree["YX-S2-G1"], LECTURE, 5, participants=150)
    units = list(Organisation.objects.filter(category=Category.GRASSROOTS, path__startswith="/YX/"))

    figures = compute_figures(units, 2026, standard)

    assert len(figures) == 1503
    assert next(f for f in figures[tree["YX-S2-G1"].pk] if f.key == "lecture_count").met is True


def test_the_command_prints_each_units_figures_as_json(tree, standard, capsys):
    add_activities(tree["YX-D1"], LECTURE, 5, participants=800)

    call_command("indicators", "--year", "2026", "--org", "YX-D1", "--json")

    [entry] = json.loads(capsys.readouterr().out)
    assert entry["org"] == "YX-D1"
    assert entry["year"] == 2026
    assert {"key": "lecture_count", "item": "6.1", "value": 5, "target": 5, "met": True} in entry["indicators"]
    assert {"key": "lecture_participation_rate", "item": "6.1", "value": 0.8889, "target": 0.8, "met": True} in entry[
        "indicators"
    ]


def test_the_command_covers_every_active_unit(tree, standard, capsys):
    call_command("indicators", "--year", "2026", "--json")

    codes = [entry["org"] for entry in json.loads(capsys.readouterr().out)]
    assert codes == list(Organisation.objects.filter(is_active=True).order_by("path").values_list("code", flat=True))
    assert len(codes) == 10
