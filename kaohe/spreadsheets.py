"""Reading and writing the tables people exchange with kaohe: xlsx from Excel or WPS, and csv.

Imports of every kind share the reader, so that every import reports the same way: by row number as
the spreadsheet shows it (the heading is row 1, or row 2 under a title row as kaohe's own exports have it)
and by column heading as written in the file.

Every export goes through `write_report`, so that each one is ready to hand on (a title, frozen headings,
a filter, widths, numbers as numbers) and none can carry a formula it did not mean to: text that a
spreadsheet would run (=HYPERLINK(…), +1, -1, @SUM(…)) is stored as text, whoever typed it.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any
from urllib.parse import quote

from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from kaohe import limits

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_ROWS = limits.TABLE_MAX_ROWS
# The part openpyxl holds whole while it streams the sheet (kaohe.limits).
SHARED_STRINGS = "xl/sharedStrings.xml"
# Our exports put a title above the headings; people add a line or two of their own. Beyond that, row 1.
HEADING_SEARCH_ROWS = 5
# Exports write money headings as 金额（元）; imports know the column as 金额.
YUAN_SUFFIX = re.compile(r"\s*[（(]\s*元\s*[）)]\s*$")


# Reading


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the heading is row 1 (row 2 under a title row)
    column: str  # the heading, as in the file; empty when the fault is the file's
    message: str

    def __str__(self) -> str:
        if self.column:
            return _("Row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class ImportRefused(Exception):
    """The file is refused whole; nothing was written."""

    def __init__(self, errors: Sequence[RowError]):
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = list(errors)


@dataclass
class Table:
    headings: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    heading_row: int = 1  # as the spreadsheet shows it


def read_table(upload: IO[bytes], filename: str, required: Sequence[str]) -> Table:
    """Rows of the first sheet keyed by heading; refuses a file that lacks a required column.

    The heading row is the one among the first few that holds the required headings, so a file exported
    by kaohe (title in row 1, headings in row 2) imports back as it is. A file larger than the import limit
    is refused before it is read whole, an xlsx that would unpack beyond kaohe.limits before it is opened.
    """
    if filename.lower().endswith(".csv"):
        table = _read_csv(_content_within_limit(upload), required)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(_content_within_limit(upload), required)
    else:
        raise ImportRefused([RowError(0, "", _("Only .xlsx and .csv files can be imported."))])
    missing = [heading for heading in required if heading not in table.headings]
    if missing:
        message = _("This required column is missing.")
        raise ImportRefused([RowError(table.heading_row, heading, message) for heading in missing])
    if not table.rows:
        raise ImportRefused([RowError(table.heading_row + 1, "", _("The file has no data rows."))])
    return table


def _content_within_limit(upload: IO[bytes]) -> bytes:
    """The file's bytes, refused by size before they are read (or, where the size cannot be known, read no
    further than one byte past the limit)."""
    max_bytes = limits.import_file_max_bytes()
    size = _size_of(upload)
    if size is not None and (message := limits.file_size_fault(size, max_bytes)):
        raise ImportRefused([RowError(0, "", message)])
    content = upload.read(max_bytes + 1)
    if message := limits.file_size_fault(len(content), max_bytes):
        raise ImportRefused([RowError(0, "", message)])
    return content


def _size_of(upload: IO[bytes]) -> int | None:
    """What is left to read: an upload knows its size, a file on disk or in memory can be asked."""
    size = getattr(upload, "size", None)
    if isinstance(size, int):
        return size
    try:
        position = upload.tell()
        end = upload.seek(0, io.SEEK_END)
        upload.seek(position)
    except (AttributeError, OSError, ValueError):
        return None
    return end - position


def _read_csv(content: bytes, required: Sequence[str]) -> Table:
    # Excel on Chinese Windows saves csv as GB18030 (GBK); everything else writes UTF-8, often with a BOM.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise ImportRefused([RowError(0, "", _("The file is not readable text (UTF-8 or GBK)."))]) from error
    # newline="": line breaks inside quoted cells stay in the cell, and a lone \r ends a line as in Excel.
    return _table_from_lines(_csv_lines(csv.reader(io.StringIO(text, newline=""))), required)


def _csv_lines(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    """The csv's lines, a fault of the file (a field over the csv limit, a stray quote) refused by row."""
    row = 0
    while True:
        try:
            line = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportRefused([RowError(row + 1, "", _csv_fault(error))]) from error
        row += 1
        yield line[: limits.TABLE_MAX_COLUMNS]


def _csv_fault(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return _("A cell holds more than %(max)s characters, more than any column allows.") % {
            "max": f"{limits.CSV_FIELD_MAX_CHARS:,}"
        }
    return _("The line cannot be read as csv.")


def _read_xlsx(content: bytes, required: Sequence[str]) -> Table:
    _check_xlsx_archive(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRefused([_unreadable_xlsx()]) from error
    try:
        # At most TABLE_MAX_COLUMNS: a sheet claiming 16,384 columns must not make every row that wide.
        width = min(sheet.max_column or limits.TABLE_MAX_COLUMNS, limits.TABLE_MAX_COLUMNS)
        lines = sheet.iter_rows(max_col=width, values_only=True)
        return _table_from_lines(_xlsx_lines(lines), required)
    finally:
        workbook.close()


def _xlsx_lines(lines: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    """The sheet's lines; a sheet that breaks off (a truncated file, a damaged part) is refused, not a 500."""
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except Exception as error:  # zipfile, zlib, XML and openpyxl's own errors alike
            raise ImportRefused([_unreadable_xlsx()]) from error
        yield line


def _unreadable_xlsx() -> RowError:
    return RowError(0, "", _("The file is not a readable .xlsx workbook."))


def check_xlsx_archive(content: bytes, max_unpacked: int = limits.XLSX_MAX_UNPACKED_BYTES) -> str | None:
    """Why an xlsx may not be opened (too many parts, too large unpacked, compressed like a zip bomb), or None.

    Only the zip's directory is read: nothing is unpacked. See kaohe.limits for the bounds and why they hold.
    """
    # Every part zipfile would list starts with this signature; counting them first keeps a directory of a
    # million parts from being read into memory at all.
    if content.count(b"PK\x01\x02") > limits.XLSX_MAX_PARTS:
        return _("The workbook has more than %(max)s parts.") % {"max": f"{limits.XLSX_MAX_PARTS:,}"}
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return _("The file is not a readable .xlsx workbook.")
    return _parts_fault(parts, max_unpacked)


def _parts_fault(parts: list[zipfile.ZipInfo], max_unpacked: int) -> str | None:
    if sum(part.file_size for part in parts) > max_unpacked:
        return _unpacks_beyond(max_unpacked)
    for part in parts:
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Excel and WPS only store or deflate; bzip2 and lzma unpack without a bound per read.
            return _("The file is not a readable .xlsx workbook.")
        if part.filename == SHARED_STRINGS and part.file_size > limits.XLSX_MAX_SHARED_STRINGS_BYTES:
            return _unpacks_beyond(limits.XLSX_MAX_SHARED_STRINGS_BYTES)
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.XLSX_RATIO_CHECKED_FROM and ratio > limits.XLSX_MAX_RATIO:
            return _("The workbook is compressed far more than a spreadsheet can be; it is refused unread.")
    return None


def _unpacks_beyond(max_bytes: int) -> str:
    return _("The workbook would unpack to more than %(max)s; kaohe reads workbooks up to that size.") % {
        "max": filesizeformat(max_bytes)
    }


def _check_xlsx_archive(content: bytes) -> None:
    message = check_xlsx_archive(content)
    if message:
        raise ImportRefused([RowError(0, "", message)])


def _table_from_lines(lines: Iterable[Sequence[Any]], required: Sequence[str]) -> Table:
    iterator = iter(lines)
    top = list(itertools.islice(iterator, HEADING_SEARCH_ROWS))
    heading_index = _heading_index(top, required)
    # Columns after the last heading are someone's notes, or only a sheet's declared width.
    headings = _without_trailing_blanks(_headings(top[heading_index])) if top else []
    table = Table(headings=headings, heading_row=heading_index + 1)
    below = itertools.chain(top[heading_index + 1 :], iterator)
    for number, line in enumerate(below, start=table.heading_row + 1):
        if number > MAX_ROWS + table.heading_row:
            raise ImportRefused([RowError(number, "", _("A file may hold at most 200,000 rows."))])
        if all(clean_text(cell) == "" for cell in line):
            continue
        row = {heading: line[index] if index < len(line) else None for index, heading in enumerate(headings)}
        table.rows.append((number, row))
    return table


def _without_trailing_blanks(headings: list[str]) -> list[str]:
    end = len(headings)
    while end and not headings[end - 1]:
        end -= 1
    return headings[:end]


def _heading_index(top: list[Sequence[Any]], required: Sequence[str]) -> int:
    """The line holding the most required headings; the first line when none holds any (it reports as row 1)."""
    found = [len(set(required) & set(_headings(line))) for line in top]
    if not found or max(found) == 0:
        return 0
    return found.index(max(found))


def _headings(line: Sequence[Any]) -> list[str]:
    written = [clean_text(cell) for cell in line]
    return [_bare_heading(heading, written) for heading in written]


def _bare_heading(heading: str, written: list[str]) -> str:
    """金额（元） reads as 金额, unless the file has a 金额 column of its own."""
    bare = YUAN_SUFFIX.sub("", heading)
    return heading if bare in written else bare


def clean_text(value: Any) -> str:
    """A cell as text: numbers that Excel stored as 1001.0 read back as 1001."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    try:
        return str(value).strip()
    except ValueError:  # an int of more than 4,300 digits, which Python will not write out
        return str(Decimal(value))


# Cells that are never formulas


MAX_CELL_TEXT = 32_767  # characters a cell holds in Excel
# What Excel, WPS and LibreOffice take as the start of a formula when a cell is typed or a csv is opened.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value: Any) -> str:
    """Text as a cell can hold it: without the control characters that XML forbids (an export must not fail
    over a stray escape character pasted into a name), and no longer than Excel allows."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))[:MAX_CELL_TEXT]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def store_text(cell: Cell, value: Any) -> None:
    """Puts text into a cell as a string, never as a formula, whatever it starts with.

    openpyxl's value setter turns text that starts with = into a formula, so the type is set here directly.
    The text stays as it was typed (no apostrophe added); the quote-prefix style keeps Excel and WPS from
    running it when someone edits the cell.
    """
    text = cell_text(value)
    cell._value = text or None
    cell.data_type = "s" if text else "n"
    if looks_like_formula(text):
        cell.quotePrefix = True


def store_value(cell: Cell, value: Any) -> None:
    """A value into a cell: text as text (never a formula), numbers, dates and None as themselves."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        cell.value = value
    else:
        store_text(cell, value)


# Writing reports


class Format(StrEnum):
    """What a column holds, which decides its cells' type, number format and width."""

    TEXT = "text"
    CODE = "code"  # always text, even when it looks like a number: 0012 stays 0012
    COUNT = "count"  # whole numbers: 1,234
    MONEY = "money"  # 元 with two decimals: 1,234.50
    PERCENT = "percent"  # the fraction, shown as a percentage: 0.8 → 80.0%
    DATE = "date"
    DECIMAL = "decimal"  # other numbers, as precise as they are


@dataclass(frozen=True)
class ExportColumn:
    heading: str
    format: Format = Format.TEXT
    width: float | None = None  # None: from the heading and the format


DATE_FORMAT, DATE_TIME_FORMAT = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
NUMBER_FORMATS = {
    Format.TEXT: "General",
    Format.CODE: "@",  # Text: a code typed over in Excel stays a code, 0012 does not become 12
    Format.COUNT: "#,##0",
    Format.MONEY: "#,##0.00",
    Format.PERCENT: "0.0%",
    Format.DATE: DATE_FORMAT,
    Format.DECIMAL: "General",  # as many decimals as the number has, and no trailing point
}
# Widths in Excel's units (about one Latin character); wide enough for the values a column of that kind holds.
MIN_WIDTHS = {
    Format.TEXT: 24,
    Format.CODE: 14,
    Format.COUNT: 10,
    Format.MONEY: 14,
    Format.PERCENT: 10,
    Format.DATE: 12,
    Format.DECIMAL: 12,
}
MAX_WIDTH = 60
HEADING_PADDING = 4  # the filter's drop-down button sits at the right of the heading
TITLE_ROW, HEADING_ROW = 1, 2
TITLE_SEPARATOR = " · "
TITLE_FONT, HEADING_FONT = Font(bold=True, size=14), Font(bold=True)
HEADING_FILL = PatternFill("solid", fgColor="D9D9D9")


def write_report(
    title: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], sheet_name: str = ""
) -> bytes:
    """Title row, frozen bold headings, filter, widths, typed and formula-safe cells; write-only so 100,000 rows
    stay cheap. A None cell stays empty; each row has one value per column."""
    if not columns:
        raise ValueError("a report needs at least one column")
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, sheet_name or title)
    last_column = get_column_letter(len(columns))
    _set_widths(sheet, columns)
    _set_up_printing(sheet)
    sheet.freeze_panes = f"A{HEADING_ROW + 1}"
    if len(columns) > 1:
        sheet.merged_cells.add(f"A{TITLE_ROW}:{last_column}{TITLE_ROW}")
    sheet.row_dimensions[TITLE_ROW].height = 24
    sheet.append([_title_cell(sheet, title)])
    sheet.append([_heading_cell(sheet, column.heading) for column in columns])
    makers = [_CellMaker(sheet, column.format) for column in columns]
    last_row = HEADING_ROW
    for row in rows:
        sheet.append([make(value) for make, value in zip(makers, row, strict=True)])
        last_row += 1
    sheet.auto_filter.ref = f"A{HEADING_ROW}:{last_column}{last_row}"
    return _saved(workbook)


class _CellRowsSheet(WriteOnlyWorksheet):
    """A write-only sheet whose rows hold cells made by `_CellMaker` (or None) and nothing else.

    openpyxl's own write-only rows first try each item as a plain value and fall back on a cell when that
    fails, which costs a third of the time of a large export.
    """

    def _values_to_row(self, values: Sequence[Cell | None], row_idx: int) -> Iterator[Cell]:
        for col_idx, cell in enumerate(values, 1):
            if cell is not None:
                cell.column, cell.row = col_idx, row_idx
                yield cell


def _new_sheet(workbook: Workbook, name: str) -> _CellRowsSheet:
    sheet = _CellRowsSheet(parent=workbook, title=sheet_title(name))
    workbook._add_sheet(sheet)
    return sheet


def report_title(*parts: str) -> str:
    """活动 · 城关街道总工会（含下级） · 2026-01-01 至 2026-12-31: what a report holds, most general first."""
    return TITLE_SEPARATOR.join(part for part in parts if part)


def with_units_under(unit_name: str) -> str:
    """A unit in a report's title when the report covers its whole system."""
    return _("%(unit)s (with the units under it)") % {"unit": unit_name}


def column_width(column: ExportColumn) -> float:
    if column.width is not None:
        return column.width
    return min(MAX_WIDTH, max(MIN_WIDTHS[column.format], display_width(column.heading) + HEADING_PADDING))


def display_width(text: str) -> int:
    """Excel's width of a text: Chinese characters and full-width punctuation take two units."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: at most 31 characters, none of []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", cell_text(name)).strip().strip("'")[:31].strip()
    return title or "Sheet1"


def _set_widths(sheet: Any, columns: Sequence[ExportColumn]) -> None:
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width(column)


def _set_up_printing(sheet: Any) -> None:
    """Printed, every page repeats the title and headings and the columns fit the page's width."""
    sheet.print_title_rows = f"{TITLE_ROW}:{HEADING_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as it takes


def _title_cell(sheet: Any, title: str) -> Cell:
    cell = _new_cell(sheet)
    store_text(cell, title)
    cell.font = TITLE_FONT
    cell.alignment = Alignment(horizontal="center", vertical="center")
    return cell


def _heading_cell(sheet: Any, heading: str) -> Cell:
    cell = _new_cell(sheet)
    store_text(cell, heading)
    cell.font, cell.fill = HEADING_FONT, HEADING_FILL
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return cell


class _CellMaker:
    """Makes the cells of one column: each typed by what its value is (a code always as text), text never a
    formula. Numbers, dates and text each get the column's style, worked out once rather than per cell."""

    def __init__(self, sheet: Any, column_format: Format):
        self.sheet = sheet
        self.format = column_format
        self.number = self._style(NUMBER_FORMATS[column_format])
        self.date = self._style(DATE_FORMAT)
        self.date_time = self._style(DATE_TIME_FORMAT)
        text_format = "@" if column_format is Format.CODE else "General"
        self.text = self._style(text_format)
        self.guarded_text = self._style(text_format, quote_prefix=True)

    def _style(self, number_format: str, quote_prefix: bool = False) -> Any:
        prototype = _new_cell(self.sheet)
        prototype.number_format = number_format
        if quote_prefix:
            prototype.quotePrefix = True
        return prototype._style

    def __call__(self, value: Any) -> Cell | None:
        if value is None:
            return None
        if self.format is Format.CODE:
            return self._text(clean_text(value))
        if isinstance(value, bool):
            return self._cell(value, "b", self.text)
        if isinstance(value, int | float | Decimal):
            return self._cell(value, "n", self.number) if _finite(value) else None
        if isinstance(value, datetime.datetime):
            return self._date_time(value)
        if isinstance(value, datetime.date):
            return self._cell(value, "d", self.date)
        return self._text(value)

    def _date_time(self, value: datetime.datetime) -> Cell:
        if timezone.is_aware(value):  # Excel knows no time zones: the time as people here read it
            value = timezone.localtime(value).replace(tzinfo=None)
        if self.format is Format.DATE:
            return self._cell(value.date(), "d", self.date)
        return self._cell(value, "d", self.date_time)

    def _cell(self, value: Any, data_type: str, style: Any) -> Cell:
        # The type is set directly, as openpyxl's setter would for these values, at a fraction of the cost.
        cell = _new_cell(self.sheet, style)
        cell._value, cell.data_type = value, data_type
        return cell

    def _text(self, value: Any) -> Cell | None:
        text = cell_text(value)
        if not text:
            return None
        cell = _new_cell(self.sheet, self.guarded_text if looks_like_formula(text) else self.text)
        cell._value, cell.data_type = text, "s"
        return cell


def _new_cell(sheet: Any, style: Any = None) -> Cell:
    # Where a write-only row puts the cell is set as it is written; row and column only need to be numbers.
    return Cell(sheet, row=1, column=1, style_array=style)


def _finite(value: int | float | Decimal) -> bool:
    return not isinstance(value, float | Decimal) or math.isfinite(value)


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_xlsx(title: str, headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One plain sheet, bold headings in row 1 and no title: the import templates, which people fill in.

    Its cells are as safe as a report's; exports meant to be read use `write_report`."""
    workbook = Workbook(write_only=True)
    sheet = _new_sheet(workbook, title)
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, display_width(heading) + HEADING_PADDING)
    sheet.append([_heading_cell(sheet, heading) for heading in headings])
    make = _CellMaker(sheet, Format.TEXT)
    for row in rows:
        sheet.append([make(value) for value in row])
    return _saved(workbook)


# Downloading


def export_response(content: bytes, filename: str, *, ascii_filename: str = "") -> HttpResponse:
    """An xlsx download whose (possibly Chinese) name every browser keeps.

    Browsers that read RFC 5987 take the UTF-8 name; the others take the ASCII one, given or derived.
    """
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(filename, ascii_filename)
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download under an ASCII name (the standard's and the templates' files)."""
    return export_response(content, filename)


def attachment_header(filename: str, ascii_filename: str = "") -> str:
    name = safe_filename(filename)
    fallback = ascii_only_filename(ascii_filename or name)
    header = content_disposition_header(True, fallback) or "attachment"
    if name != fallback:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def safe_filename(filename: str) -> str:
    """A name every system can save: no path separators, reserved or control characters."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]+', "_", filename).strip(" .") or "export.xlsx"


def ascii_only_filename(filename: str) -> str:
    """活动-YX-S1-2026.xlsx → YX-S1-2026.xlsx: what is left in ASCII, for browsers that know only that."""
    stem, dot, extension = safe_filename(filename).rpartition(".")
    if not dot:
        stem, extension = extension, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem)
    ascii_stem = re.sub(r"-{2,}", "-", ascii_stem).strip("-_.") or "export"
    return f"{ascii_stem}.{extension}" if extension else ascii_stem
