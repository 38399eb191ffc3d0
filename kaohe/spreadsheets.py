"""Reading and writing the tables people exchange with kaohe: xlsx from Excel or WPS, and csv.

Imports of every kind share the reader, so that every import reports the same way: by row number as
the spreadsheet shows it (the heading is row 1) and by column heading as written in the file.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook to download; the name is ASCII so that every browser keeps it."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


MAX_ROWS = 200_000


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet shows it: the heading is row 1
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


def read_table(upload: IO[bytes], filename: str, required: Sequence[str]) -> Table:
    """Rows of the first sheet keyed by heading; refuses a file that lacks a required column."""
    content = upload.read()
    if filename.lower().endswith(".csv"):
        table = _read_csv(content)
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(content)
    else:
        raise ImportRefused([RowError(0, "", _("Only .xlsx and .csv files can be imported."))])
    missing = [heading for heading in required if heading not in table.headings]
    if missing:
        raise ImportRefused([RowError(1, heading, _("This required column is missing.")) for heading in missing])
    if not table.rows:
        raise ImportRefused([RowError(2, "", _("The file has no data rows."))])
    return table


def _read_csv(content: bytes) -> Table:
    # Excel on Chinese Windows saves csv as GB18030 (GBK); everything else writes UTF-8, often with a BOM.
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("gb18030")
        except UnicodeDecodeError as error:
            raise ImportRefused([RowError(0, "", _("The file is not readable text (UTF-8 or GBK)."))]) from error
    return _table_from_lines(csv.reader(io.StringIO(text)))


def _read_xlsx(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged or foreign file
        raise ImportRefused([RowError(0, "", _("The file is not a readable .xlsx workbook."))]) from error
    try:
        sheet = workbook.worksheets[0]
        return _table_from_lines(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _table_from_lines(lines: Iterable[Sequence[Any]]) -> Table:
    iterator = iter(lines)
    header = next(iterator, None) or []
    headings = [clean_text(cell) for cell in header]
    table = Table(headings=headings)
    for number, line in enumerate(iterator, start=2):
        if number > MAX_ROWS + 1:
            raise ImportRefused([RowError(number, "", _("A file may hold at most 200,000 rows."))])
        if all(clean_text(cell) == "" for cell in line):
            continue
        row = {heading: line[index] if index < len(line) else None for index, heading in enumerate(headings)}
        table.rows.append((number, row))
    return table


def clean_text(value: Any) -> str:
    """A cell as text: numbers that Excel stored as 1001.0 read back as 1001."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value).strip()


def write_xlsx(title: str, headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold heading row; write-only so that tens of thousands of rows stay cheap."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(heading) * 3)
    sheet.append([_bold(sheet, heading) for heading in headings])
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold(sheet: Any, value: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = Font(bold=True)
    return cell
