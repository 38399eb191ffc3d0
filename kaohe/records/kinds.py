"""The kinds of record, and their columns in import files, templates and exports.

One registry so that the pages, the imports and the exports of every kind agree. Column headings are part
of the file format: Chinese, never translated. Each kind also names its identity: the unit and the columns
that make two records the same, so that an import skips what is already recorded and a person entering a
record twice is asked first.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kaohe.records.models import (
    ACTIVITY_CATEGORY_BY_FILE_NAME,
    Activity,
    Document,
    DocumentKind,
    EducationFund,
    Honour,
    HonourLevel,
    LearningStation,
    Record,
    Team,
    TeamMember,
)

UNIT_CODE = "单位编码"
# Hex digits of a SHA-256 kept per record: 128 bits, so that two different records never share a fingerprint,
# in a column short enough to index cheaply beside a million rows.
FINGERPRINT_LENGTH = 32
# JSON keeps the identity's values apart whatever the text holds; one encoder, as a million records may be digested.
_IDENTITY_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class Cell(StrEnum):
    """How a column's cells are read."""

    UNIT = "unit"  # a unit code, within the importing user's system
    CHOICE = "choice"  # one of `choices` (file name → stored value)
    DATE = "date"  # an Excel date or YYYY-MM-DD
    INTEGER = "integer"  # a whole number ≥ 0
    DECIMAL = "decimal"  # a number ≥ 0
    TEXT = "text"


@dataclass(frozen=True)
class Column:
    heading: str
    field: str  # the model field; "organisation" for the unit
    cell: Cell
    required: bool = True
    choices: dict[str, str] | None = None  # file name → stored value, for CHOICE
    max_length: int | None = None


DOCUMENT_KIND_BY_FILE_NAME: dict[str, str] = {
    "政策文件": DocumentKind.POLICY,
    "制度": DocumentKind.RULES,
    "五年规划": DocumentKind.FIVE_YEAR_PLAN,
    "年度计划": DocumentKind.ANNUAL_PLAN,
    "年度总结": DocumentKind.ANNUAL_SUMMARY,
    "研究成果": DocumentKind.RESEARCH,
    "案例集": DocumentKind.CASES,
    "典型事迹集": DocumentKind.EXEMPLARS,
    "报告": DocumentKind.REPORT,
    "其他": DocumentKind.OTHER,
}
TEAM_BY_FILE_NAME: dict[str, str] = {
    "管理队伍": Team.MANAGEMENT,
    "专兼职教师": Team.TEACHERS,
    "志愿者": Team.VOLUNTEERS,
}
HONOUR_LEVEL_BY_FILE_NAME: dict[str, str] = {
    "区级": HonourLevel.DISTRICT,
    "市级": HonourLevel.MUNICIPAL,
    "国家级": HonourLevel.NATIONAL,
}


@dataclass(frozen=True)
class RecordKind:
    slug: str  # in addresses and on the command line: /records/activities/, import_records activities
    model: type[Record]
    label: str | Promise
    columns: tuple[Column, ...]
    # The fields that make two records the same, the unit ("organisation") first: a second record with all
    # of them equal is a duplicate, whatever its optional details (speaker, note, role, address, …) say.
    identity: tuple[str, ...]
    date_field: str | None = "date"  # what the date-range filter and the year apply to
    category_field: str | None = None  # what the kind filter applies to

    @property
    def headings(self) -> list[str]:
        return [column.heading for column in self.columns]

    @property
    def required_headings(self) -> list[str]:
        return [column.heading for column in self.columns if column.required]

    def fingerprint(self, record: Record) -> str:
        """The digest of the record's identity, as stored in its `fingerprint` (unsaved records too)."""
        values = {}
        for name in self.identity:
            field = record._meta.get_field(name)
            # to_python, so that a value assigned as text ("30", "2026-03-05") digests like the value it stands for.
            values[name] = field.to_python(getattr(record, field.attname))  # type: ignore[union-attr]
        return self.fingerprint_of(values)

    def fingerprint_of(self, values: Mapping[str, Any]) -> str:
        """The digest of an identity given field by field ("organisation": the unit's id), for bulk writers."""
        canonical = _IDENTITY_JSON.encode([_canonical(values[name]) for name in self.identity])
        return hashlib.sha256(canonical.encode()).hexdigest()[:FINGERPRINT_LENGTH]


def _canonical(value: Any) -> Any:
    """One spelling of a value however it arrived: text stripped as imports clean it, 12.50 as 12.5."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value  # unit ids and whole numbers


def _unit() -> Column:
    return Column(UNIT_CODE, "organisation", Cell.UNIT)


def build_kinds() -> dict[str, RecordKind]:
    kinds = [
        RecordKind(
            "activities",
            Activity,
            _("Activities"),
            (
                _unit(),
                Column("活动类别", "category", Cell.CHOICE, choices=ACTIVITY_CATEGORY_BY_FILE_NAME),
                Column("活动日期", "date", Cell.DATE),
                Column("活动名称", "name", Cell.TEXT, max_length=200),
                Column("参加人数", "participants", Cell.INTEGER),
                Column("主讲人", "speaker", Cell.TEXT, required=False, max_length=100),
                Column("地点", "place", Cell.TEXT, required=False, max_length=200),
                Column("备注", "note", Cell.TEXT, required=False),
            ),
            identity=("organisation", "category", "date", "name", "participants"),
            category_field="category",
        ),
        RecordKind(
            "documents",
            Document,
            _("Documents"),
            (
                _unit(),
                Column("类型", "kind", Cell.CHOICE, choices=DOCUMENT_KIND_BY_FILE_NAME),
                Column("标题", "title", Cell.TEXT, max_length=200),
                Column("日期", "date", Cell.DATE),
            ),
            identity=("organisation", "kind", "title", "date"),
            category_field="kind",
        ),
        RecordKind(
            "teams",
            TeamMember,
            _("Teams"),
            (
                _unit(),
                Column("队伍", "team", Cell.CHOICE, choices=TEAM_BY_FILE_NAME),
                Column("姓名", "name", Cell.TEXT, max_length=100),
                Column("职务", "role", Cell.TEXT, required=False, max_length=100),
            ),
            identity=("organisation", "team", "name"),
            date_field=None,
            category_field="team",
        ),
        RecordKind(
            "funds",
            EducationFund,
            _("Education funds"),
            (
                _unit(),
                Column("金额", "amount", Cell.DECIMAL),
                Column("日期", "date", Cell.DATE),
                Column("用途", "purpose", Cell.TEXT, max_length=200),
            ),
            identity=("organisation", "date", "purpose", "amount"),
        ),
        RecordKind(
            "honours",
            Honour,
            _("Honours"),
            (
                _unit(),
                Column("级别", "level", Cell.CHOICE, choices=HONOUR_LEVEL_BY_FILE_NAME),
                Column("荣誉名称", "title", Cell.TEXT, max_length=200),
                Column("日期", "date", Cell.DATE),
            ),
            identity=("organisation", "level", "title", "date"),
            category_field="level",
        ),
        RecordKind(
            "stations",
            LearningStation,
            _("Learning stations"),
            (
                _unit(),
                Column("名称", "name", Cell.TEXT, max_length=200),
                Column("地址", "address", Cell.TEXT, required=False, max_length=200),
                Column("面积", "area", Cell.DECIMAL, required=False),
                Column("教学设备", "equipment", Cell.TEXT, required=False),
            ),
            identity=("organisation", "name"),
            date_field=None,
        ),
    ]
    return {kind.slug: kind for kind in kinds}


KINDS = build_kinds()


def kind_or_404(slug: str) -> RecordKind:
    if slug not in KINDS:
        raise Http404
    return KINDS[slug]


def kind_of(record: Record) -> RecordKind:
    return next(kind for kind in KINDS.values() if isinstance(record, kind.model))


def file_name_of(column: Column, value: str) -> str:
    """The name a stored choice is written as in exports: the first file name that maps to it."""
    assert column.choices is not None  # noqa: S101 (for mypy: a choice column has choices)
    return next(name for name, stored in column.choices.items() if stored == value)
