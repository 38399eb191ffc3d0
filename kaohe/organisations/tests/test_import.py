"""The units file: good files land whole, re-imports update, and any bad row refuses the whole file."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import gettext as _

from kaohe.history.models import Action, Event
from kaohe.organisations import actions
from kaohe.organisations.importing import read_units_file
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import HEADINGS, csv_bytes, xlsx_bytes
from kaohe.spreadsheets import ImportRefused

pytestmark = pytest.mark.django_db

GOOD_ROWS = [
    ["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45],
    ["YX-S3", "东湖街道总工会", "YX", "乡镇街道总工会", 12],
    ["YX-S3-G1", "东湖社区工会", "YX-S3", "基层工会", 33],  # parent defined earlier in the same file
    ["YX-S3-G2", "东湖小学工会", "YX-S3", "基层工会", 0],
]


def run_import(content: bytes, filename: str = "units.csv", scope: Organisation | None = None) -> actions.ImportSummary:
    plan = read_units_file(io.BytesIO(content), filename, scope)
    return actions.import_organisations(None, plan, scope=scope, filename=filename)


def refusal(
    content: bytes, filename: str = "units.csv", scope: Organisation | None = None
) -> list[tuple[int, str, str]]:
    before = Organisation.objects.count()
    with pytest.raises(ImportRefused) as refused:
        run_import(content, filename, scope)
    assert Organisation.objects.count() == before, "a refused file must write nothing"
    return [(error.row, error.column, error.message) for error in refused.value.errors]


def test_a_good_file_adds_every_unit_under_its_parent(tree):
    summary = run_import(csv_bytes(GOOD_ROWS))

    assert (summary.created, summary.updated, summary.unchanged) == (4, 0, 0)
    g1 = Organisation.objects.get(code="YX-S3-G1")
    assert g1.parent.code == "YX-S3"
    assert g1.path == "/YX/YX-S3/YX-S3-G1/"
    assert g1.depth == 2
    assert g1.members == 33
    assert Organisation.objects.get(code="YX-S1-G3").parent == tree["YX-S1"]
    assert Event.objects.filter(action=Action.ORGANISATIONS_IMPORTED, details__created=4).exists()


def test_an_xlsx_file_with_numbers_stored_as_floats_imports_the_same(tree):
    rows = [[1001.0, "数字编码工会", "YX-S1", "基层工会", 45.0]]
    run_import(xlsx_bytes(rows), "units.xlsx")

    unit = Organisation.objects.get(code="1001")
    assert unit.members == 45


def test_a_csv_saved_by_excel_in_gbk_imports(tree):
    run_import(csv_bytes(GOOD_ROWS, encoding="gb18030"))

    assert Organisation.objects.get(code="YX-S3").name == "东湖街道总工会"


def test_reimporting_updates_units_and_never_duplicates(tree):
    run_import(csv_bytes(GOOD_ROWS))
    changed = [row[:] for row in GOOD_ROWS]
    changed[0][1] = "城关医院工会（改名）"
    changed[0][4] = 60

    summary = run_import(csv_bytes(changed))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 3)
    assert Organisation.objects.filter(code="YX-S1-G3").count() == 1
    renamed = Organisation.objects.get(code="YX-S1-G3")
    assert (renamed.name, renamed.members) == ("城关医院工会（改名）", 60)
    event = Event.objects.get(action=Action.ORGANISATION_UPDATED, organisation=renamed)
    assert event.details["changes"]["members"] == [45, 60]


def test_reimporting_a_unit_under_a_new_parent_moves_its_whole_subtree(tree):
    # 城关街道 becomes part of the bureau's system? No: a township can only sit under a district.
    # Move 区教委工会's grassroots unit to 城关街道 instead, and 城关街道 to the other district.
    rows = [
        ["YX-S2-G1", "云溪中学工会", "YX-S1", "基层工会", 150],
        ["YX-S1", "城关街道总工会", "LQ", "乡镇街道总工会", 30],
    ]
    run_import(csv_bytes(rows))

    assert Organisation.objects.get(code="YX-S2-G1").path == "/LQ/YX-S1/YX-S2-G1/"
    assert Organisation.objects.get(code="YX-S1-G1").path == "/LQ/YX-S1/YX-S1-G1/"
    assert Organisation.objects.get(code="YX-S1-G1").depth == 2


def test_a_file_without_a_required_column_is_refused():
    content = csv_bytes([["A1", "某工会", "", "区总工会"]], headings=HEADINGS[:4])

    assert refusal(content) == [(1, "会员人数", "缺少必填列。")]


def test_unknown_parent_is_reported_with_row_and_column(tree):
    rows = [GOOD_ROWS[0], ["YX-X9-G1", "无主工会", "YX-X9", "基层工会", 10]]

    assert refusal(csv_bytes(rows)) == [(3, "上级单位编码", "文件中和您的系统中都没有编码为 YX-X9 的单位。")]


def test_unknown_category_is_reported(tree):
    rows = [["YX-S1-G9", "某工会", "YX-S1", "村工会", 10]]

    [(row, column, message)] = refusal(csv_bytes(rows))
    assert (row, column) == (2, "单位类别")
    assert "未知的单位类别“村工会”" in message
    assert "区总工会、乡镇街道总工会、委局公司工会、区直属基层工会、基层工会" in message


def test_duplicate_code_is_reported_on_its_second_row(tree):
    rows = [GOOD_ROWS[0], GOOD_ROWS[1], GOOD_ROWS[0]]

    assert refusal(csv_bytes(rows)) == [(4, "单位编码", "编码 YX-S1-G3 已在第 2 行出现。")]


@pytest.mark.parametrize(
    ("members", "message"),
    [
        (-5, "会员人数不能为负数（-5）。"),
        ("很多", "“很多”不是数字。"),
        ("12.5", "会员人数必须是整数（12.5）。"),
        ("", "会员人数为空。"),
    ],
)
def test_bad_member_counts_are_reported(tree, members, message):
    rows = [GOOD_ROWS[0], ["YX-S1-G9", "某工会", "YX-S1", "基层工会", members]]

    assert refusal(csv_bytes(rows)) == [(3, "会员人数", message)]


def test_a_cycle_in_the_tree_is_reported(tree):
    # 城关街道 would sit under its own grassroots union, which sits under it.
    rows = [["YX-S1", "城关街道总工会", "YX-S1-G1", "乡镇街道总工会", 30]]

    errors = refusal(csv_bytes(rows))
    assert (2, "上级单位编码", "从单位 YX-S1 沿上级单位编码向上查找会陷入循环。") in errors
    assert (2, "单位类别", "乡镇街道总工会不能直接隶属于基层工会。") in errors


def test_a_loop_among_new_units_is_reported_on_every_row_of_it(tree):
    rows = [["N1", "甲工会", "N2", "基层工会", 1], ["N2", "乙工会", "N1", "基层工会", 1]]

    errors = refusal(csv_bytes(rows))
    assert (2, "上级单位编码", "从单位 N1 沿上级单位编码向上查找会陷入循环。") in errors
    assert (3, "上级单位编码", "从单位 N2 沿上级单位编码向上查找会陷入循环。") in errors


def test_a_loop_through_a_unit_not_in_the_file_is_reported(tree):
    # YX-S1 moves under a new grassroots union… that the file places under YX-S1-G1, which is under YX-S1.
    rows = [["YX-S1", "城关街道总工会", "N1", "乡镇街道总工会", 30], ["N1", "新工会", "YX-S1-G1", "区总工会", 1]]

    errors = refusal(csv_bytes(rows))
    assert any(column == "上级单位编码" and "循环" in message for _row, column, message in errors)


def test_every_bad_row_is_reported_at_once(tree):
    rows = [
        GOOD_ROWS[0],
        ["", "无编码工会", "YX-S1", "基层工会", 1],
        ["YX-S1-G8", "", "YX-S1", "基层工会", 1],
        ["YX-S1-G7", "某工会", "YX-S1", "基层工会", -1],
    ]

    assert [(row, column) for row, column, _ in refusal(csv_bytes(rows))] == [
        (3, "单位编码"),
        (4, "单位名称"),
        (5, "会员人数"),
    ]


def test_a_file_that_is_not_a_spreadsheet_is_refused(tree):
    assert refusal(b"%PDF-1.7 not a table", "units.xlsx") == [(0, "", "该文件不是可读取的 .xlsx 工作簿。")]
    assert refusal(b"whatever", "units.pdf") == [(0, "", "只能导入 .xlsx 和 .csv 文件。")]


def test_a_secondary_cadre_cannot_import_into_another_system(tree):
    rows = [["YX-S2-G9", "别家工会", "YX-S2", "基层工会", 5], ["LQ-S1-G1", "邻区社区工会", "YX-S1", "基层工会", 60]]

    assert refusal(csv_bytes(rows), scope=tree["YX-S1"]) == [
        (2, "上级单位编码", "文件中和您的系统中都没有编码为 YX-S2 的单位。"),
        # Not "used outside your system": the file must not tell which codes other systems use.
        (3, "单位编码", _("The code %(code)s cannot be used; choose another.") % {"code": "LQ-S1-G1"}),
    ]


def test_a_cadre_cannot_change_the_parent_of_their_own_unit_by_import(tree):
    rows = [["YX-S1", "城关街道总工会", "LQ", "乡镇街道总工会", 30]]

    assert refusal(csv_bytes(rows), scope=tree["YX-S1"]) == [
        (2, "上级单位编码", "本单位的上级单位和类别只能由上级单位修改。")
    ]


def test_the_command_imports_a_good_file(tree, tmp_path: Path, capsys):
    path = tmp_path / "units.xlsx"
    path.write_bytes(xlsx_bytes(GOOD_ROWS))

    call_command("import_orgs", str(path))

    assert Organisation.objects.filter(code__startswith="YX-S3").count() == 3
    assert "新增 4" in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_and_prints_each_fault(tree, tmp_path: Path, capsys):
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes([GOOD_ROWS[0], ["YX-S1-G9", "某工会", "YX-S1", "基层工会", -3]]))

    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_orgs", str(path))

    assert "第 3 行，会员人数列：会员人数不能为负数（-3）。" in capsys.readouterr().err
    assert not Organisation.objects.filter(code="YX-S1-G3").exists()
