"""The document-layout workbook: written like the printed standard, in Chinese throughout, read back to the
same standard."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kaohe.standard.document import StandardDocument, StandardInvalid, content_hash, parse_standard
from kaohe.standard.files import SHIPPED
from kaohe.standard.models import Standard
from kaohe.standard.spreadsheet import (
    COMPARISON_NAMES,
    INDICATOR_NAMES,
    META_ROWS,
    TARGET_BASE_NAMES,
    TARGET_KIND_NAMES,
    TIER_NAMES,
    read_standard_xlsx,
    write_standard_xlsx,
)

FIRST_ITEM_ROW = 3  # row 1 is the title, row 2 the headings


@pytest.fixture(scope="module")
def shipped() -> StandardDocument:
    path = SHIPPED / "fangshan-2026-trial.yaml"
    return parse_standard(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)


@pytest.fixture(scope="module")
def exported(shipped: StandardDocument) -> bytes:
    return write_standard_xlsx(shipped)


def open_workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def item_row(document: StandardDocument, number: str) -> int:
    return FIRST_ITEM_ROW + [item.number for item in document.items].index(number)


def merged(sheet: Any) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def refusal(exported: bytes, edit: Callable[[Any], None]) -> list[str]:
    """The cells named when the exported workbook, edited, is read back."""
    workbook = open_workbook(exported)
    edit(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    with pytest.raises(StandardInvalid) as refused:
        read_standard_xlsx(buffer, "edited.xlsx")
    assert refused.value.source == "edited.xlsx"
    return [path for path, _message in refused.value.errors]


def test_the_shipped_standard_comes_back_identical(shipped: StandardDocument, exported: bytes) -> None:
    read_back = read_standard_xlsx(io.BytesIO(exported), "x.xlsx")

    assert content_hash(read_back) == content_hash(shipped)
    assert [item.number for item in read_back.items] == [item.number for item in shipped.items]


def test_the_standard_sheet_has_the_title_and_the_document_headings(shipped: StandardDocument, exported: bytes) -> None:
    workbook = open_workbook(exported)
    sheet = workbook["标准"]

    assert workbook.sheetnames == ["标准", "说明", "量化指标"]
    assert sheet["A1"].value == shipped.title
    assert "A1:G1" in merged(sheet)
    headings = [cell.value for cell in sheet[2]]
    assert headings == ["序号", "考核内容", "工作内容", *shipped.tiers.values(), "分值"]
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.page_setup.orientation == "landscape"


def test_number_and_heading_are_merged_over_a_categorys_items(shipped: StandardDocument, exported: bytes) -> None:
    sheet = open_workbook(exported)["标准"]
    first, last = item_row(shipped, "4.1"), item_row(shipped, "4.4")

    assert last - first == 3
    assert {f"A{first}:A{last}", f"B{first}:B{last}"} <= merged(sheet)
    assert sheet[f"A{first}"].value == 4
    assert sheet[f"B{first}"].value == "制度机制建设（20分）"
    assert [sheet[f"G{row}"].value for row in range(first, last + 1)] == [5, 5, 5, 5]


def test_a_pooled_categorys_points_stand_once_over_its_items(shipped: StandardDocument, exported: bytes) -> None:
    sheet = open_workbook(exported)["标准"]
    first, last = item_row(shipped, "8.1"), item_row(shipped, "8.5")

    assert last - first == 4
    assert sheet[f"G{first}"].value == 20
    assert f"G{first}:G{last}" in merged(sheet)


def test_requirement_cells_carry_their_printed_numbers(shipped: StandardDocument, exported: bytes) -> None:
    sheet = open_workbook(exported)["标准"]
    tier_cells = [sheet.cell(row, column).value for row in range(3, 3 + len(shipped.items)) for column in (4, 5, 6)]

    assert all(cell.startswith("1、") for cell in tier_cells)
    direct_6_1 = sheet[f"F{item_row(shipped, '6.1')}"].value
    assert [line.split("、")[0] for line in direct_6_1.split("\n")] == ["1", "4"]


def test_one_tier_only_leaves_the_other_tier_columns_out(shipped: StandardDocument) -> None:
    sheet = open_workbook(write_standard_xlsx(shipped, tiers=("secondary",)))["标准"]

    assert [cell.value for cell in sheet[2]] == ["序号", "考核内容", "工作内容", shipped.tiers["secondary"], "分值"]
    assert sheet.max_column == 5
    assert sheet["D3"].value.startswith("1、落实区总工会")


def test_a_requirement_line_without_its_number_is_refused_at_its_cell(exported: bytes) -> None:
    def drop_the_number(workbook: Any) -> None:
        workbook["标准"]["D3"] = "出台关于开展学习化社会专题学习或专题培训的意见等文件。"

    assert refusal(exported, drop_the_number) == ["标准!D3"]


def test_a_workbook_without_the_metadata_sheet_is_refused(exported: bytes) -> None:
    assert refusal(exported, lambda workbook: workbook.remove(workbook["说明"])) == ["说明"]


def test_non_numeric_points_are_refused_at_their_cell(exported: bytes) -> None:
    def spell_out(workbook: Any) -> None:
        workbook["标准"]["G3"] = "四分"

    assert refusal(exported, spell_out) == ["标准!G3"]


def test_every_fault_is_reported_at_once_at_its_cell(shipped: StandardDocument, exported: bytes) -> None:
    """Sums that no longer add up are found by parse_standard and still named by cell."""
    row_2_1 = item_row(shipped, "2.1")

    def spoil(workbook: Any) -> None:
        workbook["标准"]["E3"] = "1、落实文件。\n组织学习。"
        workbook["标准"][f"G{row_2_1}"] = 3
        workbook["量化指标"]["A2"] = "9.9"

    assert refusal(exported, spoil) == ["标准!E3", "量化指标!A2", f"标准!B{row_2_1}"]


def test_a_one_tier_export_is_not_read_as_a_standard(shipped: StandardDocument) -> None:
    secondary_only = write_standard_xlsx(shipped, tiers=("secondary",))

    with pytest.raises(StandardInvalid) as refused:
        read_standard_xlsx(io.BytesIO(secondary_only), "x.xlsx")
    assert {path for path, _message in refused.value.errors} == {"标准!2:2"}


def test_cells_written_out_instead_of_merged_read_the_same(shipped: StandardDocument, exported: bytes) -> None:
    """Authors need not merge: a 序号 repeated on every row of a category reads as one category."""
    workbook = open_workbook(exported)
    sheet = workbook["标准"]
    first, last = item_row(shipped, "4.1"), item_row(shipped, "4.4")
    for column in "AB":
        sheet.unmerge_cells(f"{column}{first}:{column}{last}")
        for row in range(first + 1, last + 1):
            sheet[f"{column}{row}"] = sheet[f"{column}{first}"].value
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert content_hash(read_standard_xlsx(buffer, "x.xlsx")) == content_hash(shipped)


# The workbook speaks Chinese: 说明's rows and 量化指标's values are the file's words, never machine keys.

MACHINE_KEYS = {
    "slug",
    "version",
    "title",
    "total_points",
    "grassroots_column",
    "pooled_categories",
    "items",
    "tier_district",
    "tier_secondary",
    "tier_direct",
    "district",
    "secondary",
    "direct",
    "gte",
    "constant",
    "multiple",
    "share",
    "grassroots_units",
    "members",
    *INDICATOR_NAMES,
}


def texts(workbook: Any) -> list[str]:
    cells = (cell for sheet in workbook for row in sheet.iter_rows() for cell in row)
    return [cell.value for cell in cells if isinstance(cell.value, str)]


def rule_rows(workbook: Any) -> list[list[Any]]:
    return [[cell.value for cell in row] for row in workbook["量化指标"].iter_rows(min_row=2)]


def test_the_metadata_sheet_names_its_rows_in_chinese(shipped: StandardDocument, exported: bytes) -> None:
    sheet = open_workbook(exported)["说明"]
    rows = {row[0].value: row[1].value for row in sheet.iter_rows(min_row=2)}

    assert [cell.value for cell in sheet[1]] == ["项目", "值", "填写说明"]
    assert list(rows) == [
        "标识",
        "版本",
        "标题",
        "总分",
        "基层工会所用列",
        "整体评分的类别",
        "区总工会列标题",
        "二级工会列标题",
        "区直属基层工会列标题",
        "条目编号",
    ]
    assert (rows["标识"], rows["版本"], rows["总分"]) == (shipped.slug, shipped.version, 100)
    assert rows["基层工会所用列"] == "区直属基层工会"
    assert rows["整体评分的类别"] == "8"
    assert rows["区直属基层工会列标题"] == "区直属基层工作"


def test_the_rules_sheet_words_every_rule_in_chinese(exported: bytes) -> None:
    workbook = open_workbook(exported)
    rows = rule_rows(workbook)

    assert ["6.1", "大讲堂活动次数", "二级工会", "≥", "倍数", 3, "所辖基层工会数"] in rows
    assert ["6.1", "大讲堂活动次数", "区直属基层工会", "≥", "常数", 5, None] in rows
    assert ["2.2", "创建办公室会议次数", "二级工会", None, None, None, None] in rows  # 定期: shown, no target
    share = next(row for row in workbook["量化指标"].iter_rows(min_row=2) if row[4].value == "比例")
    assert (share[1].value, share[5].value, share[5].number_format) == ("大讲堂参培率", 0.8, "0%")


def test_no_machine_key_is_left_anywhere_in_the_workbook(exported: bytes) -> None:
    assert MACHINE_KEYS.isdisjoint(texts(open_workbook(exported)))


def test_a_workbook_exported_before_the_chinese_words_still_reads_the_same(
    shipped: StandardDocument, exported: bytes
) -> None:
    """说明 rows named slug, version, …, and 量化指标 values gte, multiple, lecture_count, …"""
    workbook = open_workbook(exported)
    keys = {label: key for key, (label, _note) in META_ROWS.items()}
    for (label,) in workbook["说明"].iter_rows(min_row=2, max_col=1):
        label.value = keys[label.value]
    workbook["说明"]["B6"] = "direct"
    words = {
        name: key
        for names in (INDICATOR_NAMES, TIER_NAMES, COMPARISON_NAMES, TARGET_KIND_NAMES, TARGET_BASE_NAMES)
        for key, name in names.items()
    }
    for row in workbook["量化指标"].iter_rows(min_row=2):
        for cell in row[1:]:
            cell.value = words.get(cell.value, cell.value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert content_hash(read_standard_xlsx(buffer, "old.xlsx")) == content_hash(shipped)


def test_a_word_the_rules_sheet_does_not_know_is_refused_with_the_words_it_does(exported: bytes) -> None:
    workbook = open_workbook(exported)
    workbook["量化指标"]["C2"] = "街道"
    workbook["量化指标"]["B3"] = "讲座次数"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with pytest.raises(StandardInvalid) as refused:
        read_standard_xlsx(buffer, "edited.xlsx")

    faults = dict(refused.value.errors)
    assert list(faults) == ["量化指标!C2", "量化指标!B3"]
    assert "区总工会、二级工会、区直属基层工会" in faults["量化指标!C2"]
    assert "大讲堂活动次数" in faults["量化指标!B3"]


def test_a_comparison_and_a_percentage_may_be_typed_as_people_type_them(
    shipped: StandardDocument, exported: bytes
) -> None:
    workbook = open_workbook(exported)
    for row in workbook["量化指标"].iter_rows(min_row=2):
        if row[3].value == "≥":
            row[3].value = ">="
        if row[4].value == "比例":
            row[5].value = "80%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    assert content_hash(read_standard_xlsx(buffer, "typed.xlsx")) == content_hash(shipped)


def test_a_missing_identifier_row_is_named_in_chinese(exported: bytes) -> None:
    workbook = open_workbook(exported)
    workbook["说明"]["B2"] = None
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)

    with pytest.raises(StandardInvalid) as refused:
        read_standard_xlsx(buffer, "edited.xlsx")

    assert refused.value.errors == [("说明!B2", _("The row “%(key)s” is missing or has no value.") % {"key": "标识"})]


@pytest.mark.django_db
def test_the_import_page_speaks_of_the_identifier_and_version_never_of_a_slug(client, district_admin) -> None:
    client.force_login(district_admin)

    page = client.get(reverse("standard:import")).content.decode()

    assert "标识" in page
    assert "版本" in page
    assert "slug" not in page.lower()


@pytest.mark.django_db
def test_an_exported_workbook_imports_back_on_the_import_page(client, district_admin, exported: bytes) -> None:
    client.force_login(district_admin)
    upload = SimpleUploadedFile("标准.xlsx", exported)

    response = client.post(reverse("standard:import"), {"file": upload})

    assert response.status_code == 302
    assert Standard.objects.get().slug == "fangshan-2026-trial"
