"""The document-layout workbook: written like the printed standard, read back to the same standard."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from kaohe.standard.document import StandardDocument, StandardInvalid, content_hash, parse_standard
from kaohe.standard.files import SHIPPED
from kaohe.standard.spreadsheet import read_standard_xlsx, write_standard_xlsx

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
