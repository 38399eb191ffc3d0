"""Every xlsx export as the person who hands it to their superiors opens it: a title, headings that stay in
view, a filter, numbers as numbers; and as an attacker would like it: never a formula kaohe did not write."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import upload
from kaohe.records.models import Activity, ActivityCategory, EducationFund
from kaohe.spreadsheets import (
    ExportColumn,
    Format,
    ImportRefused,
    export_response,
    read_table,
    write_report,
    write_xlsx,
)
from kaohe.standard.document import parse_standard
from kaohe.standard.files import SHIPPED
from kaohe.standard.spreadsheet import write_standard_xlsx

RECORDS_EXPORT = reverse("records:export", args=["activities"])
WHOLE_2026 = {"unit": "YX-S1", "subtree": "on", "date_from": "2026-01-01", "date_to": "2026-12-31"}
FORMULA_LIKE_NAMES = ['=HYPERLINK("http://x","y")', "+86 讲座", "-1 读书会", "@SUM(A1)", "\t制表符开头"]


def add_activity(unit: Any, name: str, **values: Any) -> Activity:
    values = {"category": ActivityCategory.LECTURE, "date": datetime.date(2026, 3, 1), "participants": 10, **values}
    return Activity.objects.create(organisation=unit, name=name, **values)


def first_sheet(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content), data_only=False).worksheets[0]


def formulas_in(content: bytes) -> list[str]:
    """The parts of the xlsx (a zip of XML) that hold a formula element."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return [name for name in archive.namelist() if b"<f>" in archive.read(name) or b"<f " in archive.read(name)]


def exported(client, url: str, params: dict[str, str] | None = None) -> bytes:
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response.content


def in_zh(message: str, **values: str) -> str:
    """A message as the product shows it by default, whether or not the catalogue has it yet."""
    with translation.override("zh-hans"):
        return _(message) % values


# The layout


def test_the_records_export_has_a_title_frozen_headings_and_a_filter(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会")
    add_activity(tree["YX-S1-G2"], "职工讲堂")
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, RECORDS_EXPORT, WHOLE_2026))

    assert sheet["A1"].value == " · ".join(
        [
            "活动",
            in_zh("%(unit)s (with the units under it)", unit="城关街道总工会"),
            in_zh("%(start)s to %(end)s", start="2026-01-01", end="2026-12-31"),
        ]
    )
    assert sheet["A1"].font.bold
    assert sheet["A1"].font.size > (sheet["A2"].font.size or 11)  # headings keep the default 11 points
    assert "A1:I1" in {str(cells) for cells in sheet.merged_cells.ranges}
    assert [cell.value for cell in sheet[2]] == [
        "单位编码",
        "单位名称",
        "活动类别",
        "活动日期",
        "活动名称",
        "参加人数",
        "主讲人",
        "地点",
        "备注",
    ]
    assert all(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref == "A2:I4"


def test_the_title_names_the_category_and_a_single_unit_without_its_system(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会")
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, RECORDS_EXPORT, {"unit": "YX-S1-G1", "category": "lecture"}))

    assert sheet["A1"].value == f"活动 · 大讲堂 · 城关社区工会 · {in_zh('all dates')}"


def test_cells_are_typed_counts_dates_and_codes(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会", participants=1200, date=datetime.date(2026, 4, 2))
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, RECORDS_EXPORT, WHOLE_2026))
    code, _name, _category, date, _title, participants = sheet[3][:6]

    assert (code.value, code.data_type, code.number_format) == ("YX-S1-G1", "s", "@")
    assert (participants.value, participants.data_type, participants.number_format) == (1200, "n", "#,##0")
    assert (date.value, date.number_format) == (datetime.datetime(2026, 4, 2), "yyyy-mm-dd")


def test_money_is_in_yuan_with_two_decimals_and_sums(client, secondary_cadre, tree):
    EducationFund.objects.create(
        organisation=tree["YX-S1-G1"], amount=Decimal("12345.60"), date=datetime.date(2026, 5, 1), purpose="购书"
    )
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, reverse("records:export", args=["funds"]), WHOLE_2026))

    assert [cell.value for cell in sheet[2]] == ["单位编码", "单位名称", "金额（元）", "日期", "用途"]
    amount = sheet["C3"]
    assert (amount.value, amount.data_type, amount.number_format) == (12345.6, "n", "#,##0.00")


def test_a_rate_is_a_fraction_shown_as_a_percentage():
    columns = [ExportColumn("单位编码", Format.CODE), ExportColumn("达标率", Format.PERCENT)]

    sheet = first_sheet(write_report("达标情况", columns, [["YX-S1", 0.8], ["YX-S2", Decimal("0.125")]]))

    assert (sheet["B3"].value, sheet["B3"].number_format) == (0.8, "0.0%")
    assert sheet["B4"].value == 0.125


def test_widths_follow_the_heading_and_the_kind_of_column():
    columns = [
        ExportColumn("人数", Format.COUNT),
        ExportColumn("名称"),
        ExportColumn("参加活动职工人数合计", Format.COUNT),
        ExportColumn("people sum", Format.COUNT),
        ExportColumn("一个" + "非常" * 15 + "长的标题"),
        ExportColumn("备注", width=40),
    ]

    sheet = first_sheet(write_report("宽度", columns, []))
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEF"]

    assert widths[0] < widths[1]  # a count is narrower than a name
    assert widths[2] > widths[3]  # ten Chinese characters are about twice as wide as ten Latin letters
    assert widths[4] == 60  # capped
    assert widths[5] == 40  # as the caller asked


def test_the_units_export_has_the_report_layout(client, secondary_cadre):
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, reverse("organisations:export", args=["YX-S1"])))

    assert "城关街道总工会" in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == ["单位编码", "单位名称", "上级单位编码", "单位类别", "会员人数"]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A3", "A2:E5")
    assert (sheet["E3"].value, sheet["E3"].number_format) == (30, "#,##0")


# Formulas and control characters


@pytest.mark.parametrize("name", FORMULA_LIKE_NAMES)
def test_a_name_that_looks_like_a_formula_exports_as_the_same_text(client, secondary_cadre, tree, name):
    add_activity(tree["YX-S1-G1"], name)
    client.force_login(secondary_cadre)

    content = exported(client, RECORDS_EXPORT, WHOLE_2026)
    cell = first_sheet(content)["E3"]

    assert (cell.value, cell.data_type) == (name, "s")
    assert cell.quotePrefix  # Excel and WPS keep it text when someone edits the cell
    assert formulas_in(content) == []


def test_a_name_that_starts_with_a_carriage_return_is_text(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "\r回车开头")
    client.force_login(secondary_cadre)

    content = exported(client, RECORDS_EXPORT, WHOLE_2026)
    cell = first_sheet(content)["E3"]

    # XML reads a stored carriage return back as a line break: the same to a person, and still text.
    assert (cell.value.lstrip("\r\n"), cell.data_type, cell.quotePrefix) == ("回车开头", "s", True)
    assert formulas_in(content) == []


def test_text_that_looks_like_a_formula_is_text_in_every_writer():
    rows = [["=1+1", "-2", "+3"]]
    report = write_report("=cmd|' /C calc'!A0", [ExportColumn("=A1"), ExportColumn("B"), ExportColumn("C")], rows)
    template = write_xlsx("模板", ["=A1", "@B"], [["=1+1", "-2"]])

    for content in (report, template):
        sheet = first_sheet(content)
        assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}
        assert formulas_in(content) == []
    assert first_sheet(report)["A1"].value == "=cmd|' /C calc'!A0"


def test_the_standard_workbook_writes_its_texts_as_text():
    mapping = yaml.safe_load((SHIPPED / "fangshan-2026-trial.yaml").read_text(encoding="utf-8"))
    mapping["title"] = '=HYPERLINK("http://x","标准")'
    document = parse_standard(mapping, "formula.yaml")

    content = write_standard_xlsx(document)

    assert first_sheet(content)["A1"].value == '=HYPERLINK("http://x","标准")'
    assert first_sheet(content)["A1"].data_type == "s"
    assert formulas_in(content) == []


def test_control_characters_that_xml_forbids_are_dropped_not_fatal(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书\x0b会\x1b", note="第一行\n第二行")
    client.force_login(secondary_cadre)

    sheet = first_sheet(exported(client, RECORDS_EXPORT, WHOLE_2026))

    assert sheet["E3"].value == "读书会"
    assert sheet["I3"].value == "第一行\n第二行"  # line breaks are allowed and kept


def test_numbers_stay_numbers_even_in_a_text_column():
    columns = [ExportColumn("说明"), ExportColumn("数值", Format.DECIMAL)]

    sheet = first_sheet(write_report("数", columns, [[42, Decimal("3.25")], ["-", None]]))

    assert (sheet["A3"].value, sheet["A3"].data_type) == (42, "n")
    assert (sheet["B3"].value, sheet["B3"].data_type) == (3.25, "n")
    assert (sheet["A4"].value, sheet["A4"].data_type) == ("-", "s")
    assert sheet["B4"].value is None


# File names


def test_the_file_name_says_what_the_file_is_in_chinese_with_an_ascii_fallback(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = client.get(RECORDS_EXPORT, WHOLE_2026)

    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="activities-YX-S1-2026.xlsx"; ')
    assert f"filename*=UTF-8''{quote('活动-YX-S1-2026.xlsx')}" in disposition


def test_a_part_of_a_year_is_named_by_its_dates(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = client.get(RECORDS_EXPORT, {**WHOLE_2026, "date_to": "2026-06-30"})

    assert 'filename="activities-YX-S1-2026-01-01_2026-06-30.xlsx"' in response["Content-Disposition"]


def test_a_chinese_name_without_a_given_fallback_keeps_its_ascii_part():
    disposition = export_response(b"", "城关/街道 2026.xlsx")["Content-Disposition"]

    assert disposition == (
        "attachment; filename=\"2026.xlsx\"; filename*=UTF-8''"
        + quote("城关_街道 2026.xlsx", safe="")  # a path separator never reaches the browser
    )


def test_the_units_export_and_templates_have_chinese_names(client, secondary_cadre):
    client.force_login(secondary_cadre)

    units = client.get(reverse("organisations:export", args=["YX-S1"]))["Content-Disposition"]
    template = client.get(reverse("records:import_template", args=["funds"]))["Content-Disposition"]

    assert 'filename="units-YX-S1.xlsx"' in units
    assert "filename*=UTF-8''" in units
    assert 'filename="funds-template.xlsx"' in template
    assert quote(in_zh("%(kind)s import template", kind="教育经费")) in template


# Exports import back


def test_a_records_export_imports_back_with_its_title_row(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会", participants=35, speaker="王老师", date=datetime.date(2026, 4, 2))
    add_activity(tree["YX-S1-G2"], '=HYPERLINK("http://x","y")', category=ActivityCategory.WORKER_ACTIVITY)
    client.force_login(secondary_cadre)
    content = exported(client, RECORDS_EXPORT, WHOLE_2026)
    before = sorted(Activity.objects.values_list("organisation__code", "category", "date", "name", "participants"))
    Activity.objects.all().delete()

    response = client.post(reverse("records:import", args=["activities"]), {"file": upload("活动.xlsx", content)})

    assert response.status_code == 302
    after = sorted(Activity.objects.values_list("organisation__code", "category", "date", "name", "participants"))
    assert after == before


def test_a_funds_export_imports_back_although_its_heading_says_yuan(client, secondary_cadre, tree):
    EducationFund.objects.create(
        organisation=tree["YX-S1-G1"], amount=Decimal("1234.50"), date=datetime.date(2026, 5, 1), purpose="购书"
    )
    client.force_login(secondary_cadre)
    content = exported(client, reverse("records:export", args=["funds"]), WHOLE_2026)
    EducationFund.objects.all().delete()

    response = client.post(reverse("records:import", args=["funds"]), {"file": upload("经费.xlsx", content)})

    assert response.status_code == 302
    assert list(EducationFund.objects.values_list("amount", "purpose")) == [(Decimal("1234.50"), "购书")]


def test_a_units_export_imports_back_with_its_title_row(client, secondary_cadre):
    client.force_login(secondary_cadre)
    content = exported(client, reverse("organisations:export", args=["YX-S1"]))

    response = client.post(reverse("organisations:import"), {"file": upload("单位.xlsx", content)}, follow=True)

    messages = " ".join(str(message) for message in response.context["messages"])
    assert "新增 0 个单位，更新 0 个，未变 3 个" in messages


def test_a_units_file_with_a_title_and_a_column_of_its_own_imports(client, secondary_cadre):
    columns = [
        ExportColumn(heading) for heading in ("单位编码", "单位名称", "上级单位编码", "单位类别", "会员人数", "备注")
    ]
    content = write_report("新增单位", columns, [["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45, "新建"]])
    client.force_login(secondary_cadre)

    response = client.post(reverse("organisations:import"), {"file": upload("单位.xlsx", content)})

    assert response.status_code == 302
    assert Organisation.objects.get(code="YX-S1-G3").members == 45


def test_faults_in_an_export_name_rows_as_the_spreadsheet_shows_them(client, secondary_cadre, tree):
    add_activity(tree["YX-S1-G1"], "读书会")
    client.force_login(secondary_cadre)
    workbook = load_workbook(io.BytesIO(exported(client, RECORDS_EXPORT, WHOLE_2026)))
    workbook.worksheets[0]["F3"] = "很多"  # 参加人数
    edited = io.BytesIO()
    workbook.save(edited)

    response = client.post(
        reverse("records:import", args=["activities"]), {"file": upload("活动.xlsx", edited.getvalue())}
    )

    assert [(error.row, error.column) for error in response.context["errors"]] == [(3, "参加人数")]


def test_a_file_without_the_headings_is_refused_at_row_1():
    content = write_xlsx("x", ["别的", "列"], [["a", "b"]])

    with pytest.raises(ImportRefused) as refused:
        read_table(io.BytesIO(content), "x.xlsx", ["单位编码"])

    assert [(error.row, error.column) for error in refused.value.errors] == [(1, "单位编码")]


def test_an_export_with_no_rows_is_refused_below_its_headings():
    content = write_report("空", [ExportColumn("单位编码", Format.CODE)], [])

    with pytest.raises(ImportRefused) as refused:
        read_table(io.BytesIO(content), "x.xlsx", ["单位编码"])

    assert [error.row for error in refused.value.errors] == [3]
