"""Every change to a cycle, an assessment, its items and evidence: the only writers, each in a transaction,
each recorded in the history with what it changed.

Callers decide access (kaohe.access); these functions keep the round valid whoever calls them (a page, an
import, the command line, the API): the states an assessment moves through, the scores' range and step,
the reasons a final score needs, and versions, so that a save over a newer version is refused, never lost.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe import access, limits
from kaohe.assessments import files
from kaohe.assessments import importing as sheets
from kaohe.assessments.models import (
    POOLED_ITEM,
    SELF_ASSESSING,
    Assessment,
    Cycle,
    Evidence,
    Item,
    Return,
    Status,
    rule_states_of,
)
from kaohe.assessments.proposals import figures_by_item, proposed_score
from kaohe.figures.compute import Figure, compute_figures
from kaohe.history.actions import record_event
from kaohe.history.models import Action, Event
from kaohe.organisations.models import TIER_OF_CATEGORY, Category, Organisation, Tier
from kaohe.spreadsheets import ImportRefused, RowError, clean_text
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
    _refresh_statistics()
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
    """Thirty thousand assessments and their 450,000 items: written as plain rows, several thousand to a
    statement, because building a model object per row costs most of a minute (FACTS.md's measure)."""
    doc = cycle.doc
    rows = scored_items(doc)
    pooled = pooled_items(doc)
    _insert(
        Assessment,
        ["cycle_id", "organisation_id", "tier", "column", "status", "round", "grade", "version"],
        ((cycle.pk, unit.pk, unit.tier, doc.column_of(unit.tier), Status.NOT_STARTED, 1, "", 1) for unit in units),
    )
    ids = dict(Assessment.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
    points = {row.number: _decimal_for_db(row.points) for row in rows}
    no_figures = _json_for_db([])
    items = []
    for unit in units:
        grouped = figures_by_item(figures.get(unit.pk, []), pooled, POOLED_ITEM)
        for row in rows:
            counted = grouped.get(row.number)
            proposed = _decimal_for_db(proposed_score(row.points, counted)) if counted else None
            stored = [figure.as_json() for figure in counted] if counted else []
            shown = _json_for_db(stored) if counted else no_figures
            states = rule_states_of(stored)
            items.append((ids[unit.pk], row.number, row.position, points[row.number], proposed, shown, states, 1))
    columns = ["assessment_id", "number", "position", "points", "proposed", "figures", "rule_states", "version"]
    _insert(Item, columns, items)
    return len(ids)


def _refresh_statistics() -> None:
    """PostgreSQL plans the progress page's queries from row estimates that a bulk write leaves at zero
    (265 ms for one page instead of 0.6 ms measured); SQLite needs no such step."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE assessments_assessment, assessments_item")


def _insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Plain INSERTs of many rows; every other column takes its database default or its blank."""
    blank = [field for field in model._meta.concrete_fields if field.column not in columns and not field.primary_key]
    names = columns + [field.column for field in blank]
    defaults = tuple("" if isinstance(field, (models.CharField, models.TextField)) else None for field in blank)
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    placeholders = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})"  # noqa: S608 (names from the model)
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row + defaults)
            if len(batch) >= BATCH * 5:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def _decimal_for_db(value: Decimal | None) -> Any:
    return connection.ops.adapt_decimalfield_value(value, 5, 1) if value is not None else None


def _json_for_db(value: Any) -> Any:
    """SQLite stores JSON as its text: written directly, a third of opening's time is saved (figures hold
    only numbers, keys and booleans); PostgreSQL's jsonb takes the field's own adapter."""
    if connection.vendor == "sqlite":
        return json.dumps(value, ensure_ascii=False)
    return Item._meta.get_field("figures").get_db_prep_save(value, connection)


def refresh_proposals(assessment: Assessment) -> None:
    """The proposals from the unit's records as they are now (at submission: what the reviewer sees)."""
    cycle = assessment.cycle
    figures = compute_figures([assessment.organisation], cycle.year, cycle.doc).get(assessment.organisation_id, [])
    grouped = figures_by_item(figures, pooled_items(cycle.doc), POOLED_ITEM)
    items = list(assessment.items.all())
    for item in items:
        item.proposed = proposed_score(item.points, grouped.get(item.number, []))
        item.figures = [figure.as_json() for figure in grouped.get(item.number, [])]
        item.rule_states = rule_states_of(item.figures)
    Item.objects.bulk_update(items, ["proposed", "figures", "rule_states"])


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
    comment: str | None = None,
    read_version: int | None = None,
) -> Item:
    """The reviewer's final score for one item, with the reason READING.md asks for where it differs.

    A comment of None leaves the item's comment as it is (a score sheet has no column for it)."""
    item, assessment = _locked_item(item)
    _refuse_unless(assessment, REVIEWING, _("Only a submitted assessment is reviewed."))
    refuse_if_stale(item, read_version, item_history(item))
    final = None if final_score in (None, "") else parse_score(final_score, item.points, "final_score")
    reason = _check_text(reason, "reason")
    if needs_reason(item, final) and not reason:
        raise ValidationError({"reason": reason_required_message(item)})
    values: dict[str, Any] = {"final_score": final, "reason": reason}
    if comment is not None:
        values["comment"] = _check_text(comment, "comment")
    changes = _apply(item, values)
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
    # Every field the updates and events below read, or each would cost a query per assessment.
    reviewed = list(
        cycle.assessments.filter(status=Status.REVIEWED).only("pk", "version", "organisation_id", "cycle_id")
    )
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


# Helper "cycle": paper reviews and past years, both all or nothing ----------------------------------------


@dataclass(frozen=True)
class ReviewsImported:
    saved: int  # items whose final score or reason the sheet changed
    unchanged: int  # rows that say what is stored already
    left_empty: int  # rows without a final score: their items are left as they are


@dataclass(frozen=True)
class _PlannedReview:
    row: int
    item: Item
    final: Decimal
    reason: str


def import_reviews(actor: Any, cycle: Cycle, rows: sheets.Rows, *, source: str = "") -> ReviewsImported:
    """A reviewer's filled-in score sheet: every row checked first, then every final score saved through
    review_item in one transaction, or none (ImportRefused names each fault by row and column).

    A unit the reviewer may not see reads as unknown, so that the file tells no one which codes exist elsewhere.
    """
    with transaction.atomic():
        planned, unchanged, left_empty = _plan_reviews(actor, cycle, rows)
        for plan in planned:
            try:
                review_item(actor, plan.item, final_score=plan.final, reason=plan.reason, comment=plan.item.comment)
            except ValidationError as error:  # changed since it was checked: rolled back with the rest
                raise ImportRefused([RowError(plan.row, "", " ".join(error.messages))]) from None
        record_event(
            actor,
            Action.REVIEWS_IMPORTED,
            cycle.district,
            cycle_id=cycle.pk,
            year=cycle.year,
            file=source,
            saved=len(planned),
            unchanged=unchanged,
        )
    return ReviewsImported(len(planned), unchanged, left_empty)


def _plan_reviews(actor: Any, cycle: Cycle, rows: sheets.Rows) -> tuple[list[_PlannedReview], int, int]:
    reviewable = {
        a.organisation.code: a
        for a in access.reviewable_assessments(actor, cycle.assessments.select_related("organisation", "cycle"))
        if access.can_review(actor, a)
    }
    filled = [(number, row) for number, row in rows if clean_text(row.get(sheets.FINAL)) != ""]
    wanted = {clean_text(row.get(sheets.UNIT)) for _number, row in filled} & set(reviewable)
    items = _items_of([reviewable[code] for code in wanted])
    visible = _VisibleCodes(actor, cycle)
    errors: list[RowError] = []
    planned: list[_PlannedReview] = []
    first_row: dict[tuple[str, str], int] = {}
    unchanged = 0
    for number, row in filled:
        found = _review_row(number, row, reviewable, items, visible, first_row, errors)
        if found is None:
            continue
        item, final, reason = found
        if final == item.final_score and reason == item.reason:
            unchanged += 1
        else:
            planned.append(_PlannedReview(number, item, final, reason))
    if errors:
        raise ImportRefused(sorted(errors, key=_review_order))
    return planned, unchanged, len(rows) - len(filled)


class _VisibleCodes:
    """The codes of the cycle's units the user sees, read only if a row names one they do not review."""

    def __init__(self, actor: Any, cycle: Cycle):
        self.actor, self.cycle = actor, cycle
        self.codes: set[str] | None = None

    def __contains__(self, code: str) -> bool:
        if self.codes is None:
            assessments = access.visible_assessments_of(self.actor, self.cycle)
            self.codes = set(assessments.values_list("organisation__code", flat=True))
        return code in self.codes


def _items_of(assessments: list[Assessment]) -> dict[tuple[str, str], Item]:
    """(unit code, item number) → item, the assessment set on each, in batches of ids."""
    by_id = {assessment.pk: assessment for assessment in assessments}
    ids = sorted(by_id)
    items: dict[tuple[str, str], Item] = {}
    for start in range(0, len(ids), 500):
        for item in Item.objects.filter(assessment_id__in=ids[start : start + 500]):
            item.assessment = by_id[item.assessment_id]
            items[(item.assessment.organisation.code, item.number)] = item
    return items


def _review_row(
    number: int,
    row: dict[str, Any],
    reviewable: dict[str, Assessment],
    items: dict[tuple[str, str], Item],
    visible: _VisibleCodes,
    first_row: dict[tuple[str, str], int],
    errors: list[RowError],
) -> tuple[Item, Decimal, str] | None:
    """One filled-in row's item, final score and reason; else its faults added to `errors`."""
    code, item_number = clean_text(row.get(sheets.UNIT))[:60], clean_text(row.get(sheets.ITEM))[:20]
    assessment = reviewable.get(code)
    if not code:
        errors.append(RowError(number, sheets.UNIT, _("This cell is required but empty.")))
        return None
    if assessment is None:
        message = _("You do not review the unit %(code)s.") if code in visible else _UNKNOWN_UNIT
        errors.append(RowError(number, sheets.UNIT, str(message) % {"code": code}))
        return None
    if assessment.status not in REVIEWING:
        message = _("The assessment of %(code)s is %(status)s; only a submitted assessment is reviewed.")
        errors.append(
            RowError(number, sheets.UNIT, message % {"code": code, "status": assessment.get_status_display()})
        )
        return None
    item = items.get((code, item_number))
    if item is None:
        errors.append(RowError(number, sheets.ITEM, str(_UNKNOWN_ITEM) % {"item": item_number}))
        return None
    if (code, item_number) in first_row:
        message = _("Unit %(code)s, item %(item)s is on row %(row)s already.")
        errors.append(
            RowError(
                number, sheets.ITEM, message % {"code": code, "item": item_number, "row": first_row[code, item_number]}
            )
        )
        return None
    first_row[code, item_number] = number
    return _score_and_reason(number, row, item, errors)


def _score_and_reason(
    number: int, row: dict[str, Any], item: Item, errors: list[RowError]
) -> tuple[Item, Decimal, str] | None:
    try:
        final = parse_score(clean_text(row.get(sheets.FINAL)), item.points, sheets.FINAL)
    except ValidationError as error:
        errors.append(RowError(number, sheets.FINAL, _first_message(error)))
        return None
    try:
        reason = _check_text(clean_text(row.get(sheets.REASON)), sheets.REASON)
    except ValidationError as error:
        errors.append(RowError(number, sheets.REASON, _first_message(error)))
        return None
    if needs_reason(item, final) and not reason:
        errors.append(RowError(number, sheets.REASON, reason_required_message(item)))
        return None
    return item, final, reason


_UNKNOWN_UNIT = gettext_lazy("There is no unit with the code %(code)s in your system.")
_UNKNOWN_ITEM = gettext_lazy("There is no item %(item)s; write an item number such as 6.1, or 8 for category 8.")


def _first_message(error: ValidationError) -> str:
    return error.messages[0] if error.messages else str(error)


def _review_order(error: RowError) -> tuple[int, int]:
    columns = [column.heading for column in sheets.REVIEW_COLUMNS]
    return error.row, columns.index(error.column) if error.column in columns else -1


@transaction.atomic
def import_past_cycle(
    actor: Any, district: Organisation, year: int, standard: Standard, rows: sheets.Rows, *, source: str = ""
) -> Cycle:
    """A past year's cycle, published, from its final scores (READING.md, "The round of a year"): one row per
    unit and item (单位编码, 条目, 得分). Every unit of the file needs a score for every scored item; any fault
    refuses the file whole (ImportRefused, each fault by row, a missing item by its unit and item). Units of
    the district not in the file get no assessment that year."""
    if district.parent_id is not None or district.tier != Tier.DISTRICT:
        raise ValidationError(_("A cycle is opened for a district federation."), code="not_district")
    _refuse_second_cycle(district, year)
    if not rows:
        raise ValidationError(_("The file holds no scores."), code="empty")
    scored = {row.number: row for row in scored_items(standard.doc)}
    units = {code: (pk, category) for code, pk, category in _district_units(district)}
    scores = _past_scores(rows, scored, units)
    now = timezone.now()
    cycle = Cycle.objects.create(
        district=district,
        year=year,
        name=_("%(year)s assessment of %(district)s") % {"year": year, "district": district.name},
        standard=standard,
        document=standard.document,
        bands=check_bands(DEFAULT_BANDS),
        opened_at=now,
        opened_by=_user(actor),
        published_at=now,
        imported=True,
    )
    count = _create_past_assessments(cycle, scores, units, scored, now)
    record_event(
        actor,
        Action.CYCLE_IMPORTED,
        district,
        cycle_id=cycle.pk,
        year=year,
        standard=f"{standard.slug}:{standard.version}",
        assessments=count,
        file=source,
    )
    return cycle


def _district_units(district: Organisation) -> Any:
    # Inactive units too: a union closed since may well have been assessed that year.
    return Organisation.objects.subtree_of(district).values_list("code", "pk", "category")


def _past_scores(
    rows: sheets.Rows, scored: dict[str, ScoredItem], units: dict[str, tuple[int, str]]
) -> dict[str, dict[str, Decimal]]:
    """Unit code → item number → score, in the file's order; or ImportRefused with every fault."""
    errors: list[RowError] = []
    scores: dict[str, dict[str, Decimal]] = {}
    first_row: dict[tuple[str, str], int] = {}
    unit_row: dict[str, int] = {}
    for number, row in rows:
        found = _past_row(number, row, scored, units, errors)
        if found is None:
            continue
        code, item, score = found
        if (code, item) in first_row:
            message = _("Unit %(code)s, item %(item)s is on row %(row)s already.")
            errors.append(
                RowError(number, sheets.ITEM, message % {"code": code, "item": item, "row": first_row[code, item]})
            )
            continue
        first_row[code, item] = number
        unit_row.setdefault(code, number)
        if score is not None:
            scores.setdefault(code, {})[item] = score
    for code, row_number in unit_row.items():
        for item in scored:
            if (code, item) not in first_row:  # a row with a bad score is there: its fault is named already
                message = _("Unit %(code)s has no score for item %(item)s.") % {"code": code, "item": item}
                errors.append(RowError(row_number, sheets.ITEM, message))
    if errors:
        columns = list(sheets.PAST_REQUIRED)
        raise ImportRefused(
            sorted(errors, key=lambda e: (e.row, columns.index(e.column) if e.column in columns else -1))
        )
    return scores


def _past_row(
    number: int,
    row: dict[str, Any],
    scored: dict[str, ScoredItem],
    units: dict[str, tuple[int, str]],
    errors: list[RowError],
) -> tuple[str, str, Decimal | None] | None:
    """The row's unit, item and score (None if the score is at fault); None when the unit or item is."""
    code, item, raw = (clean_text(row.get(heading)) for heading in sheets.PAST_REQUIRED)
    code, item = code[:60], item[:20]
    for heading, value in zip(sheets.PAST_REQUIRED, (code, item, raw), strict=True):
        if value == "":
            errors.append(RowError(number, heading, _("This cell is required but empty.")))
    if code and code not in units:
        errors.append(
            RowError(
                number, sheets.UNIT, _("There is no unit with the code %(code)s in your district.") % {"code": code}
            )
        )
    if item and item not in scored:
        errors.append(RowError(number, sheets.ITEM, str(_UNKNOWN_ITEM) % {"item": item}))
    score = None
    if raw and item in scored:
        try:
            score = parse_score(raw, scored[item].points, sheets.PAST_SCORE)
        except ValidationError as error:
            errors.append(RowError(number, sheets.PAST_SCORE, _first_message(error)))
    return (code, item, score) if code in units and item in scored else None


def _create_past_assessments(
    cycle: Cycle,
    scores: dict[str, dict[str, Decimal]],
    units: dict[str, tuple[int, str]],
    scored: dict[str, ScoredItem],
    now: datetime.datetime,
) -> int:
    doc = cycle.doc
    assessments = []
    for code, given in scores.items():
        pk, category = units[code]
        tier = str(TIER_OF_CATEGORY[Category(category)])
        total = sum(given.values(), Decimal(0))
        assessments.append(
            Assessment(
                cycle=cycle,
                organisation_id=pk,
                tier=tier,
                column=doc.column_of(tier),
                status=Status.PUBLISHED,
                published_at=now,
                final_total=total,
                grade=cycle.grade_of(total),
            )
        )
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    if any(assessment.pk is None for assessment in assessments):  # a database that does not return ids
        ids = dict(Assessment.objects.filter(cycle=cycle).values_list("organisation_id", "pk"))
        for assessment in assessments:
            assessment.pk = ids[assessment.organisation_id]
    code_of = {pk: code for code, (pk, _category) in units.items()}
    items = [
        Item(
            assessment_id=a.pk,
            number=n,
            position=row.position,
            points=row.points,
            final_score=scores[code_of[a.organisation_id]][n],
        )
        for a in assessments
        for n, row in scored.items()
    ]
    Item.objects.bulk_create(items, batch_size=BATCH)
    return len(assessments)


# todo (helper "todo"): many items of one assessment at once, for whatever fills a whole score sheet (the
# demo; a later self-assessment import). The same checks, changes and history as save_self_item and
# review_item item by item, in one transaction and a fixed number of queries whatever the number of items.


@transaction.atomic
def save_self_items(actor: Any, assessment: Assessment, entries: dict[str, tuple[Any, str]]) -> int:
    """Item number → (self-score, explanation), as save_self_item would save each; how many changed."""
    assessment = _locked_assessment(assessment)
    _refuse_unless_self_assessing(assessment)
    items = _locked_items_by_number(assessment, entries)
    changed: list[Item] = []
    events: list[Event] = []
    for number, (self_score, explanation) in entries.items():
        item = items[number]
        score = None if self_score in (None, "") else parse_score(self_score, item.points, "self_score")
        changes = _apply(item, {"self_score": score, "explanation": _check_text(explanation, "explanation")})
        if changes:
            changed.append(item)
            events.append(_item_event_row(actor, Action.SELF_SCORED, item, assessment, changes))
    if changed:
        _save_items(changed, ["self_score", "explanation"])
        _start_drafting(actor, assessment)
        Event.objects.bulk_create(events)
    return len(changed)


@transaction.atomic
def review_items(actor: Any, assessment: Assessment, entries: dict[str, tuple[Any, str, str | None]]) -> int:
    """Item number → (final score, reason, comment), as review_item would save each; how many changed."""
    assessment = _locked_assessment(assessment)
    _refuse_unless(assessment, REVIEWING, _("Only a submitted assessment is reviewed."))
    items = _locked_items_by_number(assessment, entries)
    changed: list[Item] = []
    events: list[Event] = []
    for number, (final_score, reason, comment) in entries.items():
        item = items[number]
        final = None if final_score in (None, "") else parse_score(final_score, item.points, "final_score")
        reason = _check_text(reason, "reason")
        if needs_reason(item, final) and not reason:
            raise ValidationError({"reason": f"{number}: {reason_required_message(item)}"})
        values: dict[str, Any] = {"final_score": final, "reason": reason}
        if comment is not None:  # as review_item: None leaves the item's comment as it is
            values["comment"] = _check_text(comment, "comment")
        changes = _apply(item, values)
        if changes:
            changed.append(item)
            events.append(_item_event_row(actor, Action.ITEM_REVIEWED, item, assessment, changes))
    if changed:
        _save_items(changed, ["final_score", "reason", "comment"])
        Event.objects.bulk_create(events)
    return len(changed)


def _locked_items_by_number(assessment: Assessment, entries: dict[str, Any]) -> dict[str, Item]:
    items = {item.number: item for item in Item.objects.select_for_update().filter(assessment=assessment)}
    unknown = sorted(set(entries) - set(items))
    if unknown:
        raise ValidationError(_("The assessment has no item %(item)s.") % {"item": unknown[0]})
    return items


def _save_items(items: list[Item], fields: list[str]) -> None:
    for item in items:
        item.version += 1
    Item.objects.bulk_update(items, [*fields, "version"], batch_size=BATCH)


def _item_event_row(actor: Any, action: Action, item: Item, assessment: Assessment, changes: dict[str, Any]) -> Event:
    """The event _item_event records, built to be inserted with others."""
    details = {
        "assessment_id": assessment.pk,
        "cycle_id": assessment.cycle_id,
        "item_id": item.pk,
        "item": item.number,
        "changes": changes,
    }
    return Event(actor=_user(actor), action=action, organisation_id=assessment.organisation_id, details=details)
