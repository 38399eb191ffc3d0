"""Every change to a cycle, an assessment, its items and evidence: the only writers, each in a transaction,
each recorded in the history with what it changed.

Callers decide access (kaohe.access); these functions keep the round valid whoever calls them (a page, an
import, the command line, the API): the states an assessment moves through, the scores' range and step,
the reasons a final score needs, and versions, so that a save over a newer version is refused, never lost.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe import limits
from kaohe.assessments import files
from kaohe.assessments.models import (
    POOLED_ITEM,
    SELF_ASSESSING,
    Assessment,
    Cycle,
    Evidence,
    Item,
    Return,
    Status,
)
from kaohe.assessments.proposals import figures_by_item, proposed_score
from kaohe.figures.compute import Figure, compute_figures
from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation, Tier
from kaohe.standard.document import StandardDocument
from kaohe.standard.models import Standard
from kaohe.versions import refuse_if_stale

# READING.md: "优秀 ≥ 90, 良好 ≥ 80, 合格 ≥ 60, 不合格 < 60"; the grades are the federation's own words.
DEFAULT_BANDS: list[list[Any]] = [["优秀", "90"], ["良好", "80"], ["合格", "60"], ["不合格", "0"]]
HALF = Decimal("0.5")
BATCH = 2000
ITEM_EVENTS = (Action.SELF_SCORED, Action.ITEM_REVIEWED)
ASSESSMENT_EVENTS = (
    Action.ASSESSMENT_SUBMITTED,
    Action.ASSESSMENT_RETURNED,
    Action.ASSESSMENT_REVIEWED,
    Action.ASSESSMENT_PUBLISHED,
    Action.ASSESSMENT_REOPENED,
    Action.REVIEWERS_ASSIGNED,
)
NOT_SELF_ASSESSING = gettext_lazy(
    "This assessment is %(status)s: the unit can change it only while it is being filled in or was returned."
)


@dataclass(frozen=True)
class ScoredItem:
    """One row of a column's score sheet: an item, or the pooled category 8 standing for its items."""

    number: str
    position: int
    category: int
    points: Decimal
    items: tuple[str, ...]  # the standard's items it covers: itself, or 8.1–8.5


class Incomplete(ValidationError):
    """Refused because something is still missing; `missing` lists what, one line each."""

    def __init__(self, message: str, missing: list[str]):
        super().__init__([message, *missing], code="incomplete")
        self.missing = missing


# The column's items ---------------------------------------------------------------------------------------


def scored_items(doc: StandardDocument) -> list[ScoredItem]:
    """What is scored, in order: every item on its own, a pooled category once under its number."""
    rows: list[ScoredItem] = []
    for category in doc.categories:
        if category.pooled:
            numbers = tuple(item.number for item in category.items)
            rows.append(ScoredItem(str(category.number), len(rows), category.number, category.points, numbers))
            continue
        for item in category.items:
            rows.append(ScoredItem(item.number, len(rows), category.number, item.points or Decimal(0), (item.number,)))
    return rows


def pooled_items(doc: StandardDocument) -> set[str]:
    return {item.number for category in doc.categories if category.pooled for item in category.items}


def requirements_of(doc: StandardDocument, column: str, scored: ScoredItem) -> list[dict[str, Any]]:
    """The column's requirements for a scored item, numbered 1… across its items (pooled: 8.1's, then 8.2's)."""
    by_number = {item.number: item for item in doc.items}
    rows: list[dict[str, Any]] = []
    for number in scored.items:
        for requirement in by_number[number].requirements.get(column, []):
            rows.append(
                {"position": len(rows) + 1, "item": number, "number": requirement.number, "text": requirement.text}
            )
    return rows


# Opening ----------------------------------------------------------------------------------------------------


@transaction.atomic
def open_cycle(
    actor: Any,
    district: Organisation,
    year: int,
    standard: Standard,
    *,
    self_deadline: datetime.date | None = None,
    review_deadline: datetime.date | None = None,
    bands: list[list[Any]] | None = None,
    name: str = "",
) -> Cycle:
    """The year's cycle of the district: one assessment per active unit, each item's proposal worked out."""
    if district.parent_id is not None or district.tier != Tier.DISTRICT:
        raise ValidationError(_("A cycle is opened for a district federation."), code="not_district")
    _refuse_second_cycle(district, year)
    _check_deadlines(self_deadline, review_deadline)
    bands = check_bands(bands or DEFAULT_BANDS)
    cycle = Cycle.objects.create(
        district=district,
        year=year,
        name=name or _("%(year)s assessment of %(district)s") % {"year": year, "district": district.name},
        standard=standard,
        document=standard.document,
        self_deadline=self_deadline,
        review_deadline=review_deadline,
        bands=bands,
        opened_at=timezone.now(),
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    units = list(Organisation.objects.subtree_of(district).active().only("pk", "path", "members", "category"))
    count = _create_assessments(cycle, units, compute_figures(units, year, cycle.doc))
    record_event(
        actor,
        Action.CYCLE_OPENED,
        district,
        cycle_id=cycle.pk,
        year=year,
        standard=f"{standard.slug}:{standard.version}",
        assessments=count,
        changes={"self_deadline": [None, _iso(self_deadline)], "review_deadline": [None, _iso(review_deadline)]},
    )
    return cycle


def _refuse_second_cycle(district: Organisation, year: int) -> None:
    if Cycle.objects.filter(district=district, year=year).exists():
        raise ValidationError(
            _("%(district)s already has a cycle for %(year)s; a year has one cycle.")
            % {"district": district.name, "year": year},
            code="cycle_exists",
        )


def _check_deadlines(self_deadline: datetime.date | None, review_deadline: datetime.date | None) -> None:
    if self_deadline and review_deadline and review_deadline < self_deadline:
        raise ValidationError(
            {"review_deadline": _("The review deadline cannot come before the self-assessment deadline.")}
        )


def check_bands(bands: list[list[Any]]) -> list[list[Any]]:
    """[[grade, lowest total], …] from the best down, lowest totals falling, the last from 0."""
    checked: list[list[Any]] = []
    previous: Decimal | None = None
    for grade, lowest in bands:
        name = str(grade).strip()
        fault = limits.length_fault(name, 20) or limits.character_fault(name)
        if not name or fault:
            raise ValidationError({"bands": fault or _("Every grade needs a name.")})
        try:
            bound = Decimal(str(lowest))
        except InvalidOperation:
            raise ValidationError({"bands": _("“%(value)s” is not a number.") % {"value": lowest}}) from None
        if not bound.is_finite() or bound < 0 or bound > 100 or (previous is not None and bound >= previous):
            raise ValidationError(
                {"bands": _("Each grade's lowest total lies between 0 and 100, below the grade above.")}
            )
        checked.append([name, str(bound)])
        previous = bound
    if not checked or Decimal(checked[-1][1]) != 0:
        raise ValidationError({"bands": _("The last grade must start at 0, so that every total has a grade.")})
    return checked


def _create_assessments(cycle: Cycle, units: Sequence[Organisation], figures: dict[int, list[Figure]]) -> int:
    doc = cycle.doc
    rows = scored_items(doc)
    pooled = pooled_items(doc)
    assessments = [
        Assessment(cycle=cycle, organisation=unit, tier=unit.tier, column=doc.column_of(unit.tier)) for unit in units
    ]
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    if any(assessment.pk is None for assessment in assessments):  # a database that does not return ids
        ids = dict(Assessment.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
        for assessment in assessments:
            assessment.pk = ids[assessment.organisation_id]
    items: list[Item] = []
    for assessment in assessments:
        grouped = figures_by_item(figures.get(assessment.organisation_id, []), pooled, POOLED_ITEM)
        items += [_new_item(assessment, row, grouped.get(row.number, [])) for row in rows]
        if len(items) >= BATCH * 5:
            Item.objects.bulk_create(items, batch_size=BATCH)
            items = []
    Item.objects.bulk_create(items, batch_size=BATCH)
    return len(assessments)


def _new_item(assessment: Assessment, row: ScoredItem, figures: list[Figure]) -> Item:
    return Item(
        assessment_id=assessment.pk,
        number=row.number,
        position=row.position,
        points=row.points,
        proposed=proposed_score(row.points, figures),
        figures=[figure.as_json() for figure in figures],
    )


def refresh_proposals(assessment: Assessment) -> None:
    """The proposals from the unit's records as they are now (at submission: what the reviewer sees)."""
    cycle = assessment.cycle
    figures = compute_figures([assessment.organisation], cycle.year, cycle.doc).get(assessment.organisation_id, [])
    grouped = figures_by_item(figures, pooled_items(cycle.doc), POOLED_ITEM)
    items = list(assessment.items.all())
    for item in items:
        item.proposed = proposed_score(item.points, grouped.get(item.number, []))
        item.figures = [figure.as_json() for figure in grouped.get(item.number, [])]
    Item.objects.bulk_update(items, ["proposed", "figures"])


# Scores -----------------------------------------------------------------------------------------------------


def parse_score(value: Any, points: Decimal, field: str) -> Decimal:
    """A score as typed or read from a file: 0 to the item's points, in steps of 0.5."""
    try:
        score = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("“%(value)s” is not a score.") % {"value": str(value)[:20]}}) from None
    if not score.is_finite() or score < 0 or score > points:
        raise ValidationError({field: _("A score goes from 0 to %(points)s.") % {"points": _plain(points)}})
    if (score / HALF) != (score / HALF).to_integral_value():
        raise ValidationError({field: _("A score goes in steps of 0.5 (such as 3 or 3.5).")})
    return score.quantize(Decimal("0.1"))


def needs_reason(item: Item, final: Decimal | None) -> bool:
    """READING.md: a final score that differs from the proposal or from the self-score carries a reason."""
    if final is None:
        return False
    differs_from_self = item.self_score is not None and final != item.self_score
    differs_from_proposal = item.proposed is not None and final != item.proposed
    return differs_from_self or differs_from_proposal


def _check_text(value: str, field: str, max_length: int = limits.LONG_TEXT_MAX_LENGTH) -> str:
    text = (value or "").strip()
    fault = limits.length_fault(text, max_length) or limits.character_fault(text, multiline=True)
    if fault:
        raise ValidationError({field: fault})
    return text


@transaction.atomic
def save_self_item(
    actor: Any,
    item: Item,
    *,
    self_score: Any,
    explanation: str,
    read_version: int | None = None,
) -> Item:
    """The unit's score and explanation for one item; nothing is written when nothing changed."""
    item, assessment = _locked_item(item)
    _refuse_unless_self_assessing(assessment)
    refuse_if_stale(item, read_version, item_history(item))
    score = None if self_score in (None, "") else parse_score(self_score, item.points, "self_score")
    changes = _apply(item, {"self_score": score, "explanation": _check_text(explanation, "explanation")})
    if not changes:
        return item
    item.version += 1
    item.save()
    _start_drafting(actor, assessment)
    _item_event(actor, Action.SELF_SCORED, item, assessment, changes)
    return item


def _start_drafting(actor: Any, assessment: Assessment) -> None:
    """The first save of a unit opens its draft; after a return, the unit is drafting again."""
    if assessment.status in (Status.NOT_STARTED, Status.RETURNED):
        before = assessment.status
        assessment.status = Status.DRAFT
        assessment.version += 1
        assessment.save(update_fields=["status", "version"])
        _assessment_event(actor, Action.SELF_SCORED, assessment, {"status": [before, Status.DRAFT]})


@transaction.atomic
def add_evidence(
    actor: Any,
    item: Item,
    *,
    uploaded: Any = None,
    record: Any = None,
    requirement: int | None = None,
    note: str = "",
) -> Evidence:
    """A file (typed by content, stored once) or a link to one of the unit's records, for a requirement."""
    item, assessment = _locked_item(item)
    _refuse_unless_self_assessing(assessment)
    if (uploaded is None) == (record is None):
        raise ValidationError(_("Attach a file or choose a record."), code="evidence_missing")
    _check_requirement(assessment, item, requirement)
    evidence = Evidence(item=item, requirement=requirement, note=_check_text(note, "note", 200))
    evidence.added_by = actor if getattr(actor, "pk", None) else None
    if uploaded is not None:
        evidence.file = files.store(uploaded)
        evidence.file_name = _check_text(str(uploaded.name or "")[-200:], "file")[:200]
    else:
        if not record.organisation.is_within(assessment.organisation):
            raise ValidationError(_("Only the unit's own records (and those of units under it) prove its work."))
        evidence.record_kind = record._meta.model_name or ""
        evidence.record_id = record.pk
        evidence.record_label = str(record)[:300]
    evidence.save()
    _start_drafting(actor, assessment)
    shown = evidence.file_name or evidence.record_label
    _item_event(actor, Action.EVIDENCE_ADDED, item, assessment, {"evidence": [None, shown]}, requirement=requirement)
    return evidence


def _check_requirement(assessment: Assessment, item: Item, requirement: int | None) -> None:
    if requirement is None:
        return
    row = next(row for row in scored_items(assessment.cycle.doc) if row.number == item.number)
    if not 1 <= requirement <= len(requirements_of(assessment.cycle.doc, assessment.column, row)):
        raise ValidationError({"requirement": _("This item has no such requirement.")})


@transaction.atomic
def remove_evidence(actor: Any, evidence: Evidence) -> None:
    item, assessment = _locked_item(evidence.item)
    _refuse_unless_self_assessing(assessment)
    shown = evidence.file_name or evidence.record_label
    evidence.delete()  # the stored file stays: other evidence may share its content, and history names it
    _item_event(actor, Action.EVIDENCE_REMOVED, item, assessment, {"evidence": [shown, None]})


def missing_for_submission(assessment: Assessment, items: Iterable[Item] | None = None) -> list[str]:
    """What the unit must still fill in, one line per item: a self-score and an explanation."""
    missing = []
    for item in items if items is not None else assessment.items.all():
        lacking = []
        if item.self_score is None:
            lacking.append(_("a self-score"))
        if not item.explanation.strip():
            lacking.append(_("an explanation"))
        if lacking:
            missing.append(_("Item %(item)s: %(what)s") % {"item": item.number, "what": _("、").join(lacking)})
    return missing


@transaction.atomic
def submit_self_assessment(actor: Any, assessment: Assessment, *, read_version: int | None = None) -> Assessment:
    assessment = _locked_assessment(assessment)
    _refuse_unless_self_assessing(assessment)
    refuse_if_stale(assessment, read_version, assessment_history(assessment))
    missing = missing_for_submission(assessment)
    if missing:
        raise Incomplete(_("Not submitted: something is still missing."), missing)
    refresh_proposals(assessment)
    before = assessment.status
    assessment.status = Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    _bump(assessment, ["status", "submitted_at"])
    self_total = assessment.items.aggregate(total=Sum("self_score"))["total"]
    changes = {"status": [before, Status.SUBMITTED]}
    _assessment_event(
        actor, Action.ASSESSMENT_SUBMITTED, assessment, changes, round=assessment.round, self_total=str(self_total)
    )
    return assessment


# Review -----------------------------------------------------------------------------------------------------


@transaction.atomic
def return_assessment(
    actor: Any,
    assessment: Assessment,
    *,
    comment: str = "",
    item_comments: dict[str, str] | None = None,
    read_version: int | None = None,
) -> Assessment:
    """Back to the unit with the reviewer's comments; the round's comments stay visible afterwards."""
    assessment = _locked_assessment(assessment)
    _refuse_unless(assessment, (Status.SUBMITTED,), _("Only a submitted assessment can be returned."))
    refuse_if_stale(assessment, read_version, assessment_history(assessment))
    comment = _check_text(comment, "comment")
    numbers = set(assessment.items.values_list("number", flat=True))
    cleaned = {
        number: _check_text(text, f"comment_{number}") for number, text in (item_comments or {}).items() if text.strip()
    }
    if set(cleaned) - numbers:
        raise ValidationError(_("The assessment has no item %(item)s.") % {"item": sorted(set(cleaned) - numbers)[0]})
    if not comment and not cleaned:
        raise ValidationError({"comment": _("Say what the unit should change: a comment, or one on an item.")})
    Return.objects.create(
        assessment=assessment, round=assessment.round, comment=comment, item_comments=cleaned, returned_by=_user(actor)
    )
    for item in assessment.items.filter(number__in=list(cleaned)):
        item.comment = cleaned[item.number]
        item.save(update_fields=["comment"])
    assessment.status = Status.RETURNED
    assessment.round += 1
    _bump(assessment, ["status", "round"])
    changes = {"status": [Status.SUBMITTED, Status.RETURNED]}
    _assessment_event(actor, Action.ASSESSMENT_RETURNED, assessment, changes, comment=comment, item_comments=cleaned)
    return assessment


REVIEWING = (Status.SUBMITTED, Status.REVIEWED)


@transaction.atomic
def review_item(
    actor: Any,
    item: Item,
    *,
    final_score: Any,
    reason: str = "",
    comment: str = "",
    read_version: int | None = None,
) -> Item:
    """The reviewer's final score for one item, with the reason READING.md asks for where it differs."""
    item, assessment = _locked_item(item)
    _refuse_unless(assessment, REVIEWING, _("Only a submitted assessment is reviewed."))
    refuse_if_stale(item, read_version, item_history(item))
    final = None if final_score in (None, "") else parse_score(final_score, item.points, "final_score")
    reason = _check_text(reason, "reason")
    if needs_reason(item, final) and not reason:
        raise ValidationError({"reason": reason_required_message(item)})
    changes = _apply(item, {"final_score": final, "reason": reason, "comment": _check_text(comment, "comment")})
    if not changes:
        return item
    item.version += 1
    item.save()
    _item_event(actor, Action.ITEM_REVIEWED, item, assessment, changes)
    return item


def reason_required_message(item: Item) -> str:
    if item.proposed is not None:
        return _(
            "The final score differs from the self-score (%(self)s) or the proposal (%(proposed)s): give a reason."
        ) % {
            "self": _plain(item.self_score),
            "proposed": _plain(item.proposed),
        }
    return _("The final score differs from the self-score (%(self)s): give a reason.") % {
        "self": _plain(item.self_score)
    }


def missing_for_review(items: Iterable[Item]) -> list[str]:
    return [_("Item %(item)s: a final score") % {"item": item.number} for item in items if item.final_score is None]


@transaction.atomic
def complete_review(actor: Any, assessment: Assessment, *, read_version: int | None = None) -> Assessment:
    assessment = _locked_assessment(assessment)
    _refuse_unless(assessment, (Status.SUBMITTED,), _("Only a submitted assessment can be marked reviewed."))
    refuse_if_stale(assessment, read_version, assessment_history(assessment))
    items = list(assessment.items.all())
    missing = missing_for_review(items)
    missing += [
        _("Item %(item)s: a reason for the final score") % {"item": item.number}
        for item in items
        if needs_reason(item, item.final_score) and not item.reason.strip()
    ]
    if missing:
        raise Incomplete(_("Not marked reviewed: something is still missing."), missing)
    assessment.status = Status.REVIEWED
    assessment.reviewed_at = timezone.now()
    _bump(assessment, ["status", "reviewed_at"])
    total = sum((item.final_score or Decimal(0) for item in items), Decimal(0))
    changes = {"status": [Status.SUBMITTED, Status.REVIEWED]}
    _assessment_event(actor, Action.ASSESSMENT_REVIEWED, assessment, changes, final_total=str(total))
    return assessment


# Publication ------------------------------------------------------------------------------------------------


def not_yet_reviewed(cycle: Cycle) -> models.QuerySet[Assessment]:
    return cycle.assessments.exclude(status__in=(Status.REVIEWED, Status.PUBLISHED))


@transaction.atomic
def publish_cycle(actor: Any, cycle: Cycle, *, now: datetime.datetime | None = None) -> int:
    """Totals and grades fixed, every reviewed assessment locked; refused while any is not reviewed.

    Also what publishes an assessment reopened after publication, once it has been reviewed again.
    Returns how many assessments were published now.
    """
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    waiting = not_yet_reviewed(cycle).count()
    if waiting:
        raise ValidationError(
            _("%(count)s assessments are not reviewed yet; the cycle is published once every one is.")
            % {"count": waiting},
            code="not_reviewed",
        )
    now = now or timezone.now()
    reviewed = list(cycle.assessments.filter(status=Status.REVIEWED).only("pk", "version", "organisation_id"))
    totals = dict(
        Item.objects.filter(assessment__in=[a.pk for a in reviewed] if len(reviewed) < 500 else _reviewed_ids(cycle))
        .values("assessment_id")
        .annotate(total=Sum("final_score"))
        .values_list("assessment_id", "total")
    )
    for assessment in reviewed:
        assessment.final_total = totals.get(assessment.pk) or Decimal(0)
        assessment.grade = cycle.grade_of(assessment.final_total)
        assessment.status = Status.PUBLISHED
        assessment.published_at = now
        assessment.version += 1
    Assessment.objects.bulk_update(
        reviewed, ["final_total", "grade", "status", "published_at", "version"], batch_size=BATCH
    )
    first = cycle.published_at is None
    if first:
        cycle.published_at = now
        cycle.version += 1
        cycle.save(update_fields=["published_at", "version"])
    Event.objects.bulk_create(
        [
            _event(
                actor,
                Action.ASSESSMENT_PUBLISHED,
                a,
                {"status": [Status.REVIEWED, Status.PUBLISHED]},
                final_total=str(a.final_total),
                grade=a.grade,
            )
            for a in reviewed
        ],
        batch_size=BATCH,
    )
    record_event(
        actor, Action.CYCLE_PUBLISHED, cycle.district, cycle_id=cycle.pk, year=cycle.year, published=len(reviewed)
    )
    return len(reviewed)


def _reviewed_ids(cycle: Cycle) -> models.QuerySet[Assessment, Any]:
    return cycle.assessments.filter(status=Status.REVIEWED).values("pk")


@transaction.atomic
def reopen_assessment(
    actor: Any, assessment: Assessment, *, reason: str, read_version: int | None = None
) -> Assessment:
    """A correction after publication: back to review, published again with the cycle's next publication."""
    assessment = _locked_assessment(assessment)
    _refuse_unless(assessment, (Status.PUBLISHED,), _("Only a published assessment is reopened."))
    refuse_if_stale(assessment, read_version, assessment_history(assessment))
    reason = _check_text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": _("Say why the published assessment is reopened.")})
    changes = {
        "status": [Status.PUBLISHED, Status.SUBMITTED],
        "final_total": [str(assessment.final_total), None],
        "grade": [assessment.grade, ""],
    }
    assessment.status = Status.SUBMITTED
    assessment.final_total = None
    assessment.grade = ""
    assessment.published_at = None
    _bump(assessment, ["status", "final_total", "grade", "published_at"])
    _assessment_event(actor, Action.ASSESSMENT_REOPENED, assessment, changes, reason=reason)
    return assessment


@transaction.atomic
def assign_reviewer(actor: Any, assessments: Sequence[Assessment], reviewer: Any) -> int:
    """Gives these units to one assessor (None: back to every assessor of the district)."""
    locked = list(Assessment.objects.select_for_update().filter(pk__in=[a.pk for a in assessments]))
    changed = [a for a in locked if a.reviewer_id != getattr(reviewer, "pk", None)]
    for assessment in changed:
        before = assessment.reviewer_id
        assessment.reviewer = reviewer
        assessment.version += 1
        assessment.save(update_fields=["reviewer", "version"])
        name = reviewer.get_username() if reviewer else None
        _assessment_event(actor, Action.REVIEWERS_ASSIGNED, assessment, {"reviewer": [before, name]})
    return len(changed)


# Reading back -----------------------------------------------------------------------------------------------


def item_history(item: Item) -> models.QuerySet[Event]:
    return Event.objects.filter(details__item_id=item.pk, action__in=ITEM_EVENTS)


def assessment_history(assessment: Assessment) -> models.QuerySet[Event]:
    """The assessment's own state changes (one per version after the first)."""
    return Event.objects.filter(
        Q(details__assessment_id=assessment.pk) & Q(action__in=ASSESSMENT_EVENTS) & ~Q(details__has_key="item_id")
    )


def all_history(assessment: Assessment) -> models.QuerySet[Event]:
    """Everything that happened to the assessment: its states, its items' scores, its evidence."""
    return Event.objects.filter(organisation_id=assessment.organisation_id, details__assessment_id=assessment.pk)


# Helpers ----------------------------------------------------------------------------------------------------


def _locked_assessment(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",)).select_related("cycle", "organisation").get(pk=assessment.pk)
    )


def _locked_item(item: Item) -> tuple[Item, Assessment]:
    """The item and its assessment as stored, both locked: states and scores change one writer at a time."""
    assessment = _locked_assessment(item.assessment)
    return Item.objects.select_for_update().get(pk=item.pk), assessment


def _refuse_unless_self_assessing(assessment: Assessment) -> None:
    _refuse_unless(assessment, SELF_ASSESSING, str(NOT_SELF_ASSESSING) % {"status": assessment.get_status_display()})


def _refuse_unless(assessment: Assessment, states: Iterable[str], message: str) -> None:
    if assessment.status not in states:
        raise ValidationError(message, code="wrong_state")


def _apply(item: Item, values: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for name, value in values.items():
        before = getattr(item, name)
        if before != value:
            changes[name] = [_json(before), _json(value)]
            setattr(item, name, value)
    return changes


def _bump(assessment: Assessment, fields: list[str]) -> None:
    assessment.version += 1
    assessment.save(update_fields=[*fields, "version"])


def _item_event(
    actor: Any, action: Action, item: Item, assessment: Assessment, changes: dict[str, Any], **details: Any
) -> None:
    record_event(
        actor,
        action,
        assessment.organisation,
        assessment_id=assessment.pk,
        cycle_id=assessment.cycle_id,
        item_id=item.pk,
        item=item.number,
        changes=changes,
        **details,
    )


def _assessment_event(
    actor: Any, action: Action, assessment: Assessment, changes: dict[str, Any], **details: Any
) -> None:
    record_event(
        actor,
        action,
        assessment.organisation,
        assessment_id=assessment.pk,
        cycle_id=assessment.cycle_id,
        changes=changes,
        **details,
    )


def _event(actor: Any, action: Action, assessment: Assessment, changes: dict[str, Any], **details: Any) -> Event:
    return Event(
        actor=_user(actor),
        action=action,
        organisation_id=assessment.organisation_id,
        details={"assessment_id": assessment.pk, "cycle_id": assessment.cycle_id, "changes": changes, **details},
    )


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _plain(value)
    return value


def _plain(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return str(int(value)) if value == value.to_integral_value() else str(value.normalize())


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None
