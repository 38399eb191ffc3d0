"""The figures read the yearly totals the records keep of themselves (kaohe.records.totals); whatever people do
to records and units, those totals hold what the records add up to, and the figures are the ones that
grouping the records themselves gives (`from_records=True`), unit by unit and for a whole district at once."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest

from kaohe.conftest import make_unit
from kaohe.figures.compute import compute_figures
from kaohe.organisations.actions import deactivate_organisation, move_organisation, reactivate_organisation
from kaohe.organisations.models import Category, Organisation
from kaohe.records import totals
from kaohe.records.actions import create_record, delete_record, update_record
from kaohe.records.importing import import_records
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, ActivityCategory, EducationFund, Honour, HonourLevel, YearTotals
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path

pytestmark = pytest.mark.django_db

LECTURE = ActivityCategory.LECTURE


@pytest.fixture
def standard(db):
    document = read_standard_path(SHIPPED / "fangshan-2026-trial.yaml")
    load_standard(None, document)
    return document


def assert_figures_are_the_records_own(standard) -> None:
    """The kept totals equal the records' sums, and so every unit's figures equal those grouped from records,
    each unit alone and all of them at once, in the year and around it."""
    assert totals.differences() == {}
    units = list(Organisation.objects.all())
    for year in (2025, 2026, 2027):
        together = compute_figures(units, year, standard)
        assert together == compute_figures(units, year, standard, from_records=True)
        for unit in units:
            alone = compute_figures([unit], year, standard)[unit.pk]
            assert alone == compute_figures([unit], year, standard, from_records=True)[unit.pk], (unit.code, year)
            if unit.is_active:
                assert alone == together[unit.pk], (unit.code, year)


def lecture(unit: Organisation, participants: int, day: str = "2026-05-04") -> dict:
    return {
        "category": LECTURE,
        "name": f"讲堂{participants}",
        "date": datetime.date.fromisoformat(day),
        "participants": participants,
    }


def csv_file(headings: list[str], rows: list[list[str]]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8-sig"))


def test_a_cadres_records_added_edited_and_deleted_keep_the_figures_true(tree, standard, secondary_cadre):
    activities, funds, honours = KINDS["activities"], KINDS["funds"], KINDS["honours"]
    talk = create_record(secondary_cadre, activities, tree["YX-S1-G1"], lecture(tree["YX-S1-G1"], 60))
    create_record(secondary_cadre, activities, tree["YX-S1"], lecture(tree["YX-S1"], 25, "2025-12-31"))
    meeting = create_record(
        secondary_cadre,
        activities,
        tree["YX-S1"],
        {
            "category": ActivityCategory.OFFICE_MEETING,
            "name": "办公室会议",
            "date": datetime.date(2026, 2, 1),
            "participants": 8,
        },
    )
    fund = create_record(
        secondary_cadre,
        funds,
        tree["YX-S1-G2"],
        {"amount": Decimal("1234.56"), "date": datetime.date(2026, 3, 1), "purpose": "培训"},
    )
    honour = create_record(
        secondary_cadre,
        honours,
        tree["YX-S1-G2"],
        {"level": HonourLevel.MUNICIPAL, "title": "先进职工之家", "date": datetime.date(2026, 9, 1)},
    )
    assert_figures_are_the_records_own(standard)

    # Edits that change what is counted: more people, another unit, another year, another kind of activity,
    # another amount and level; and one that changes nothing counted (a note).
    update_record(secondary_cadre, talk, {"participants": 75})
    update_record(secondary_cadre, talk, {"organisation": tree["YX-S1-G2"]})
    update_record(secondary_cadre, talk, {"date": datetime.date(2027, 1, 2)})
    update_record(secondary_cadre, meeting, {"category": LECTURE})
    update_record(secondary_cadre, fund, {"amount": Decimal("0.01")})
    update_record(secondary_cadre, honour, {"level": HonourLevel.NATIONAL})
    update_record(secondary_cadre, talk, {"note": "备注"})
    assert_figures_are_the_records_own(standard)

    for record in (talk, fund, honour):
        delete_record(secondary_cadre, record)
    assert_figures_are_the_records_own(standard)


def test_imports_of_every_counted_kind_keep_the_figures_true(tree, standard, district_admin):
    activities = csv_file(
        KINDS["activities"].required_headings,
        [
            ["YX-S1-G1", "大讲堂", "2026-03-05", "春季大讲堂", "120"],
            ["YX-S1-G1", "大讲堂", "2026-03-06", "春季大讲堂二", "80"],
            ["YX-D1", "专题培训", "2026-04-10", "安全生产培训", "45"],
            ["YX", "经验交流会", "2026-12-31", "年终交流", "30"],
            ["YX-S2-G1", "职工活动", "2026-06-01", "不计入的活动", "300"],
        ],
    )
    funds = csv_file(KINDS["funds"].required_headings, [["YX-S2", "999.99", "2026-05-05", "书籍"]])
    honours = csv_file(KINDS["honours"].required_headings, [["YX-S2-G1", "区级", "先进集体", "2026-07-07"]])

    assert import_records(district_admin, KINDS["activities"], activities, "活动.csv", tree["YX"]) == 5
    assert import_records(district_admin, KINDS["funds"], funds, "经费.csv", tree["YX"]) == 1
    assert import_records(district_admin, KINDS["honours"], honours, "荣誉.csv", tree["YX"]) == 1

    assert_figures_are_the_records_own(standard)
    kept = YearTotals.objects.get(organisation=tree["YX-S1-G1"], year=2026)
    assert (kept.lectures, kept.participants) == (2, 200)


def test_moving_and_deactivating_units_changes_no_total_and_the_figures_follow_the_tree(tree, standard, district_admin):
    for unit, participants in ((tree["YX-S1-G1"], 90), (tree["YX-S1-G2"], 40), (tree["YX-S2-G1"], 70)):
        Activity.objects.create(organisation=unit, **lecture(unit, participants))
    EducationFund.objects.create(organisation=tree["YX-S1-G2"], amount="500", date="2026-02-02", purpose="讲堂")
    kept_before = totals.stored()

    move_organisation(district_admin, tree["YX-S1-G2"], tree["YX-S2"])
    assert_figures_are_the_records_own(standard)
    deactivate_organisation(district_admin, Organisation.objects.get(code="YX-S1-G2"))
    assert_figures_are_the_records_own(standard)
    s2 = Organisation.objects.get(code="YX-S2")
    lectures = next(f for f in compute_figures([s2], 2026, standard)[s2.pk] if f.key == "lecture_count")
    assert lectures.value == 1  # its own grassroots union's; the moved one no longer counts once deactivated

    reactivate_organisation(district_admin, Organisation.objects.get(code="YX-S1-G2"))
    assert_figures_are_the_records_own(standard)
    assert totals.stored() == kept_before  # the tree is read as it is; the totals are each unit's own


def test_writes_past_the_actions_keep_the_totals_too(tree, standard):
    """Bulk writes, query updates and deletes, and saves of stale copies: the models keep the totals."""
    unit = tree["YX-D1"]
    Activity.objects.bulk_create(Activity(organisation=unit, **lecture(unit, n)) for n in range(1, 11))
    Honour.objects.bulk_create(
        [Honour(organisation=unit, level=HonourLevel.DISTRICT, title=f"荣誉{n}", date="2026-04-01") for n in range(3)]
    )
    assert_figures_are_the_records_own(standard)

    Activity.objects.filter(participants__lt=4).update(participants=100)
    Activity.objects.filter(participants=5).update(date=datetime.date(2025, 5, 5))
    Activity.objects.filter(participants=6).update(organisation=tree["YX-S1-G1"])
    Activity.objects.filter(participants=7).update(name="只改了名称")
    assert_figures_are_the_records_own(standard)

    stale = Activity.objects.get(participants=8)
    Activity.objects.filter(pk=stale.pk).update(participants=9)  # changed behind the stale copy's back
    stale.category = ActivityCategory.TRAINING
    stale.save()
    Honour.objects.filter(title="荣誉0").delete()
    Activity.objects.get(participants=10).delete()
    assert_figures_are_the_records_own(standard)


def test_rebuilding_the_totals_after_plain_sql_gives_the_same_figures(tree, standard):
    Activity.objects.create(organisation=tree["YX-S1"], **lecture(tree["YX-S1"], 33))
    YearTotals.objects.all().delete()  # as if the records had been written by plain SQL
    assert totals.differences() != {}

    assert totals.rebuild() == 1

    assert_figures_are_the_records_own(standard)


def test_a_new_unit_with_no_records_has_no_totals_and_figures_of_nothing(tree, standard):
    newcomer = make_unit("YX-S1-G3", "新建工会", Category.GRASSROOTS, tree["YX-S1"], 12)

    assert not YearTotals.objects.filter(organisation=newcomer).exists()
    assert_figures_are_the_records_own(standard)


def test_the_totals_command_checks_the_totals_and_makes_them_again(tree, standard, capsys):
    from django.core.management import CommandError, call_command

    Activity.objects.create(organisation=tree["YX-S1"], **lecture(tree["YX-S1"], 12))
    call_command("totals")
    assert "agree with the records (1 rows)" in capsys.readouterr().out

    YearTotals.objects.update(lectures=5)
    with pytest.raises(CommandError, match="1 units' yearly totals differ"):
        call_command("totals")

    call_command("totals", "--rebuild")
    assert "agree with the records" in capsys.readouterr().out
    assert_figures_are_the_records_own(standard)
