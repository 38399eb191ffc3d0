"""What the pages of one unit's assessment show: its rows, deadlines, evidence, the records it may link and
its history, read with a fixed number of queries whatever the number of items or pieces of evidence."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.assessments.models import Assessment, Cycle, Evidence, Item, Status
from kaohe.figures.compute import year_range
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.records.kinds import KINDS, RecordKind
from kaohe.standard.document import StandardDocument

RECORDS_OFFERED_PER_KIND = 30  # the most recent of each kind: a select, not a search
KIND_OF_MODEL: dict[str, RecordKind] = {kind.model._meta.model_name or "": kind for kind in KINDS.values()}
HISTORY_TEXT_LENGTH = 120


def contents_of(doc: StandardDocument) -> dict[str, str]:
    """What each scored item asks, by number: a pooled category by its title."""
    contents = {item.number: item.content for item in doc.items}
    contents.update({str(category.number): category.title for category in doc.categories if category.pooled})
    return contents


def plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


# The assessment page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str
    day: datetime.date
    days_left: int  # negative: overdue by so many days

    @property
    def days_overdue(self) -> int:
        return -self.days_left


def deadlines_of(cycle: Cycle, today: datetime.date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    pairs = [(_("Self-assessment deadline"), cycle.self_deadline), (_("Review deadline"), cycle.review_deadline)]
    return [Deadline(label, day, (day - today).days) for label, day in pairs if day is not None]


def items_with_counts(assessment: Assessment) -> list[Item]:
    """The assessment's items in order, each with `evidence_count`: one query."""
    return list(assessment.items.annotate(evidence_count=Count("evidence")).order_by("position"))


def total_of(scores: Iterable[Decimal | None]) -> Decimal | None:
    given = [score for score in scores if score is not None]
    return sum(given, Decimal(0)) if given else None


# Evidence -----------------------------------------------------------------------------------------------------


@dataclass
class ShownEvidence:
    evidence: Evidence
    download_href: str  # a file's; "" for a record
    record_href: str  # the records list narrowed to the linked record's unit and day; "" for a file
    record_file_href: str  # a linked document's own file, where it has one


@dataclass
class RequirementWithEvidence:
    position: int
    item: str
    number: int
    text: str
    item_content: str = ""  # what its item asks: headings the requirements of a pooled category
    evidence: list[ShownEvidence] = field(default_factory=list)


def evidence_of(item: Item) -> QuerySet[Evidence]:
    return item.evidence.select_related("file", "added_by")


def shown_evidence(assessment: Assessment, pieces: Sequence[Evidence]) -> list[ShownEvidence]:
    """Files with their download link, records with links to where they are listed: one query per kind linked."""
    linked = _linked_records(pieces)
    shown = []
    for piece in pieces:
        record = linked.get((piece.record_kind, piece.record_id))
        shown.append(
            ShownEvidence(
                piece,
                download_href=_download_href(assessment, piece) if piece.file_id else "",
                record_href=_record_href(piece, record),
                record_file_href=_record_file_href(piece, record),
            )
        )
    return shown


def _download_href(assessment: Assessment, piece: Evidence) -> str:
    args = [assessment.cycle.year, assessment.organisation.code, piece.pk]
    return reverse("assessments:assessment_evidence", args=args)


def _linked_records(pieces: Sequence[Evidence]) -> dict[tuple[str, int | None], Any]:
    ids: dict[str, list[int]] = {}
    for piece in pieces:
        if piece.record_kind in KIND_OF_MODEL and piece.record_id:
            ids.setdefault(piece.record_kind, []).append(piece.record_id)
    found: dict[tuple[str, int | None], Any] = {}
    for model_name, pks in ids.items():
        model = KIND_OF_MODEL[model_name].model
        for record in model._default_manager.filter(pk__in=pks).select_related("organisation"):
            found[(model_name, record.pk)] = record
    return found


def _record_href(piece: Evidence, record: Any) -> str:
    """The kind's list narrowed to the record's unit (and day): the page where it can be read and edited."""
    if record is None:  # a file, or a record deleted since
        return ""
    kind = KIND_OF_MODEL[piece.record_kind]
    query = {"unit": record.organisation.code}
    day = getattr(record, kind.date_field) if kind.date_field else None
    if day is not None:
        query.update(date_from=day.isoformat(), date_to=day.isoformat())
    return reverse("records:list", args=[kind.slug]) + "?" + urlencode(query)


def _record_file_href(piece: Evidence, record: Any) -> str:
    if record is None or not getattr(record, "file", None):
        return ""
    return reverse("records:file", args=[KIND_OF_MODEL[piece.record_kind].slug, record.pk])


def by_requirement(
    requirements: Sequence[dict[str, Any]], evidence: Sequence[ShownEvidence], contents: dict[str, str]
) -> tuple[list[RequirementWithEvidence], list[ShownEvidence]]:
    """Each requirement with the evidence naming it; and the evidence for the item as a whole."""
    rows = [
        RequirementWithEvidence(r["position"], r["item"], r["number"], r["text"], contents.get(r["item"], ""))
        for r in requirements
    ]
    by_position = {row.position: row for row in rows}
    whole = []
    for shown in evidence:
        row = by_position.get(shown.evidence.requirement or 0)
        if row is None:
            whole.append(shown)
        else:
            row.evidence.append(shown)
    return rows, whole


# Records the unit may link as evidence -------------------------------------------------------------------------


def records_offered(unit: Organisation, year: int) -> list[tuple[str, list[tuple[str, str]]]]:
    """The unit's records (its own and those of units under it) of the cycle's year, by kind, most recent
    first: choices of a select, grouped. One query per kind."""
    start, end = year_range(year)
    groups = []
    for kind in KINDS.values():
        records = kind.model._default_manager.filter(organisation__path__under=unit.path).select_related("organisation")
        if kind.date_field:
            records = records.filter(**{f"{kind.date_field}__range": (start, end)})
            records = records.order_by(f"-{kind.date_field}", "-id")
        else:
            records = records.order_by("-id")
        choices = [
            (f"{kind.slug}:{record.pk}", _record_label(unit, record)) for record in records[:RECORDS_OFFERED_PER_KIND]
        ]
        if choices:
            groups.append((str(kind.label), choices))
    return groups


def _record_label(unit: Organisation, record: Any) -> str:
    label = Truncator(str(record)).chars(60)
    if record.organisation_id != unit.pk:
        return f"{label} · {record.organisation.name}"
    return label


def record_chosen(value: str) -> Any:
    """The record a choice stands for (the form offered only the unit's own), or None if it is gone."""
    slug, _sep, pk = value.partition(":")
    kind = KINDS.get(slug)
    if kind is None or not pk.isdigit():
        return None
    return kind.model._default_manager.select_related("organisation").filter(pk=int(pk)).first()


# History ------------------------------------------------------------------------------------------------------

FIELD_LABELS = {
    "self_score": gettext_lazy("self-score"),
    "explanation": gettext_lazy("explanation"),
    "final_score": gettext_lazy("final score"),
    "reason": gettext_lazy("reason for the final score"),
    "comment": gettext_lazy("reviewer's comment"),
    "evidence": gettext_lazy("evidence"),
    "status": gettext_lazy("status"),
    "final_total": gettext_lazy("final total"),
    "grade": gettext_lazy("grade"),
    "reviewer": gettext_lazy("assigned assessor"),
}
STATUS_LABELS = dict(Status.choices)
# What an event says beside its changes: a return's comment, a reopening's reason.
DETAIL_LABELS = {"comment": gettext_lazy("Comment"), "reason": gettext_lazy("Reason")}


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryLine:
    event: Event
    who: str
    what: str
    item: str
    changes: list[Change]
    notes: list[tuple[str, str]]  # (label, text): a return's comments, a reopening's reason


def history_line(event: Event) -> HistoryLine:
    details = event.details or {}
    changes = [
        Change(str(capfirst(FIELD_LABELS.get(name, name))), _value(name, pair[0]), _value(name, pair[1]))
        for name, pair in (details.get("changes") or {}).items()
        if isinstance(pair, list | tuple) and len(pair) == 2
    ]
    notes = [(str(label), _text(details[key])) for key, label in DETAIL_LABELS.items() if details.get(key)]
    notes += [
        (_("Item %(item)s") % {"item": number}, _text(text))
        for number, text in (details.get("item_comments") or {}).items()
    ]
    actor = event.actor
    who = (actor.get_full_name() or actor.get_username()) if actor else _("(command line or import)")
    return HistoryLine(event, who, event.get_action_display(), str(details.get("item") or ""), changes, notes)


def _value(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "status":
        return str(STATUS_LABELS.get(value, value))
    return _text(value)


def _text(value: Any) -> str:
    return Truncator(str(value)).chars(HISTORY_TEXT_LENGTH)


REVIEWERS_ONLY = (Action.ITEM_REVIEWED,)  # final scores before publication are the reviewer's
