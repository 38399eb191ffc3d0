"""A year of records for the demo district, so that every page shows what it is for.

Every kind of record has entries: activities (lectures with their speakers, meetings, trainings, exchange
meetings and the other activities the standard names), documents with small real files (Word documents
that open), the three teams, learning stations, education funds and honours; some units are well ahead of
their targets and some behind. Deterministic: the same year and unit give the same records.

Nothing is dated after today, and nothing is made twice: a unit that has records of a kind in the year (any
record, for the kinds without a date: teams and stations) gets none of that kind, so running the demo
again only fills in what is missing.
"""

from __future__ import annotations

import datetime
import io
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from kaohe.organisations.models import Category, Organisation
from kaohe.records.kinds import KINDS
from kaohe.records.models import (
    Activity,
    ActivityCategory,
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

TOPICS = ["职工读书分享会", "安全生产讲座", "法律知识讲座", "心理健康讲座", "技能提升课堂", "劳模工匠讲堂"]
SPEAKERS = [
    "区委党校 王建华",
    "区人民医院 李晓燕",
    "区司法局 赵明",
    "劳动模范 孙国强",
    "区图书馆 周敏",
    "高级技师 陈立新",
    "区总工会 刘春梅",
    "心理咨询师 杨帆",
]
PLACES = ["职工之家", "会议室", "职工书屋", "多功能厅"]
OTHER_ACTIVITIES = {
    ActivityCategory.LIFELONG_LEARNING: ["全民阅读月活动", "职工网上学习竞赛"],
    ActivityCategory.WORKER_ACTIVITY: ["职工技能比武", "职工健步走"],
    ActivityCategory.PUBLIC_WELFARE: ["社区志愿服务", "义务植树"],
    ActivityCategory.SELECTION: ["学习型班组评选", "书香职工评选"],
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN_NAMES = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建国",
    "海燕",
    "志刚",
    "文华",
]
TEAM_ROLES = {
    Team.MANAGEMENT: ["主任", "副主任", "干事", "联络员"],
    Team.TEACHERS: ["专职教师", "兼职教师"],
    Team.VOLUNTEERS: ["志愿者", "志愿者骨干"],
}
HONOUR_TITLES = {
    HonourLevel.DISTRICT: ["先进职工之家", "学习型班组", "优秀职工书屋"],
    HonourLevel.MUNICIPAL: ["市级模范职工之家", "市级学习型组织"],
    HonourLevel.NATIONAL: ["全国模范职工之家"],
}
FILE_TIME = (2026, 1, 1, 0, 0, 0)  # inside every demo file, so that the same document is the same bytes


def today() -> datetime.date:
    """The federation's today (settings.TIME_ZONE): no demo record is dated after it."""
    return timezone.localdate()


class FutureYear(ValueError):
    """A year after today's: every record of it would lie in the future."""


@dataclass
class Made:
    """How many records of each kind were added, by the kind's name on the command line (activities, …)."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def add_demo_records(year: int, units: list[Organisation] | None = None) -> Made:
    """Adds the year's records to every active unit (or to `units`), kind by kind, where it has none."""
    last = min(datetime.date(year, 12, 31), today())
    if last.year < year:
        raise FutureYear(year)
    if units is None:
        units = list(Organisation.objects.filter(is_active=True).order_by("path"))
    days = (last - datetime.date(year, 1, 1)).days + 1
    counts: dict[str, int] = {}
    with transaction.atomic():
        for model, make in MAKERS:
            done = _units_with_records(model, year)
            records = [
                record
                for unit in units
                if unit.pk not in done
                for record in make(_Maker(year, days, unit, model.__name__))
            ]
            model.objects.bulk_create(records, batch_size=2000)
            counts[next(kind.slug for kind in KINDS.values() if kind.model is model)] = len(records)
    return Made(counts)


def _units_with_records(model: type[Record], year: int) -> set[int]:
    records = model.objects.all()
    if any(field.name == "date" for field in model._meta.get_fields()):
        records = records.filter(date__year=year)
    return set(records.values_list("organisation_id", flat=True).distinct())


class _Maker:
    """What making one unit's records of one kind needs: the unit, a random source of its own, and days."""

    def __init__(self, year: int, days: int, unit: Organisation, kind: str):
        self.year, self.days, self.unit = year, days, unit
        # Seeded by year, unit and kind: a unit's records do not depend on which other units got theirs.
        self.rng = random.Random(f"{year}:{unit.code}:{kind}")  # noqa: S311 (made-up demo data, not a secret)
        self.tier = unit.category

    def day(self) -> datetime.date:
        return datetime.date(self.year, 1, 1) + datetime.timedelta(days=self.rng.randrange(self.days))

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN_NAMES)

    @property
    def is_grassroots(self) -> bool:
        return self.tier in (Category.GRASSROOTS, Category.DIRECT)


def _activities(m: _Maker) -> Iterator[Activity]:
    lectures = m.rng.randint(0, 9) if m.is_grassroots else m.rng.randint(5, 40)
    for _ in range(lectures):
        yield Activity(
            organisation=m.unit,
            category=ActivityCategory.LECTURE,
            name=m.rng.choice(TOPICS),
            date=m.day(),
            participants=max(1, int(m.unit.members * m.rng.uniform(0.05, 0.35))),
            speaker=m.rng.choice(SPEAKERS),
            place=m.rng.choice(PLACES),
        )
    if m.tier == Category.DISTRICT:
        meetings = [ActivityCategory.TRAINING] * 3 + [ActivityCategory.LEADING_GROUP_MEETING] * 2
        meetings += [ActivityCategory.EXCHANGE_MEETING] * m.rng.randint(1, 2)
    else:
        meetings = [ActivityCategory.OFFICE_MEETING] * m.rng.randint(0, 4)
    for category in meetings:
        training = category == ActivityCategory.TRAINING
        yield Activity(
            organisation=m.unit,
            category=category,
            name=str(category.label),
            date=m.day(),
            participants=m.rng.randint(5, 30),
            speaker=m.rng.choice(SPEAKERS) if training else "",
        )
    for category, names in OTHER_ACTIVITIES.items():
        if m.rng.random() < (0.8 if not m.is_grassroots else 0.25):
            yield Activity(
                organisation=m.unit,
                category=category,
                name=m.rng.choice(names),
                date=m.day(),
                participants=max(1, int(m.unit.members * m.rng.uniform(0.1, 0.6))),
                place=m.rng.choice(PLACES),
            )


def _documents(m: _Maker) -> Iterator[Document]:
    if m.tier == Category.DISTRICT:
        kinds = [DocumentKind.POLICY, DocumentKind.RULES, DocumentKind.FIVE_YEAR_PLAN, DocumentKind.ANNUAL_PLAN]
        kinds += [DocumentKind.ANNUAL_SUMMARY, DocumentKind.CASES]
    elif not m.is_grassroots:
        kinds = [DocumentKind.ANNUAL_PLAN, DocumentKind.RULES, DocumentKind.ANNUAL_SUMMARY]
    else:
        kinds = [DocumentKind.ANNUAL_PLAN] if m.rng.random() < 0.3 else []
    for kind in kinds:
        title = f"{m.unit.name}{m.year}年{DOCUMENT_TITLES[kind]}"
        document = Document(organisation=m.unit, kind=kind, title=title, date=m.day())
        # Saved under records/documents/<year>/ in the file store, as an upload is; the record keeps its name.
        document.file.save(f"{m.unit.code}-{kind}-{m.year}.docx", ContentFile(word_document(title, m)), save=False)
        yield document


DOCUMENT_TITLES = {
    DocumentKind.POLICY: "关于深入开展学习型工会创建工作的意见",
    DocumentKind.RULES: "职工学习培训制度",
    DocumentKind.FIVE_YEAR_PLAN: "学习型工会创建五年规划",
    DocumentKind.ANNUAL_PLAN: "学习型工会创建工作计划",
    DocumentKind.ANNUAL_SUMMARY: "学习型工会创建工作总结",
    DocumentKind.CASES: "学习型工会创建优秀案例集",
}


def word_document(title: str, m: _Maker) -> bytes:
    """A small .docx that Word and WPS open: the title and a few paragraphs, nothing else."""
    paragraphs = [
        f"为深入贯彻落实区总工会关于建设学习型工会的部署，{m.unit.name}结合本单位实际，制定本文件。",
        f"一、工作目标：全年组织职工素质教育大讲堂等学习活动，职工参学率不低于{m.rng.choice([80, 85, 90])}%。",
        "二、主要措施：健全创建工作领导小组和办公室，落实专兼职教师和志愿者队伍，保障职工教育经费。",
        f"三、工作要求：各部门按季度报送学习活动台账，年底前完成总结。联系人：{m.person()}。",
    ]
    body = _word_paragraph(title, heading=True) + "".join(_word_paragraph(text) for text in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in parts.items():
            header = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            archive.writestr(zipfile.ZipInfo(name, FILE_TIME), header + xml)
    return buffer.getvalue()


def _word_paragraph(text: str, heading: bool = False) -> str:
    if heading:
        return (
            '<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:b/><w:sz w:val="32"/></w:rPr>'
            f"<w:t>{escape(text)}</w:t></w:r></w:p>"
        )
    return f"<w:p><w:r><w:t>{escape(text)}</w:t></w:r></w:p>"


def _team_members(m: _Maker) -> Iterator[TeamMember]:
    if m.tier == Category.DISTRICT:
        sizes = {Team.MANAGEMENT: (3, 5), Team.TEACHERS: (4, 8), Team.VOLUNTEERS: (5, 10)}
    elif not m.is_grassroots:
        sizes = {Team.MANAGEMENT: (2, 3), Team.TEACHERS: (1, 3), Team.VOLUNTEERS: (2, 5)}
    elif m.rng.random() < 0.5:
        sizes = {Team.MANAGEMENT: (1, 2), Team.VOLUNTEERS: (0, 3)}
    else:
        return
    for team, (fewest, most) in sizes.items():
        names = {m.person() for _ in range(m.rng.randint(fewest, most))}  # a name once per team (its identity)
        for name in sorted(names):
            yield TeamMember(organisation=m.unit, team=team, name=name, role=m.rng.choice(TEAM_ROLES[team]))


def _stations(m: _Maker) -> Iterator[LearningStation]:
    share = {Category.DISTRICT: 1.0, Category.TOWNSHIP: 1.0, Category.BUREAU: 1.0, Category.DIRECT: 0.6}
    if m.rng.random() >= share.get(Category(m.tier), 0.3):
        return
    books = m.rng.randrange(5, 40) * 100
    yield LearningStation(
        organisation=m.unit,
        name=f"{m.unit.name.removesuffix('工会')}职工书屋",
        address=f"{m.unit.name.removesuffix('工会')}办公楼{m.rng.randint(1, 5)}层",
        area=Decimal(m.rng.randrange(20, 200)),
        equipment=f"图书{books}册、电脑{m.rng.randint(2, 10)}台、投影仪1台",
    )


def _funds(m: _Maker) -> Iterator[EducationFund]:
    if m.tier == Category.DISTRICT or m.rng.random() < 0.6:
        amount = Decimal(m.rng.randrange(2, 200) * 500)
        yield EducationFund(organisation=m.unit, amount=amount, date=m.day(), purpose="职工教育培训")


def _honours(m: _Maker) -> Iterator[Honour]:
    if m.tier == Category.DISTRICT:  # the federation's own, so that its 8.4 is never empty
        yield Honour(organisation=m.unit, level=HonourLevel.MUNICIPAL, title="市级学习型组织", date=m.day())
    elif m.rng.random() < 0.15:
        level = m.rng.choice([HonourLevel.DISTRICT] * 6 + [HonourLevel.MUNICIPAL] * 3 + [HonourLevel.NATIONAL])
        yield Honour(organisation=m.unit, level=level, title=m.rng.choice(HONOUR_TITLES[level]), date=m.day())


MAKERS: list[tuple[type[Record], Callable[[_Maker], Iterator[Any]]]] = [
    (Activity, _activities),
    (Document, _documents),
    (TeamMember, _team_members),
    (LearningStation, _stations),
    (EducationFund, _funds),
    (Honour, _honours),
]
