"""The standard as a workbook laid out like the printed document, and back (docs/standard-xlsx.md).

Sheet 标准 is the document's table, for people to print and edit; 说明 holds what the table cannot show
(标识, 版本, pooled categories, item numbers); 量化指标 holds the rules. Reading builds the YAML-schema
mapping and leaves the checking of the standard itself to `parse_standard`, whose paths
(`categories[3].points`) are turned back into the cells they came from (`标准!B7`).

The workbook speaks Chinese throughout, the rows of 说明 and the values of 量化指标 included (区总工会, ≥,
倍数, 大讲堂活动次数): like the headings, these words are the file's format, never translated. Reading also
takes the machine keys (slug, gte, multiple, lecture_count) that workbooks exported before used.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from kaohe.spreadsheets import clean_text, store_value
from kaohe.standard.document import TIERS, Item, StandardDocument, StandardInvalid, parse_standard

STANDARD_SHEET, META_SHEET, RULES_SHEET = "标准", "说明", "量化指标"
NUMBER, CATEGORY, CONTENT, POINTS = "序号", "考核内容", "工作内容", "分值"
KEY, VALUE = "项目", "值"
RULE_ITEM, RULE_INDICATOR, RULE_TIER, RULE_COMPARISON = "条目", "指标", "层级", "比较"
RULE_KIND, RULE_AMOUNT, RULE_BASE = "目标类型", "目标值", "基数"
RULE_HEADINGS = (RULE_ITEM, RULE_INDICATOR, RULE_TIER, RULE_COMPARISON, RULE_KIND, RULE_AMOUNT, RULE_BASE)
TITLE_ROW, HEADING_ROW = 1, 2  # of the 标准 sheet; the other sheets have their heading in row 1
REQUIRED_META = ("slug", "version", "title", "total_points", "grassroots_column", *(f"tier_{t}" for t in TIERS))
AMOUNT_KEYS = {"constant": "value", "multiple": "factor", "share": "ratio"}

# The file's words for the document's keys, in the order 说明 lists them, each with a note for whoever edits it.
META_ROWS: dict[str, tuple[str, str]] = {
    "slug": ("标识", "标准的代码：小写字母、数字和“-”，如 fangshan-2026-trial；同一标准的各版本标识相同"),
    "version": ("版本", "版本号，从 1 起的整数；载入修订后的标准时用新的版本号"),
    "title": ("标题", "标准的名称，与“标准”表第 1 行相同"),
    "total_points": ("总分", "各类别分值之和，如 100"),
    "grassroots_column": ("基层工会所用列", "二级工会所辖基层工会按哪一列考核：区总工会、二级工会或区直属基层工会"),
    "pooled_categories": ("整体评分的类别", "整体评分（不按条目分别计分）的类别序号，多个用逗号分隔；没有则留空"),
    "tier_district": ("区总工会列标题", "“标准”表中区总工会一列的标题"),
    "tier_secondary": ("二级工会列标题", "“标准”表中二级工会一列的标题"),
    "tier_direct": ("区直属基层工会列标题", "“标准”表中区直属基层工会一列的标题"),
    "items": ("条目编号", "各条目的编号，按“标准”表中的顺序，用逗号分隔；留空则按类别依次编号"),
}
META_KEY_OF_LABEL = {label: key for key, (label, _note) in META_ROWS.items()}
NOTE = "填写说明"  # a third column of 说明, for people; never read
TIER_NAMES = {"district": "区总工会", "secondary": "二级工会", "direct": "区直属基层工会"}
COMPARISON_NAMES = {"gte": "≥"}
TARGET_KIND_NAMES = {"constant": "常数", "multiple": "倍数", "share": "比例"}
TARGET_BASE_NAMES = {"grassroots_units": "所辖基层工会数", "members": "会员人数"}
INDICATOR_NAMES = {
    "training_count": "专题培训次数",
    "leading_group_meetings": "领导小组会议次数",
    "office_meetings": "创建办公室会议次数",
    "lecture_count": "大讲堂活动次数",
    "lecture_participation_rate": "大讲堂参培率",
    "exchange_meetings": "经验交流会次数",
    "education_funds": "职工教育经费支出",
    "honours_district": "区级荣誉数",
    "honours_municipal": "市级荣誉数",
    "honours_national": "国家级荣誉数",
}
# What people type for "at least" besides ≥.
COMPARISON_ALIASES = {">=": "gte", "≧": "gte", "＞＝": "gte", "不少于": "gte", "不低于": "gte"}

REQUIREMENT_LINE = re.compile(r"^\s*(\d+)\s*、\s*(.*\S)\s*$")
CATEGORY_HEADING = re.compile(r"^(?P<title>.+?)\s*[（(]\s*(?P<points>[0-9.]+)\s*分\s*[）)]\s*$", re.DOTALL)
LIST_SEPARATOR = re.compile(r"[,，、\s]+")

# Widths in Excel's units (about one Latin character; a Chinese character takes two). The tier columns share
# what is left of a landscape A4 page, so a one-tier print gets one wide column.
NUMBER_WIDTH, CATEGORY_WIDTH, CONTENT_WIDTH, TIERS_WIDTH, POINTS_WIDTH = 5, 12, 26, 108, 6
LINE_HEIGHT = 15  # points per line of 11-point text
THIN = Side(style="thin")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")


# Writing


def write_standard_xlsx(document: StandardDocument, tiers: Sequence[str] = TIERS) -> bytes:
    unknown = set(tiers) - set(TIERS)
    if unknown or not tiers:
        raise ValueError(f"tiers must be some of {TIERS}, not {sorted(unknown) or 'none'}")
    workbook = Workbook()
    _write_standard_sheet(workbook.active, document, [tier for tier in TIERS if tier in tiers])
    _write_meta_sheet(workbook.create_sheet(META_SHEET), document)
    _write_rules_sheet(workbook.create_sheet(RULES_SHEET), document)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_standard_sheet(sheet: Any, document: StandardDocument, tiers: list[str]) -> None:
    sheet.title = STANDARD_SHEET
    headings = [NUMBER, CATEGORY, CONTENT, *(document.tiers[tier] for tier in tiers), POINTS]
    tier_width = TIERS_WIDTH / len(tiers)
    widths = [NUMBER_WIDTH, CATEGORY_WIDTH, CONTENT_WIDTH, *[tier_width] * len(tiers), POINTS_WIDTH]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    _write_title(sheet, document.title, len(headings))
    for column, heading in enumerate(headings, start=1):
        cell = _put(sheet, HEADING_ROW, column, heading)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADING_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = HEADING_ROW + 1
    for category in document.categories:
        first, heading = row, f"{category.title}（{_plain(category.points)}分）"
        for item in category.items:
            points = category.points if category.pooled and row == first else item.points
            values = [category.number, heading, item.content, *(_requirements_cell(item, tier) for tier in tiers)]
            _write_body_row(sheet, row, [*values, None if points is None else _plain(points)], widths)
            row += 1
        _merge_down(sheet, first, row - 1, [1, 2, len(headings)] if category.pooled else [1, 2])
    _set_up_printing(sheet)


def _write_title(sheet: Any, title: str, columns: int) -> None:
    cell = _put(sheet, TITLE_ROW, 1, title)
    cell.font = Font(bold=True, size=14)
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.merge_cells(start_row=TITLE_ROW, start_column=1, end_row=TITLE_ROW, end_column=columns)
    sheet.row_dimensions[TITLE_ROW].height = 30


def _requirements_cell(item: Item, tier: str) -> str:
    return "\n".join(f"{requirement.number}、{requirement.text}" for requirement in item.requirements[tier])


def _write_body_row(sheet: Any, row: int, values: list[Any], widths: list[float]) -> None:
    centred = {1, 2, len(values)}  # 序号, 考核内容 and 分值 are short; the texts read better left-aligned
    for column, value in enumerate(values, start=1):
        cell = _put(sheet, row, column, value)
        cell.border = BORDER
        horizontal = "center" if column in centred else "left"
        cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
    # Set explicitly so the rows print whole wherever the file is opened: not every program refits the rows
    # of a generated file.
    lines = max(_line_count(str(value or ""), width) for value, width in zip(values, widths, strict=True))
    sheet.row_dimensions[row].height = lines * LINE_HEIGHT + 4


def _line_count(text: str, width: float) -> int:
    usable = max(width - 1, 1)  # the cell's padding
    return sum(max(1, math.ceil(_display_width(line) / usable)) for line in text.split("\n"))


def _display_width(text: str) -> float:
    # Chinese characters and full-width punctuation are a little over two units wide; erring wide costs a blank
    # line at worst, erring narrow cuts text off the printout.
    return sum(2.2 if ord(character) > 0x2E7F else 1 for character in text)


def _merge_down(sheet: Any, first: int, last: int, columns: list[int]) -> None:
    # The top-left cell is styled already; openpyxl carries its border round the merged range.
    if last > first:
        for column in columns:
            sheet.merge_cells(start_row=first, start_column=column, end_row=last, end_column=column)


def _set_up_printing(sheet: Any) -> None:
    sheet.freeze_panes = sheet.cell(HEADING_ROW + 1, 1)
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADING_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = "第 &P 页，共 &N 页"


def _write_meta_sheet(sheet: Any, document: StandardDocument) -> None:
    values: dict[str, Any] = {
        "slug": document.slug,
        "version": document.version,
        "title": document.title,
        "total_points": _plain(document.total_points),
        "grassroots_column": TIER_NAMES[document.grassroots_column],
        "pooled_categories": ",".join(str(c.number) for c in document.categories if c.pooled),
        **{f"tier_{tier}": document.tiers[tier] for tier in TIERS},
        "items": ",".join(item.number for item in document.items),
    }
    rows = [(label, values[key], note) for key, (label, note) in META_ROWS.items()]
    _write_plain_table(sheet, [KEY, VALUE, NOTE], rows, [20, 80, 60])
    for (note,) in sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        note.font = Font(color="666666")


def _write_rules_sheet(sheet: Any, document: StandardDocument) -> None:
    rows = []
    for item in document.items:
        for rule in item.rules:
            target = rule.target
            rows.append(
                (
                    item.number,
                    INDICATOR_NAMES[rule.indicator],
                    TIER_NAMES[rule.tier],
                    COMPARISON_NAMES[rule.comparison] if rule.comparison else "",
                    TARGET_KIND_NAMES[target.kind] if target else "",
                    _plain(target.value) if target else None,
                    TARGET_BASE_NAMES[target.of] if target and target.of else "",
                )
            )
    _write_plain_table(sheet, list(RULE_HEADINGS), rows, [8, 20, 16, 8, 10, 10, 16])
    # Typed into a General cell, 4.10 would become the number 4.1; as text it stays the item number.
    sheet.column_dimensions["A"].number_format = "@"
    for (cell,) in sheet.iter_rows(min_row=2, max_col=1):
        cell.number_format = "@"
    # A ratio reads as the document writes it: 80%, not 0.8.
    for kind, amount in sheet.iter_rows(min_row=2, min_col=5, max_col=6):
        if kind.value == TARGET_KIND_NAMES["share"]:
            amount.number_format = "0%"


def _write_plain_table(sheet: Any, headings: list[str], rows: Sequence[Sequence[Any]], widths: list[int]) -> None:
    for column, heading in enumerate(headings, start=1):
        cell = _put(sheet, 1, column, heading)
        cell.font, cell.fill = Font(bold=True), HEADING_FILL
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            _put(sheet, row_number, column, value)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """The cell, holding the value; text stays text even when it starts like a formula (=, +, -, @)."""
    cell = sheet.cell(row, column)
    store_value(cell, value)
    return cell


def _plain(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


# Reading


@dataclass
class _ItemRow:
    path: str  # of the item in the mapping: categories[i].items[j]
    item: dict[str, Any]
    number_cell: str  # the row's 序号 cell
    counted_number: str  # "4.2", the item's number when 说明 lists none


def read_standard_xlsx(upload: IO[bytes], filename: str) -> StandardDocument:
    try:
        # Not read-only: a read-only sheet does not know its merged ranges.
        workbook = load_workbook(io.BytesIO(upload.read()), data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise StandardInvalid([("(file)", _("The file is not a readable .xlsx workbook."))], filename) from error
    reader = _Reader()
    mapping = reader.read(workbook)
    if mapping is None:
        raise StandardInvalid(reader.faults, filename)
    document_faults: list[tuple[str, str]] = []
    try:
        document = parse_standard(mapping, filename)
    except StandardInvalid as invalid:
        document_faults = [(reader.locate(path), message) for path, message in invalid.errors]
    # A cell the reader could not read fails the document's checks too; one fault per cell is enough.
    faulted = {cell for cell, _message in reader.faults}
    faults = reader.faults + [fault for fault in document_faults if fault[0] not in faulted]
    if faults:
        raise StandardInvalid(faults, filename)
    return document


class _Reader:
    """Builds the YAML-schema mapping from the three sheets, noting every fault and the cell of every value."""

    def __init__(self) -> None:
        self.faults: list[tuple[str, str]] = []
        self.cells: dict[str, str] = {}  # path in the mapping → cell: "categories[3].points" → "标准!B7"
        self.item_rows: list[_ItemRow] = []

    def fault(self, where: str, message: str) -> None:
        self.faults.append((where, message))

    def locate(self, path: str) -> str:
        """The cell of a path in the mapping, or of the nearest path enclosing it that has one."""
        candidate = path
        while candidate not in self.cells:
            shorter = re.sub(r"(\.[^.\[]+|\[\d+\])$", "", candidate)
            if shorter == candidate:
                return path
            candidate = shorter
        return self.cells[candidate]

    def read(self, workbook: Any) -> dict[str, Any] | None:
        """The mapping, or None when the workbook's shape is too far off to read the rest."""
        missing = [name for name in (STANDARD_SHEET, META_SHEET, RULES_SHEET) if name not in workbook.sheetnames]
        for name in missing:
            self.fault(name, _("The workbook has no sheet named “%(sheet)s”.") % {"sheet": name})
        meta = None if missing else self._read_meta(workbook[META_SHEET])
        if meta is None:
            return None
        mapping = self._document_fields(meta)
        pooled = meta["pooled_categories"]
        categories = self._read_table(workbook[STANDARD_SHEET], mapping, {_whole(n) for n in _list(pooled[0])})
        if categories is None or not self._number_items(meta["items"]):
            return None
        self._check_pooled(pooled, categories)
        if not self._read_rules(workbook[RULES_SHEET]):
            return None
        return {**mapping, "categories": categories}

    # 说明

    def _read_meta(self, sheet: Any) -> dict[str, tuple[Any, str]] | None:
        """Each key's value and cell; None when a key the document needs has no value."""
        columns = self._headings(sheet, 1, [KEY, VALUE])
        if columns is None:
            return None
        meta: dict[str, tuple[Any, str]] = {"pooled_categories": (None, META_SHEET), "items": (None, META_SHEET)}
        for row in range(2, sheet.max_row + 1):
            label = clean_text(sheet.cell(row, columns[KEY]).value)
            # A workbook exported before 说明 spoke Chinese names its rows by key (slug, version, …).
            key = META_KEY_OF_LABEL.get(label, label)
            if key:
                meta[key] = (sheet.cell(row, columns[VALUE]).value, _ref(sheet, row, columns[VALUE]))
        empty = [key for key in REQUIRED_META if clean_text(meta.get(key, (None,))[0]) == ""]
        for key in empty:
            where = meta[key][1] if key in meta else META_SHEET
            self.fault(where, _("The row “%(key)s” is missing or has no value.") % {"key": META_ROWS[key][0]})
        return None if empty else meta

    def _document_fields(self, meta: dict[str, tuple[Any, str]]) -> dict[str, Any]:
        for key in ("slug", "version", "title", "total_points", "grassroots_column"):
            self.cells[key] = meta[key][1]
        for tier in TIERS:
            self.cells[f"tiers.{tier}"] = meta[f"tier_{tier}"][1]
        self.cells["categories"] = STANDARD_SHEET
        return {
            "slug": clean_text(meta["slug"][0]),
            "version": _whole(meta["version"][0]),
            "title": clean_text(meta["title"][0]),
            "total_points": meta["total_points"][0],
            "tiers": {tier: clean_text(meta[f"tier_{tier}"][0]) for tier in TIERS},
            "grassroots_column": self.key_of(TIER_NAMES, *meta["grassroots_column"]),
        }

    def _number_items(self, listed: tuple[Any, str]) -> bool:
        """Item numbers as 说明 lists them, in table order; without that row, counted within each category."""
        numbers = _list(listed[0])
        if numbers and len(numbers) != len(self.item_rows):
            message = _("%(listed)s item numbers are listed but the table has %(rows)s items.")
            self.fault(listed[1], message % {"listed": len(numbers), "rows": len(self.item_rows)})
            return False
        for item_row, number in zip(self.item_rows, numbers or [r.counted_number for r in self.item_rows], strict=True):
            item_row.item["number"] = number
            self.cells[f"{item_row.path}.number"] = listed[1] if numbers else item_row.number_cell
        return True

    def _check_pooled(self, pooled: tuple[Any, str], categories: list[dict[str, Any]]) -> None:
        numbers = {category["number"] for category in categories}
        for number in _list(pooled[0]):
            if _whole(number) not in numbers:
                self.fault(pooled[1], _("There is no category %(number)s in the table.") % {"number": number})

    # 标准

    def _read_table(self, sheet: Any, mapping: dict[str, Any], pooled: set[Any]) -> list[dict[str, Any]] | None:
        title = clean_text(sheet.cell(TITLE_ROW, 1).value)
        if title and title != mapping["title"]:
            self.fault(_ref(sheet, TITLE_ROW, 1), _("This title differs from the title in the 说明 sheet."))
        tiers: dict[str, str] = mapping["tiers"]
        columns = self._headings(sheet, HEADING_ROW, [NUMBER, CATEGORY, CONTENT, *tiers.values(), POINTS])
        if columns is None:
            return None
        tier_columns = {tier: columns[heading] for tier, heading in tiers.items()}
        categories: list[dict[str, Any]] = []
        for row in range(HEADING_ROW + 1, sheet.max_row + 1):
            if _blank_row(sheet, row, columns):
                continue
            # A category's 序号 is merged down over its rows, so only its first row has it; a 序号 written
            # again in every row, unmerged, reads the same.
            number = _whole(sheet.cell(row, columns[NUMBER]).value)
            if number is not None and (not categories or number != categories[-1]["number"]):
                categories.append(self._category(sheet, row, columns, number, number in pooled, len(categories)))
            elif not categories:
                self.fault(_ref(sheet, row, columns[NUMBER]), _("The table's first row needs its category number."))
                continue
            self._item(sheet, row, columns, tier_columns, categories)
        return categories

    def _category(
        self, sheet: Any, row: int, columns: dict[str, int], number: Any, pooled: bool, index: int
    ) -> dict[str, Any]:
        path, heading_cell = f"categories[{index}]", _ref(sheet, row, columns[CATEGORY])
        self.cells |= {path: _ref(sheet, row, columns[NUMBER]), f"{path}.title": heading_cell}
        self.cells[f"{path}.points"] = heading_cell
        heading = clean_text(sheet.cell(row, columns[CATEGORY]).value)
        match = CATEGORY_HEADING.match(heading)
        if match is None:
            self.fault(heading_cell, _("Write the category as its title and points, like “学习认识（4分）”."))
        return {
            "number": number,
            "title": match["title"].strip() if match else heading,
            "points": match["points"] if match else None,
            "pooled": pooled,
            "items": [],
        }

    def _item(
        self, sheet: Any, row: int, columns: dict[str, int], tiers: dict[str, int], categories: list[dict[str, Any]]
    ) -> None:
        category = categories[-1]
        path = f"categories[{len(categories) - 1}].items[{len(category['items'])}]"
        points_cell = _ref(sheet, row, columns[POINTS])
        self.cells |= {path: _ref(sheet, row, columns[CONTENT]), f"{path}.points": points_cell}
        points = sheet.cell(row, columns[POINTS]).value
        if category["pooled"]:
            self._check_pooled_points(points, category, points_cell)
            points = None
        item = {
            "number": "",  # set once every row is read: 说明 lists the numbers in table order
            "content": clean_text(sheet.cell(row, columns[CONTENT]).value),
            "points": points,
            "requirements": {
                tier: self._requirements(sheet, row, column, f"{path}.requirements.{tier}")
                for tier, column in tiers.items()
            },
            "rules": [],
        }
        counted = f"{category['number']}.{len(category['items']) + 1}"
        self.item_rows.append(_ItemRow(path, item, _ref(sheet, row, columns[NUMBER]), counted))
        category["items"].append(item)

    def _check_pooled_points(self, value: Any, category: dict[str, Any], cell: str) -> None:
        """A pooled category's points stand once, in its first row (merged over the rest), or not at all."""
        if clean_text(value) == "":
            return
        if category["items"]:
            self.fault(cell, _("Items of a pooled category have no points of their own; leave this cell empty."))
        elif _decimal(value) != _decimal(category["points"]):
            self.fault(cell, _("These points differ from the category's points in its 考核内容 cell."))

    def _requirements(self, sheet: Any, row: int, column: int, path: str) -> list[dict[str, Any]]:
        cell = _ref(sheet, row, column)
        self.cells[path] = cell
        requirements = []
        for line in clean_text(sheet.cell(row, column).value).splitlines():
            match = REQUIREMENT_LINE.match(line)
            if match:
                requirements.append({"number": int(match[1]), "text": match[2]})
            elif line.strip():
                message = _("The line “%(line)s” does not begin with its number, like “1、”.")
                self.fault(cell, message % {"line": _shortened(line)})
        return requirements

    # 量化指标

    def _read_rules(self, sheet: Any) -> bool:
        columns = self._headings(sheet, 1, list(RULE_HEADINGS))
        if columns is None:
            return False
        item_rows = {item_row.item["number"]: item_row for item_row in self.item_rows}
        for row in range(2, sheet.max_row + 1):
            if _blank_row(sheet, row, columns):
                continue
            values = {heading: sheet.cell(row, column).value for heading, column in columns.items()}
            item_row = item_rows.get(clean_text(values[RULE_ITEM]))
            if item_row is None:
                message = _("There is no item %(number)s in the 标准 sheet.") % {"number": values[RULE_ITEM]}
                self.fault(_ref(sheet, row, columns[RULE_ITEM]), message)
                continue
            rules = item_row.item["rules"]
            self._note_rule_cells(sheet, row, columns, f"{item_row.path}.rules[{len(rules)}]")
            rules.append(self._rule(values, lambda heading, row=row: _ref(sheet, row, columns[heading])))
        return True

    def _rule(self, values: dict[str, Any], cell: Any) -> dict[str, Any]:
        """One rule in the document's keys; each word the file uses is turned into its key, or faulted at its
        cell (and then passed on as it was, so that parse_standard's own fault of that cell is dropped)."""
        kind = self.key_of(TARGET_KIND_NAMES, values[RULE_KIND], cell(RULE_KIND))
        target = None
        if kind:
            # An unknown kind still gets an amount key, so parse_standard reports the kind rather than the amount.
            target = {
                "kind": kind,
                AMOUNT_KEYS.get(kind, "value"): _amount(values[RULE_AMOUNT]),
                "of": self.key_of(TARGET_BASE_NAMES, values[RULE_BASE], cell(RULE_BASE)),
            }
        comparison = clean_text(values[RULE_COMPARISON])
        return {
            "indicator": self.key_of(INDICATOR_NAMES, values[RULE_INDICATOR], cell(RULE_INDICATOR)),
            "tier": self.key_of(TIER_NAMES, values[RULE_TIER], cell(RULE_TIER)),
            "comparison": self.key_of(
                COMPARISON_NAMES, COMPARISON_ALIASES.get(comparison, comparison), cell(RULE_COMPARISON)
            )
            or None,
            "target": target,
        }

    def key_of(self, names: dict[str, str], value: Any, cell: str) -> str:
        """The key a cell's word stands for ("倍数" → "multiple"); a key itself is taken as it is; empty stays
        empty; anything else is a fault naming the words the cell may hold."""
        text = clean_text(value)
        keys = {name: key for key, name in names.items()}
        if text in keys:
            return keys[text]
        if text and text not in names:
            self.fault(
                cell,
                _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join(names.values())},
            )
        return text

    def _note_rule_cells(self, sheet: Any, row: int, columns: dict[str, int], path: str) -> None:
        def cell(heading: str) -> str:
            return _ref(sheet, row, columns[heading])

        self.cells |= {
            path: cell(RULE_ITEM),
            f"{path}.indicator": cell(RULE_INDICATOR),
            f"{path}.tier": cell(RULE_TIER),
            f"{path}.comparison": cell(RULE_COMPARISON),
            f"{path}.target": cell(RULE_KIND),
            f"{path}.target.of": cell(RULE_BASE),
            **{f"{path}.target.{amount_key}": cell(RULE_AMOUNT) for amount_key in AMOUNT_KEYS.values()},
        }

    # Shared

    def _headings(self, sheet: Any, row: int, wanted: list[str]) -> dict[str, int] | None:
        """Column of each wanted heading, matched without spaces or line breaks; None when one is missing."""
        found: dict[str, int] = {}
        for column in range(1, sheet.max_column + 1):
            heading = _squeezed(sheet.cell(row, column).value)
            if heading:
                found.setdefault(heading, column)
        absent = [heading for heading in wanted if _squeezed(heading) not in found]
        for heading in absent:
            self.fault(f"{sheet.title}!{row}:{row}", _("No column is headed “%(heading)s”.") % {"heading": heading})
        return None if absent else {heading: found[_squeezed(heading)] for heading in wanted}


def _amount(value: Any) -> Any:
    """A target's number; "80%" typed as text reads as the ratio 0.8, as Excel stores a percentage."""
    text = clean_text(value)
    if text.endswith(("%", "％")) and (number := _decimal(text[:-1])) is not None:
        return number / 100
    return value


def _blank_row(sheet: Any, row: int, columns: dict[str, int]) -> bool:
    return all(clean_text(sheet.cell(row, column).value) == "" for column in columns.values())


def _ref(sheet: Any, row: int, column: int) -> str:
    return f"{sheet.title}!{get_column_letter(column)}{row}"


def _squeezed(value: Any) -> str:
    return re.sub(r"\s+", "", clean_text(value))


def _shortened(line: str) -> str:
    line = line.strip()
    return line if len(line) <= 20 else f"{line[:20]}…"


def _list(value: Any) -> list[str]:
    """A comma-separated 说明 value: "8", "8,9", "1.1,2.1,…" (Excel may have stored a single one as a number)."""
    return [part for part in LIST_SEPARATOR.split(clean_text(value)) if part]


def _whole(value: Any) -> Any:
    """A whole number typed as text or stored as 4.0 reads as 4; blank reads as None; the rest is left as it is
    for parse_standard to refuse at its cell."""
    text = clean_text(value)
    if not text:
        return None
    return int(text) if text.isdecimal() else value


def _decimal(value: Any) -> Decimal | None:
    try:
        number = Decimal(clean_text(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
