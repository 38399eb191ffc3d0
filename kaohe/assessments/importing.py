"""The round's two spreadsheets: the reviewer's paper score sheet (written here, read back by
actions.import_reviews) and a past year's final scores (READING.md, "The round of a year", read by
actions.import_past_cycle). Their headings are part of the file format, so they are Chinese and never
translated; faults are reported by row and heading as every import reports them (kaohe.spreadsheets).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet

from kaohe.spreadsheets import ExportColumn, Format, Table, read_table, report_title, write_report

# The review sheet: one row per unit and item, the last two columns filled in by the reviewer.
UNIT = "单位编码"
UNIT_NAME = "单位名称"
ITEM = "条目"
POINTS = "分值"
SELF = "自评分"
PROPOSED = "建议分"
FINAL = "最终得分"
REASON = "理由"
REVIEW_COLUMNS = (
    ExportColumn(UNIT, Format.CODE),
    ExportColumn(UNIT_NAME, width=30),
    ExportColumn(ITEM, Format.CODE, width=8),
    ExportColumn(POINTS, Format.DECIMAL, width=8),
    ExportColumn(SELF, Format.DECIMAL, width=10),
    ExportColumn(PROPOSED, Format.DECIMAL, width=10),
    ExportColumn(FINAL, Format.DECIMAL, width=12),
    ExportColumn(REASON, width=40),
)
REVIEW_REQUIRED = (UNIT, ITEM, FINAL, REASON)

# A past year's file: 单位编码, 条目 (6.1, or 8 for category 8), 得分.
PAST_SCORE = "得分"
PAST_REQUIRED = (UNIT, ITEM, PAST_SCORE)

Rows = Sequence[tuple[int, dict[str, Any]]]


def review_sheet(title: str, items: QuerySet[Any]) -> bytes:
    """The sheet of every item of the assessments `items` belong to, unit by unit in tree order."""
    rows = items.order_by("assessment__organisation__path", "position").values_list(
        "assessment__organisation__code",
        "assessment__organisation__name",
        "number",
        "points",
        "self_score",
        "proposed",
        "final_score",
        "reason",
    )
    return write_report(title, REVIEW_COLUMNS, (_plain_numbers(row) for row in rows.iterator(chunk_size=2000)))


def review_sheet_title(cycle_name: str, reviewer: str) -> str:
    return report_title(cycle_name, reviewer)


def _plain_numbers(row: Iterable[Any]) -> list[Any]:
    """Scores as Excel shows them best: 15 rather than 15.0, 14.5 as it is."""
    return [_number(value) if isinstance(value, Decimal) else value for value in row]


def _number(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value.normalize()


def read_review_sheet(upload: IO[bytes], filename: str) -> Table:
    return read_table(upload, filename, REVIEW_REQUIRED)


def read_past_year_file(upload: IO[bytes], filename: str) -> Table:
    return read_table(upload, filename, PAST_REQUIRED)
