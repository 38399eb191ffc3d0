"""Records files: a good file lands whole, and any bad row refuses the whole file, every fault named."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import xlsx_bytes
from kaohe.records.importing import import_records
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, Document, EducationFund, Honour, LearningStation, TeamMember
from kaohe.spreadsheets import ImportRefused

pytestmark = pytest.mark.django_db

ACTIVITIES = KINDS["activities"]
ACTIVITY_HEADINGS = ACTIVITIES.headings  # 单位编码 活动类别 活动日期 活动名称 参加人数 主讲人 地点 备注
GOOD_ACTIVITIES = [
    ["YX-S1-G1", "大讲堂", "2026-03-05", "春季大讲堂", "120", "王老师", "社区礼堂", ""],
    ["YX-S1-G2", "专题培训", "2026-04-10", "安全生产培训", "45", "", "", "全员参加"],
    ["YX-S1", "领导小组会议", "2026-01-15", "年度工作部署", "9", "", "", ""],
]


def csv_file(rows: Sequence[Sequence[Any]], headings: Sequence[str] = ACTIVITY_HEADINGS) -> bytes:
    """A csv as Excel and WPS write it: quoted where a cell holds a comma, UTF-8 with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def run_import(
    content: bytes, filename: str = "活动.csv", scope: Organisation | None = None, kind: str = "activities"
) -> int:
    return import_records(None, KINDS[kind], io.BytesIO(content), filename, scope)


def refusal(
    content: bytes, filename: str = "活动.csv", scope: Organisation | None = None
) -> list[tuple[int, str, str]]:
    before = Activity.objects.count()
    with pytest.raises(ImportRefused) as refused:
        run_import(content, filename, scope)
    assert Activity.objects.count() == before, "a refused file must write nothing"
    assert not Event.objects.filter(action=Action.RECORDS_IMPORTED).exists()
    return [(error.row, error.column, error.message) for error in refused.value.errors]


def with_cell(heading: str, value: Any) -> list[list[Any]]:
    """The good file with one cell of its second row (file row 3) replaced."""
    rows = [row[:] for row in GOOD_ACTIVITIES]
    rows[1][ACTIVITY_HEADINGS.index(heading)] = value
    return rows


def test_a_good_csv_adds_every_row_as_a_record(tree, district_admin):
    count = import_records(district_admin, ACTIVITIES, io.BytesIO(csv_file(GOOD_ACTIVITIES)), "活动.csv", tree["YX"])

    assert count == 3
    lecture = Activity.objects.get(name="春季大讲堂")
    assert lecture.organisation == tree["YX-S1-G1"]
    assert (lecture.category, lecture.date, lecture.participants) == ("lecture", datetime.date(2026, 3, 5), 120)
    assert (lecture.speaker, lecture.place, lecture.note) == ("王老师", "社区礼堂", "")
    assert lecture.created_by == district_admin
    event = Event.objects.get(action=Action.RECORDS_IMPORTED)
    assert (event.actor, event.organisation) == (district_admin, tree["YX"])
    assert event.details == {"kind": "activities", "file": "活动.csv", "added": 3, "skipped": 0}


def test_an_xlsx_with_excel_dates_and_numbers_stored_as_floats_imports(tree):
    rows = [
        ["YX-S1-G1", "职工素质教育大讲堂", datetime.datetime(2026, 3, 5), "春季大讲堂", 120.0],
        ["YX-S2-G1", "职工活动", datetime.date(2026, 5, 1), "五一健步走", 300, None, None, None],
    ]

    assert run_import(xlsx_bytes(rows, ACTIVITY_HEADINGS), "活动.xlsx") == 2

    lecture = Activity.objects.get(name="春季大讲堂")
    assert (lecture.category, lecture.date, lecture.participants) == ("lecture", datetime.date(2026, 3, 5), 120)
    assert Activity.objects.get(name="五一健步走").date == datetime.date(2026, 5, 1)


def test_optional_columns_may_be_left_out_of_the_file(tree):
    headings = ACTIVITIES.required_headings
    rows = [["YX-D1", "经验交流会", "2026/3/5", "护理经验交流", "12.0"]]  # as Excel on Windows saves a csv

    assert run_import(csv_file(rows, headings)) == 1
    activity = Activity.objects.get()
    assert (activity.date, activity.participants, activity.speaker) == (datetime.date(2026, 3, 5), 12, "")


@pytest.mark.parametrize(
    ("heading", "value"),
    [
        ("单位编码", "YX-X9"),  # no such unit
        ("活动类别", "茶话会"),
        ("活动日期", "2026-02-30"),
        ("活动日期", "2026-13-01"),
        ("活动日期", "下周三"),
        ("参加人数", "-3"),
        ("参加人数", "12.5"),
        ("参加人数", "很多"),
    ],
)
def test_a_bad_cell_is_named_by_row_and_column_and_nothing_is_written(tree, heading, value):
    [(row, column, message)] = refusal(csv_file(with_cell(heading, value)))

    assert (row, column) == (3, heading)
    assert value in message


def test_an_unknown_category_lists_the_accepted_names(tree):
    [(_row, _column, message)] = refusal(csv_file(with_cell("活动类别", "茶话会")))

    assert "大讲堂" in message
    assert "评选表彰" in message


def test_a_unit_outside_the_system_reads_exactly_like_a_unit_that_does_not_exist(tree):
    outside = refusal(csv_file(with_cell("单位编码", "YX-S2-G1")), scope=tree["YX-S1"])
    unknown = refusal(csv_file(with_cell("单位编码", "YX-X9")), scope=tree["YX-S1"])

    assert [(row, column) for row, column, _ in outside] == [(3, "单位编码")]
    assert outside[0][2].replace("YX-S2-G1", "?") == unknown[0][2].replace("YX-X9", "?")


def test_required_cells_must_not_be_empty_and_text_must_fit(tree):
    rows = with_cell("活动名称", "")
    rows[2][ACTIVITY_HEADINGS.index("主讲人")] = "很长" * 51  # 102 characters; at most 100

    errors = refusal(csv_file(rows))

    assert [(row, column) for row, column, _ in errors] == [(3, "活动名称"), (4, "主讲人")]
    assert "100" in errors[1][2]


def test_a_file_without_a_required_column_is_refused_at_row_1(tree):
    headings = [heading for heading in ACTIVITY_HEADINGS if heading != "参加人数"]
    rows = [
        [cell for heading, cell in zip(ACTIVITY_HEADINGS, row, strict=True) if heading != "参加人数"]
        for row in GOOD_ACTIVITIES
    ]

    assert [(row, column) for row, column, _ in refusal(csv_file(rows, headings))] == [(1, "参加人数")]


def test_every_bad_row_is_reported_at_once(tree):
    rows = [
        GOOD_ACTIVITIES[0],
        ["YX-X9", "大讲堂", "2026-03-05", "某讲堂", "10"],
        ["YX-S1-G1", "茶话会", "2026-02-30", "某活动", "-1"],
        GOOD_ACTIVITIES[1],
        ["YX-S1-G2", "专题培训", "下周三", "", "很多"],
    ]

    assert [(row, column) for row, column, _ in refusal(csv_file(rows))] == [
        (3, "单位编码"),
        (4, "活动类别"),
        (4, "活动日期"),
        (4, "参加人数"),
        (6, "活动日期"),
        (6, "活动名称"),
        (6, "参加人数"),
    ]


def test_a_good_documents_file_imports(tree):
    rows = [
        ["YX", "五年规划", "创建学习型工会五年规划", "2026-01-05"],
        ["YX-S1", "年度总结", "2025 年度总结", "2026-01-20"],
    ]

    assert run_import(csv_file(rows, KINDS["documents"].headings), kind="documents") == 2
    plan = Document.objects.get(kind="five_year_plan")
    assert (plan.organisation, plan.title, plan.date) == (
        tree["YX"],
        "创建学习型工会五年规划",
        datetime.date(2026, 1, 5),
    )


def test_a_good_teams_file_imports(tree):
    rows = [["YX-S1", "管理队伍", "李华", "主席"], ["YX-S1", "志愿者", "张敏", ""]]

    assert run_import(csv_file(rows, KINDS["teams"].headings), kind="teams") == 2
    assert TeamMember.objects.get(name="李华").team == "management"
    assert TeamMember.objects.get(name="张敏").role == ""


def test_a_good_funds_file_imports_amounts_with_thousands_separators(tree):
    rows = [["YX-S2", "12,345.50", "2026-02-01", "职工书屋图书"], ["YX-S2", "0.125", "2026-02-02", "零星支出"]]

    assert run_import(csv_file(rows, KINDS["funds"].headings), kind="funds") == 2
    assert EducationFund.objects.get(purpose="职工书屋图书").amount == Decimal("12345.50")
    assert EducationFund.objects.get(purpose="零星支出").amount == Decimal("0.13")  # rounded to fen, as shown


def test_a_good_honours_file_imports(tree):
    rows = [["YX-D1", "市级", "市级学习型班组", datetime.datetime(2026, 6, 1)]]

    assert run_import(xlsx_bytes(rows, KINDS["honours"].headings), "荣誉.xlsx", kind="honours") == 1
    honour = Honour.objects.get()
    assert (honour.level, honour.date) == ("municipal", datetime.date(2026, 6, 1))


def test_a_good_stations_file_imports_with_and_without_an_area(tree):
    rows: list[list[Any]] = [
        ["YX-S1-G1", "社区学习站", "城关路 1 号", 85.5, "投影仪"],
        ["YX-S1-G2", "校园学习角", None, None, None],
    ]

    assert run_import(xlsx_bytes(rows, KINDS["stations"].headings), "学习站.xlsx", kind="stations") == 2
    assert LearningStation.objects.get(name="社区学习站").area == Decimal("85.50")
    assert LearningStation.objects.get(name="校园学习角").area is None


def test_the_command_imports_a_good_file(tree, tmp_path: Path, capsys):
    path = tmp_path / "活动.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ACTIVITIES, ACTIVITY_HEADINGS))

    call_command("import_records", "activities", str(path))

    assert Activity.objects.count() == 3
    assert "3" in capsys.readouterr().out
    assert Event.objects.get(action=Action.RECORDS_IMPORTED).organisation is None


def test_the_command_refuses_a_bad_file_and_prints_each_fault(tree, tmp_path: Path, capsys):
    path = tmp_path / "活动.csv"
    path.write_bytes(csv_file([GOOD_ACTIVITIES[0], with_cell("参加人数", "-3")[1], with_cell("单位编码", "NOPE")[1]]))

    with pytest.raises(CommandError):
        call_command("import_records", "activities", str(path))

    faults = capsys.readouterr().err.splitlines()
    assert len(faults) == 2
    assert faults[0].startswith("活动.csv: 第 3 行，参加人数")
    assert "-3" in faults[0]
    assert faults[1].startswith("活动.csv: 第 4 行，单位编码")
    assert "NOPE" in faults[1]
    assert Activity.objects.count() == 0


def test_the_command_refuses_an_unknown_kind(tree, tmp_path: Path):
    path = tmp_path / "活动.csv"
    path.write_bytes(csv_file(GOOD_ACTIVITIES))

    with pytest.raises(CommandError, match="meetings"):
        call_command("import_records", "meetings", str(path))
