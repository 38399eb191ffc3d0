"""Units files as people make them: csv from WPS or Excel, xlsx with numbers stored as floats."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

HEADINGS = ["单位编码", "单位名称", "上级单位编码", "单位类别", "会员人数"]


def csv_bytes(rows: Sequence[Sequence[Any]], headings: Sequence[str] = HEADINGS, encoding: str = "utf-8-sig") -> bytes:
    lines = [",".join(headings)] + [",".join(str(cell) for cell in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(rows: Sequence[Sequence[Any]], headings: Sequence[str] = HEADINGS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headings))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)
