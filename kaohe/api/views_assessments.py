"""One unit's assessment through the API: reading it and its items, self-scores, evidence, final scores,
submitting, returning, marking reviewed, reopening, its history and its evidence files.

Each endpoint does what its page in kaohe/assessments/views_assessment*.py does: who sees the assessment is
access.get_assessment's decision (outside one's subtree: 404); who may act on it is the page's (seeing it but
not allowed: 403); the page's form reads the request, with the version it carries; the action function
decides the state (a refusal is a 400 with the page's message, a stale version a 409). Final scores, their
reasons and the reviewer's comments are left out for whoever does not see them yet (the unit, until
publication), exactly as the pages leave them out.

Self-scores and final scores are PATCHes of their own (…/self/ for the unit's people, …/review/ for the
reviewer), as the page's two forms: what is not sent stays as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe import access
from kaohe.api.serializers_assessments import (
    AssessmentOut,
    ConfirmInput,
    EventOut,
    EvidenceLinkInput,
    EvidenceOut,
    EvidenceUploadInput,
    HistoryFilter,
    ItemDetailOut,
    ItemOut,
    ReopenInput,
    ReturnInput,
    ReviewInput,
    SelfInput,
)
from kaohe.api.views_cycles import YEARS, as_sent, page_form, person, read, refusals_on, unit_ref
from kaohe.assessments import actions, files
from kaohe.assessments.forms_assessment import (
    EvidenceLinkForm,
    EvidenceUploadForm,
    HistoryFilterForm,
    ReopenForm,
    ReturnForm,
    ReviewForm,
    SelfAssessmentForm,
)
from kaohe.assessments.models import Assessment, Evidence, Item
from kaohe.assessments.shown_assessment import (
    KIND_OF_MODEL,
    REVIEWERS_ONLY,
    ShownEvidence,
    by_requirement,
    contents_of,
    deadlines_of,
    evidence_of,
    history_line,
    items_with_counts,
    record_chosen,
    records_offered,
    shown_evidence,
    total_of,
)
from kaohe.assessments.views_assessment import final_total_and_grade, rights_of, runs_cycle, stored_evidence
from kaohe.assessments.views_assessment_item import Opened, live_figures, opened_in, returned_comments
from kaohe.figures.compute import year_range
from kaohe.history.models import Event
from kaohe.organisations.models import Organisation, is_code
from kaohe.records.queries import has_records_in
from kaohe.versions import ConfirmForm

LARGEST_ID = 2**63 - 1  # a BigAutoField's: a larger number is no row's (and no query)


def assessment_or_404(user: Any, year: int, code: str) -> Assessment:
    """The page's assessment_or_404; a year or a code no unit can have is not found without a query."""
    if year not in YEARS or not is_code(code):
        raise Http404
    assessment: Assessment = access.get_assessment(user, Assessment.objects.all(), year, code)
    return assessment


def item_or_404(user: Any, year: int, code: str, number: str) -> Opened:
    assessment = assessment_or_404(user, year, code)
    pooled = actions.pooled_items(assessment.cycle.doc)
    if number in pooled:  # the page leads to the category; the API says where to go
        detail = _("Item %(item)s is scored with its category: use item %(pooled)s.")
        raise exceptions.NotFound(detail % {"item": number, "pooled": actions.POOLED_ITEM})
    return opened_in(assessment, number)


# What the answers hold ------------------------------------------------------------------------------------


def evidence_body(assessment: Assessment, piece: Evidence, record_deleted: bool = False) -> dict[str, Any]:
    blob = piece.file
    kind = KIND_OF_MODEL.get(piece.record_kind)
    download = None
    if blob is not None:
        download = reverse(
            "api:assessment_evidence", args=[assessment.cycle.year, assessment.organisation.code, piece.pk]
        )
    return {
        "id": piece.pk,
        "requirement": piece.requirement,
        "kind": "file" if blob is not None else "record",
        "file_name": piece.file_name,
        "content_type": blob.content_type if blob else "",
        "size": blob.size if blob else None,
        "download": download,
        "record": f"{kind.slug}:{piece.record_id}" if kind and piece.record_id else "",
        "record_label": piece.record_label,
        "record_deleted": record_deleted,
        "note": piece.note,
        "added_by": person(piece.added_by),
        "added_at": piece.added_at,
    }


def shown_body(assessment: Assessment, shown: ShownEvidence) -> dict[str, Any]:
    piece = shown.evidence
    return evidence_body(assessment, piece, record_deleted=bool(piece.record_id) and not shown.record_href)


def item_body(assessment: Assessment, item: Item, pieces: list[ShownEvidence], title: str) -> dict[str, Any]:
    return {
        "number": item.number,
        "title": title,
        "points": item.points,
        "proposed": item.proposed,
        "figures": [_figure(figure) for figure in item.figures or [] if isinstance(figure, dict)],
        "self_score": item.self_score,
        "explanation": item.explanation,
        "final_score": item.final_score,
        "reason": item.reason,
        "comment": item.comment,
        "evidence_count": getattr(item, "evidence_count", len(pieces)),
        "evidence": [shown_body(assessment, shown) for shown in pieces],
        "version": item.version,
    }


def _figure(stored: dict[str, Any]) -> dict[str, Any]:
    return {name: stored.get(name) for name in ("key", "item", "value", "target", "met")}


def reviewing_unit(assessment: Assessment) -> dict[str, str] | None:
    code = access.reviewing_unit_of(assessment)
    unit = Organisation.objects.filter(code=code).only("code", "name", "category").first() if code else None
    return unit_ref(unit) if unit else None


def assessment_body(user: Any, assessment: Assessment) -> dict[str, Any]:
    """What the assessment page shows, as the page_context of kaohe/assessments/views_assessment.py."""
    cycle = assessment.cycle
    rights = rights_of(user, assessment)
    contents = contents_of(cycle.doc)
    items = items_with_counts(assessment)
    final_total, grade = final_total_and_grade(assessment, items, rights["sees_final"])
    pieces: dict[int, list[ShownEvidence]] = {}
    every_piece = list(Evidence.objects.filter(item__assessment=assessment).select_related("file", "added_by"))
    for shown in shown_evidence(assessment, every_piece):
        pieces.setdefault(shown.evidence.item_id, []).append(shown)
    returns = assessment.returns.select_related("returned_by").order_by("-round")
    return {
        "year": cycle.year,
        "cycle": cycle.name,
        "unit": unit_ref(assessment.organisation),
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "version": assessment.version,
        "tier": assessment.tier,
        "column": assessment.column,
        "round": assessment.round,
        "reviewing_unit": reviewing_unit(assessment),
        "reviewer": person(assessment.reviewer),
        "submitted_at": assessment.submitted_at,
        "reviewed_at": assessment.reviewed_at,
        "published_at": assessment.published_at,
        "deadlines": [{"label": d.label, "day": d.day, "days_left": d.days_left} for d in deadlines_of(cycle)],
        "self_total": total_of(item.self_score for item in items),
        "points_total": sum((item.points for item in items), Decimal(0)),
        "final_total": final_total,
        "grade": grade,
        "returns": [
            {
                "round": returned.round,
                "comment": returned.comment,
                "item_comments": returned.item_comments if isinstance(returned.item_comments, dict) else {},
                "returned_by": person(returned.returned_by),
                "returned_at": returned.returned_at,
            }
            for returned in returns
        ],
        "missing": actions.missing_for_submission(assessment, items) if rights["may_self_assess"] else [],
        "rights": rights,
        "sees_final": rights["sees_final"],
        "items": [
            item_body(assessment, item, pieces.get(item.pk, []), contents.get(item.number, "")) for item in items
        ],
    }


def assessment_answer(user: Any, year: int, code: str) -> Response:
    """The assessment as stored now (after an action: its new state and version)."""
    body = assessment_body(user, assessment_or_404(user, year, code))
    return Response(AssessmentOut(body, context={"sees_final": body["sees_final"]}).data)


def item_answer(user: Any, assessment: Assessment, item: Item) -> Response:
    contents = contents_of(assessment.cycle.doc)
    pieces = shown_evidence(assessment, list(evidence_of(item)))
    body = item_body(assessment, item, pieces, contents.get(item.number, ""))
    return Response(ItemOut(body, context={"sees_final": access.can_see_final_scores(user, assessment)}).data)


# The assessment, one item ---------------------------------------------------------------------------------


class AssessmentDetail(APIView):
    @extend_schema(
        operation_id="assessment",
        summary="A unit's assessment of the year",
        description=(
            "Its state, version, deadlines, totals, returns, what is missing to submit, and every item with its "
            "proposal, the figures behind it, the self-assessment and the evidence. Final scores (and totals, "
            "grade, reasons, the reviewer's comments) only for those who see them: the unit once published."
        ),
        tags=["assessments"],
        responses=AssessmentOut,
    )
    def get(self, request: Request, year: int, code: str) -> Response:
        return assessment_answer(request.user, year, code)


class AssessmentItem(APIView):
    @extend_schema(
        operation_id="assessment_item",
        summary="One item of an assessment",
        description=(
            "The item page: its requirements in the unit's column with their evidence, the figures from the "
            "unit's records now and the proposal they make, the comments of each return, the self-assessment, "
            "the review (to those who see it) and, to the unit's people while they fill it in, the records "
            "they may link. Items of category 8 are scored together as item 8."
        ),
        tags=["assessments"],
        responses=ItemDetailOut,
    )
    def get(self, request: Request, year: int, code: str, item: str) -> Response:
        found = item_or_404(request.user, year, code, item)
        body = item_detail(request.user, found)
        return Response(ItemDetailOut(body, context={"sees_final": body["rights"]["sees_final"]}).data)


def item_detail(user: Any, found: Opened) -> dict[str, Any]:
    """What the item page shows (item_context in kaohe/assessments/views_assessment_item.py), without its forms."""
    assessment, item = found.assessment, found.item
    rights = rights_of(user, assessment)
    figures, live_proposal = live_figures(assessment, item)
    contents = contents_of(assessment.cycle.doc)
    pieces = shown_evidence(assessment, list(evidence_of(item)))
    requirements, _whole = by_requirement(found.requirements, pieces, contents)
    unit, year = assessment.organisation, assessment.cycle.year
    offered = records_offered(unit, year) if rights["may_self_assess"] else []
    return {
        **item_body(assessment, item, pieces, contents.get(item.number, "")),
        "status": assessment.status,
        "requirements": [
            {
                "position": row.position,
                "item": row.item,
                "number": row.number,
                "text": row.text,
                "item_content": row.item_content,
                "evidence": [shown.evidence.pk for shown in row.evidence],
            }
            for row in requirements
        ],
        "live_figures": [
            {
                name: getattr(figure, name)
                for name in ("key", "item", "label", "value", "target", "met", "scope", "basis")
            }
            for figure in figures
        ],
        "live_proposal": live_proposal,
        "empty_year": not has_records_in(unit, *year_range(year)),
        "returned_comments": [
            {
                "round": returned.round,
                "comment": text,
                "returned_by": person(returned.returned_by),
                "returned_at": returned.returned_at,
            }
            for returned, text in returned_comments(assessment, item)
        ],
        "linkable_records": [
            {"kind": kind, "records": [{"value": value, "label": label} for value, label in choices]}
            for kind, choices in offered
        ],
        "rights": rights,
    }


class ItemSelf(APIView):
    @extend_schema(
        operation_id="assessment_item_self",
        summary="Save the unit's self-score and explanation of an item",
        description=(
            "The item page's self-assessment form, for the unit's own people while it is being filled in or was "
            "returned. A field left out stays as it is; null or an empty self-score clears it. The first save "
            "starts the unit's draft."
        ),
        tags=["assessments"],
        request=SelfInput,
        responses=ItemOut,
    )
    def patch(self, request: Request, year: int, code: str, item: str) -> Response:
        found = item_or_404(request.user, year, code, item)
        if not access.can_self_assess(request.user, found.assessment):
            raise access.SeeButNotChange
        shown = SelfAssessmentForm(item=found.item)
        form = page_form(SelfAssessmentForm, as_sent(shown, request.data), item=found.item)
        data = read(form)
        saved = actions.save_self_item(
            request.user,
            found.item,
            self_score=data["self_score"],
            explanation=data["explanation"],
            read_version=form.read_version,
        )
        return item_answer(request.user, found.assessment, saved)


class ItemReview(APIView):
    @extend_schema(
        operation_id="assessment_item_review",
        summary="Save the reviewer's final score of an item",
        description=(
            "The item page's review form, for the unit's reviewer once it is submitted (and until publication). "
            "A final score that differs from the self-score or the proposal needs a reason. A field left out "
            "stays as it is."
        ),
        tags=["assessments"],
        request=ReviewInput,
        responses=ItemOut,
    )
    def patch(self, request: Request, year: int, code: str, item: str) -> Response:
        found = item_or_404(request.user, year, code, item)
        if not access.can_review(request.user, found.assessment):
            raise access.SeeButNotChange
        shown = ReviewForm(item=found.item)
        form = page_form(ReviewForm, as_sent(shown, request.data), item=found.item)
        data = read(form)
        saved = actions.review_item(
            request.user,
            found.item,
            final_score=data["final_score"],
            reason=data["reason"],
            comment=data["comment"],
            read_version=form.read_version,
        )
        return item_answer(request.user, found.assessment, saved)


# Evidence -------------------------------------------------------------------------------------------------


class ItemEvidence(APIView):
    @extend_schema(
        operation_id="assessment_item_evidence",
        summary="Add evidence to an item",
        description=(
            "A file (multipart `file`, or `photo` as the page's camera field; typed by its content: PDF, JPG or "
            "PNG, Word or Excel), or one of the unit's records of the year (`record`: a value of the item's "
            "`linkable_records`), for a requirement (its position) or the item as a whole. The unit's own "
            "people, while they fill it in."
        ),
        tags=["assessments"],
        request={"multipart/form-data": EvidenceUploadInput, "application/json": EvidenceLinkInput},
        responses={201: EvidenceOut},
    )
    def post(self, request: Request, year: int, code: str, item: str) -> Response:
        found = item_or_404(request.user, year, code, item)
        if not access.can_self_assess(request.user, found.assessment):
            raise access.SeeButNotChange
        links = isinstance(request.data, Mapping) and "record" in request.data
        added = linked(request, found) if links else uploaded(request, found)
        return Response(EvidenceOut(evidence_body(found.assessment, added)).data, status=status.HTTP_201_CREATED)


def uploaded(request: Request, found: Opened) -> Evidence:
    """The page's upload form: a file or a photo; a refusal of the file named as the field it came in."""
    form = page_form(EvidenceUploadForm, request.data, request.FILES, requirements=found.requirements)
    data = read(form)
    added: Evidence = refusals_on(
        form.upload_field,
        lambda: actions.add_evidence(
            request.user, found.item, uploaded=form.uploaded, requirement=data["requirement"], note=data["note"]
        ),
    )
    return added


def linked(request: Request, found: Opened) -> Evidence:
    """The page's link form: one of the records it offers (the unit's own, of the cycle's year)."""
    records = records_offered(found.assessment.organisation, found.assessment.cycle.year)
    form = page_form(EvidenceLinkForm, request.data, requirements=found.requirements, records=records)
    data = read(form)
    record = record_chosen(data["record"])
    added: Evidence = refusals_on(
        "record",
        lambda: actions.add_evidence(
            request.user, found.item, record=record, requirement=data["requirement"], note=data["note"]
        ),
    )
    return added


class ItemEvidenceRemove(APIView):
    @extend_schema(
        operation_id="assessment_item_evidence_remove",
        summary="Remove a piece of evidence from an item",
        description="The unit's own people, while they fill it in. The stored file stays (others may share it).",
        tags=["assessments"],
        request=None,
        responses={204: None},
    )
    def delete(self, request: Request, year: int, code: str, item: str, pk: int) -> Response:
        found = item_or_404(request.user, year, code, item)
        evidence = Evidence.objects.filter(pk=pk, item=found.item).first() if pk <= LARGEST_ID else None
        if evidence is None:
            raise Http404
        if not access.can_self_assess(request.user, found.assessment):
            raise access.SeeButNotChange
        evidence.item = found.item
        actions.remove_evidence(request.user, evidence)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AssessmentEvidenceFile(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # Asked for with any Accept header: the file answers in its own type, a refusal as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        operation_id="assessment_evidence",
        summary="Download a piece of evidence's file",
        description=(
            "For whoever sees the unit. Served in the type its content has (never the uploaded name's), inline "
            "for PDF and pictures and as an attachment otherwise, sandboxed: it never runs as a page."
        ),
        tags=["assessments"],
        responses={
            (200, content_type): OpenApiTypes.BINARY for content_type in sorted(set(files.ALLOWED_TYPES.values()))
        },
    )
    def get(self, request: Request, year: int, code: str, pk: int) -> Any:
        assessment = assessment_or_404(request.user, year, code)
        if pk > LARGEST_ID:
            raise Http404
        return files.file_response(*stored_evidence(assessment, pk))


# Submitting, returning, marking reviewed, reopening -------------------------------------------------------


def confirmed(request: Request, year: int, code: str, allowed: Any, act: Any) -> Response:
    """A button of the assessment page: allowed to the user (else 403), at the version the page showed."""
    assessment = assessment_or_404(request.user, year, code)
    if not allowed(request.user, assessment):
        raise access.SeeButNotChange
    form = page_form(ConfirmForm, request.data, edited=assessment)
    read(form)
    act(request.user, assessment, read_version=form.read_version)
    return assessment_answer(request.user, year, code)


class AssessmentSubmit(APIView):
    @extend_schema(
        operation_id="assessment_submit",
        summary="Submit the self-assessment",
        description=(
            "The unit's own people, once every item has a self-score and an explanation (else a 400 listing "
            "what is missing). The proposals are worked out again from the unit's records as they are now."
        ),
        tags=["assessments"],
        request=ConfirmInput,
        responses=AssessmentOut,
    )
    def post(self, request: Request, year: int, code: str) -> Response:
        return confirmed(request, year, code, access.can_self_assess, actions.submit_self_assessment)


class AssessmentCompleteReview(APIView):
    @extend_schema(
        operation_id="assessment_complete_review",
        summary="Mark the review complete",
        description="The reviewer, once every item has a final score (and a reason where it differs).",
        tags=["assessments"],
        request=ConfirmInput,
        responses=AssessmentOut,
    )
    def post(self, request: Request, year: int, code: str) -> Response:
        return confirmed(request, year, code, access.can_review, actions.complete_review)


class AssessmentReturn(APIView):
    @extend_schema(
        operation_id="assessment_return",
        summary="Return the assessment to the unit",
        description=(
            "The reviewer sends a submitted assessment back with a comment, or comments on items (item number → "
            "text), or both; the unit fills it in again in the next round, the comments staying visible."
        ),
        tags=["assessments"],
        request=ReturnInput,
        responses=AssessmentOut,
    )
    def post(self, request: Request, year: int, code: str) -> Response:
        assessment = assessment_or_404(request.user, year, code)
        if not access.can_review(request.user, assessment):
            raise access.SeeButNotChange
        items = list(assessment.items.order_by("position"))
        form = page_form(ReturnForm, with_item_fields(request.data, items), assessment=assessment, items=items)
        data = read(form, renamed={ReturnForm.item_field(item): f"item_comments.{item.number}" for item in items})
        actions.return_assessment(
            request.user,
            assessment,
            comment=data["comment"],
            item_comments=form.item_comments(),
            read_version=form.read_version,
        )
        return assessment_answer(request.user, year, code)


def with_item_fields(given: Any, items: list[Item]) -> Any:
    """The return form's fields from `item_comments` (item number → comment): one field per item, as the page's."""
    if not isinstance(given, Mapping) or isinstance(given, MultiValueDict) or "item_comments" not in given:
        return given
    comments = given["item_comments"]
    if comments is None:
        comments = {}
    if not isinstance(comments, dict):
        raise serializers.ValidationError({"item_comments": [_("Send an object: item number → comment.")]})
    for number, text in comments.items():
        if text is not None and not isinstance(text, str):
            raise serializers.ValidationError(
                {f"item_comments.{number}": [_("Send one value, not a list or an object.")]}
            )
    numbers = {item.number for item in items}
    unknown = sorted(str(number) for number in comments if number not in numbers)
    if unknown:
        message = _("The assessment has no item %(item)s.") % {"item": unknown[0][:10]}
        raise serializers.ValidationError({"item_comments": [message]})
    sent = {name: value for name, value in given.items() if name != "item_comments"}
    return {**sent, **{f"item_{number}": text or "" for number, text in comments.items()}}


class AssessmentReopen(APIView):
    @extend_schema(
        operation_id="assessment_reopen",
        summary="Reopen a published assessment for a correction",
        description=(
            "A district's administrators, with the reason: the assessment goes back to its reviewer and is "
            "published again with the cycle's next publication."
        ),
        tags=["assessments"],
        request=ReopenInput,
        responses=AssessmentOut,
    )
    def post(self, request: Request, year: int, code: str) -> Response:
        assessment = assessment_or_404(request.user, year, code)
        if not runs_cycle(request.user, assessment):
            raise access.SeeButNotChange
        form = page_form(ReopenForm, request.data, assessment=assessment)
        data = read(form)
        refusals_on(
            "reason",
            lambda: actions.reopen_assessment(
                request.user, assessment, reason=data["reason"], read_version=form.read_version
            ),
        )
        return assessment_answer(request.user, year, code)


# History --------------------------------------------------------------------------------------------------


class AssessmentHistory(GenericAPIView):  # type: ignore[type-arg]
    @extend_schema(
        operation_id="assessment_history",
        summary="What happened to the assessment",
        description=(
            "Its states, its items' scores and its evidence, latest first, as the history page lists them (one "
            "item's with `item`). Final scores saved are left out for those who do not see them yet."
        ),
        tags=["assessments"],
        parameters=[HistoryFilter],
        responses=EventOut(many=True),
    )
    def get(self, request: Request, year: int, code: str) -> Response:
        assessment = assessment_or_404(request.user, year, code)
        numbers = list(assessment.items.order_by("position").values_list("number", flat=True))
        item = read(page_form(HistoryFilterForm, request.query_params, numbers=numbers))["item"]
        events = actions.all_history(assessment).select_related("actor").order_by("-at", "-id")
        if item:
            events = events.filter(details__item=item)
        if not access.can_see_final_scores(request.user, assessment):
            events = events.exclude(action__in=REVIEWERS_ONLY)
        page: list[Event] = self.paginate_queryset(events) or []
        return self.get_paginated_response(EventOut([event_body(event) for event in page], many=True).data)


def event_body(event: Event) -> dict[str, Any]:
    line = history_line(event)
    changes = (event.details or {}).get("changes") or {}
    names = [name for name, pair in changes.items() if isinstance(pair, list | tuple) and len(pair) == 2]
    return {
        "id": event.pk,
        "at": event.at,
        "who": line.who,
        "actor": event.actor.get_username() if event.actor else None,
        "action": event.action,
        "action_label": line.what,
        "item": line.item,
        "changes": [
            {"field": name, "label": change.label, "before": change.before, "after": change.after}
            for name, change in zip(names, line.changes, strict=True)
        ],
        "notes": [{"label": label, "text": text} for label, text in line.notes],
    }
