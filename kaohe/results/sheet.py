"""A unit's score sheet (考核评分表): the seed's table for the unit's column — 序号, 考核内容, 工作内容, the
column's duties, 分值 — with the self-score, the final score and the reviewer's words per item, category
subtotals, the total and the grade. Category 8 is scored once: its items share one row of scores."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kaohe.assessments.actions import requirements_of, scored_items
from kaohe.assessments.models import Assessment, Item


@dataclass
class SheetRow:
    number: str  # the scored item: "6.1", or "8" for the pooled category
    contents: list[tuple[str, str]]  # (item number, 工作内容): one, or each item of a pooled category
    duties: list[str]  # the column's requirements, numbered as printed
    points: Decimal
    self_score: Decimal | None
    final_score: Decimal | None  # None where not given or not to be shown to this reader
    words: str  # the reason for the final score and the reviewer's comment


@dataclass
class SheetCategory:
    number: int
    title: str
    points: Decimal
    rows: list[SheetRow] = field(default_factory=list)

    @property
    def self_subtotal(self) -> Decimal | None:
        return _sum(row.self_score for row in self.rows)

    @property
    def final_subtotal(self) -> Decimal | None:
        return _sum(row.final_score for row in self.rows)


@dataclass
class Sheet:
    assessment: Assessment
    column_heading: str  # the column's heading as the standard prints it
    categories: list[SheetCategory]
    finals_shown: bool

    @property
    def points(self) -> Decimal:
        return sum((category.points for category in self.categories), Decimal(0))

    @property
    def self_total(self) -> Decimal | None:
        return _sum(category.self_subtotal for category in self.categories)

    @property
    def final_total(self) -> Decimal | None:
        if not self.finals_shown:
            return None
        if self.assessment.final_total is not None:
            return self.assessment.final_total
        return _sum(category.final_subtotal for category in self.categories)

    @property
    def grade(self) -> str:
        return self.assessment.grade if self.finals_shown else ""


def _sum(values: object) -> Decimal | None:
    given = [value for value in values if value is not None]  # type: ignore[attr-defined]
    return sum(given, Decimal(0)) if given else None


def sheet_of(assessment: Assessment, items: list[Item], finals_shown: bool) -> Sheet:
    """The sheet from the cycle's copy of the standard and the assessment's items (no query)."""
    doc = assessment.cycle.doc
    by_number = {item.number: item for item in items}
    contents = {item.number: item.content for item in doc.items}
    categories = {
        category.number: SheetCategory(category.number, category.title, category.points) for category in doc.categories
    }
    for scored in scored_items(doc):
        item = by_number.get(scored.number)
        pooled = len(scored.items) > 1  # each item's duties are numbered on their own: say whose they are
        duties = [
            f"{r['item']} " * pooled + f"{r['number']}、{r['text']}"
            for r in requirements_of(doc, assessment.column, scored)
        ]
        categories[scored.category].rows.append(
            SheetRow(
                number=scored.number,
                contents=[(number, contents[number]) for number in scored.items],
                duties=duties,
                points=scored.points,
                self_score=item.self_score if item else None,
                final_score=item.final_score if item and finals_shown else None,
                words=_words(item) if item and finals_shown else "",
            )
        )
    column_heading = doc.tiers.get(assessment.column, assessment.column)
    return Sheet(assessment, column_heading, list(categories.values()), finals_shown)


def _words(item: Item) -> str:
    return "\n".join(text for text in (item.reason, item.comment) if text)
