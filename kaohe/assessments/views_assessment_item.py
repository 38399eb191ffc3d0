"""One item of a unit's assessment: its requirements, the live figures and proposal, the self-assessment,
the evidence and the review.

The unit's people fill it in while self-assessing (drafts saved with htmx, or a plain POST without
JavaScript); its reviewer scores it once submitted; everyone else who sees the unit reads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe import access
from kaohe.assessments import actions
from kaohe.assessments.forms_assessment import EvidenceLinkForm, EvidenceUploadForm, ReviewForm, SelfAssessmentForm
from kaohe.assessments.models import POOLED_ITEM, Assessment, Evidence, Item
from kaohe.assessments.proposals import figures_by_item, proposed_score
from kaohe.assessments.shown_assessment import (
    by_requirement,
    contents_of,
    evidence_of,
    record_chosen,
    records_offered,
    shown_evidence,
)
from kaohe.assessments.views_assessment import assessment_or_404, rights_of
from kaohe.figures.compute import compute_figures, year_range
from kaohe.figures.views import ShownFigure, show
from kaohe.forms import saved_or_form_error
from kaohe.records.queries import has_records_in
from kaohe.versions import saved_or_current_shown

ITEM_PAGE = "assessments/assessment/item.html"
Saved = TypeVar("Saved")


@dataclass
class Opened:
    """An item as a request opened it: its assessment, and the requirements of the assessment's column."""

    assessment: Assessment
    item: Item
    requirements: list[dict[str, Any]]

    @property
    def href(self) -> str:
        return item_href(self.assessment, self.item.number)


def item_href(assessment: Assessment, number: str) -> str:
    return reverse("assessments:assessment_item", args=[assessment.cycle.year, assessment.organisation.code, number])


def opened(request: HttpRequest, year: int, code: str, number: str) -> Opened:
    return opened_in(assessment_or_404(request, year, code), number)


def opened_in(assessment: Assessment, number: str) -> Opened:
    item = assessment.items.filter(number=number).first()
    if item is None:
        raise Http404
    item.assessment = assessment  # the actions read it: no second query
    doc = assessment.cycle.doc
    scored = next(row for row in actions.scored_items(doc) if row.number == item.number)
    return Opened(assessment, item, actions.requirements_of(doc, assessment.column, scored))


# The page -----------------------------------------------------------------------------------------------


@login_required
def item_page(request: HttpRequest, year: int, code: str, item: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    if item in actions.pooled_items(assessment.cycle.doc):  # 8.1 … 8.5 are scored as one: 8
        return redirect(item_href(assessment, POOLED_ITEM))
    return render(request, ITEM_PAGE, item_context(request, opened_in(assessment, item)))


def item_context(request: HttpRequest, found: Opened, **forms: Any) -> dict[str, Any]:
    assessment, item = found.assessment, found.item
    rights = rights_of(request.user, assessment)
    figures, live_proposal = live_figures(assessment, item)
    contents = contents_of(assessment.cycle.doc)
    pieces = shown_evidence(assessment, list(evidence_of(item)))
    requirements, whole = by_requirement(found.requirements, pieces, contents)
    year = assessment.cycle.year
    context = {
        "assessment": assessment,
        "unit": assessment.organisation,
        "item": item,
        "content": contents.get(item.number, ""),
        "requirements": requirements,
        "whole_item_evidence": whole,
        "without_evidence": [row for row in requirements if not row.evidence],
        "figures": figures,
        "empty_year": not has_records_in(assessment.organisation, *year_range(year)),
        "live_proposal": live_proposal,
        "returned_comments": returned_comments(assessment, item),
        "item_href": found.href,
        **rights,
    }
    context.update(_forms(found, rights, forms))
    return context


def _forms(found: Opened, rights: dict[str, bool], given: dict[str, Any]) -> dict[str, Any]:
    """The forms the user may use now, unbound; and a form the request brought back with the reason it was
    refused, even where it is no longer theirs to use (a colleague submitted meanwhile): the page says why."""
    makers: dict[str, Callable[[], Any]] = {}
    if rights["may_self_assess"]:
        makers["self_form"] = lambda: SelfAssessmentForm(item=found.item)
        makers["upload_form"] = lambda: EvidenceUploadForm(requirements=found.requirements)
        makers["link_form"] = lambda: _link_form(found)  # reads the unit's records: only when shown
    if rights["may_review"]:
        makers["review_form"] = lambda: ReviewForm(item=found.item)
    return {**{name: make() for name, make in makers.items() if name not in given}, **given}


def _link_form(found: Opened, data: Any = None) -> EvidenceLinkForm:
    records = records_offered(found.assessment.organisation, found.assessment.cycle.year)
    return EvidenceLinkForm(data, requirements=found.requirements, records=records)


def live_figures(assessment: Assessment, item: Item) -> tuple[list[ShownFigure], Decimal | None]:
    """The figures of the item from the unit's records as they are now, and the score they propose."""
    unit, cycle = assessment.organisation, assessment.cycle
    figures = compute_figures([unit], cycle.year, cycle.doc).get(unit.pk, [])
    mine = figures_by_item(figures, actions.pooled_items(cycle.doc), POOLED_ITEM).get(item.number, [])
    return [show(figure, unit, cycle.year) for figure in mine], proposed_score(item.points, mine)


def returned_comments(assessment: Assessment, item: Item) -> list[tuple[Any, str]]:
    """The reviewer's comments on this item in the rounds it was returned, latest first."""
    returns = assessment.returns.select_related("returned_by").order_by("-round")
    return [
        (returned, returned.item_comments[item.number]) for returned in returns if item.number in returned.item_comments
    ]


def _page_again(request: HttpRequest, found: Opened, partial: str, **forms: Any) -> HttpResponse:
    """After a refused save: the form with its errors, as an htmx fragment or the whole page."""
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, f"{ITEM_PAGE}#{partial}", form_context(found, **forms))
    return render(request, ITEM_PAGE, item_context(request, found, **forms))


def form_context(found: Opened, **forms: Any) -> dict[str, Any]:
    """What a form's fragment needs: htmx swaps the form alone, the rest of the page stays as it is."""
    return {"assessment": found.assessment, "unit": found.assessment.organisation, "item": found.item, **forms}


# Self-assessment and review -------------------------------------------------------------------------------


@login_required
@require_POST
def save_self(request: HttpRequest, year: int, code: str, item: str) -> HttpResponse:
    found = opened(request, year, code, item)
    if not access.can_self_assess(request.user, found.assessment):
        raise access.SeeButNotChange
    form = SelfAssessmentForm(request.POST, item=found.item)
    saved = None
    if form.is_valid():
        saved = saved_or_current_shown(
            form,
            lambda: actions.save_self_item(
                request.user,
                found.item,
                self_score=form.cleaned_data["self_score"],
                explanation=form.cleaned_data["explanation"],
                read_version=form.read_version,
            ),
        )
    if saved is None:
        return _page_again(request, found, "self-form", self_form=form)
    return _saved(request, found, saved, "self-form", "self_form", SelfAssessmentForm(item=saved))


@login_required
@require_POST
def save_review(request: HttpRequest, year: int, code: str, item: str) -> HttpResponse:
    found = opened(request, year, code, item)
    if not access.can_review(request.user, found.assessment):
        raise access.SeeButNotChange
    form = ReviewForm(request.POST, item=found.item)
    saved = None
    if form.is_valid():
        saved = saved_or_current_shown(
            form,
            lambda: actions.review_item(
                request.user,
                found.item,
                final_score=form.cleaned_data["final_score"],
                reason=form.cleaned_data["reason"],
                comment=form.cleaned_data["comment"],
                read_version=form.read_version,
            ),
        )
    if saved is None:
        return _page_again(request, found, "review-form", review_form=form)
    return _saved(request, found, saved, "review-form", "review_form", ReviewForm(item=saved))


def _saved(request: HttpRequest, found: Opened, saved: Item, partial: str, name: str, fresh: Any) -> HttpResponse:
    """htmx: the form again at its new version, saying when it was saved; without JavaScript: back to the page."""
    if request.htmx:  # type: ignore[attr-defined]
        found.item = saved
        context = form_context(found, **{name: fresh}, saved_at=timezone.localtime())
        return render(request, f"{ITEM_PAGE}#{partial}", context)
    messages.success(request, _("Saved."))
    return redirect(found.href)


# Evidence -------------------------------------------------------------------------------------------------


@login_required
@require_POST
def upload_evidence(request: HttpRequest, year: int, code: str, item: str) -> HttpResponse:
    found = opened(request, year, code, item)
    if not access.can_self_assess(request.user, found.assessment):
        raise access.SeeButNotChange
    form = EvidenceUploadForm(request.POST, request.FILES, requirements=found.requirements)
    if form.is_valid():
        added = saved_or_form_error(
            form,
            lambda: actions.add_evidence(
                request.user,
                found.item,
                uploaded=form.uploaded,
                requirement=form.cleaned_data["requirement"],
                note=form.cleaned_data["note"],
            ),
            refusals_on=form.upload_field,
        )
        if added is not None:
            messages.success(request, _("%(name)s was added as evidence.") % {"name": added.file_name})
            return redirect(found.href + "#evidence")
    return render(request, ITEM_PAGE, item_context(request, found, upload_form=form))


@login_required
@require_POST
def link_evidence(request: HttpRequest, year: int, code: str, item: str) -> HttpResponse:
    found = opened(request, year, code, item)
    if not access.can_self_assess(request.user, found.assessment):
        raise access.SeeButNotChange
    form = _link_form(found, request.POST)
    if form.is_valid():
        record = record_chosen(form.cleaned_data["record"])
        added = saved_or_form_error(
            form,
            lambda: actions.add_evidence(
                request.user,
                found.item,
                record=record,
                requirement=form.cleaned_data["requirement"],
                note=form.cleaned_data["note"],
            ),
            refusals_on="record",
        )
        if added is not None:
            messages.success(request, _("%(name)s was linked as evidence.") % {"name": added.record_label})
            return redirect(found.href + "#evidence")
    return render(request, ITEM_PAGE, item_context(request, found, link_form=form))


@login_required
@require_POST
def remove_evidence(request: HttpRequest, year: int, code: str, item: str, pk: int) -> HttpResponse:
    found = opened(request, year, code, item)
    evidence = Evidence.objects.filter(pk=pk, item=found.item).first()
    if evidence is None:
        raise Http404
    if not access.can_self_assess(request.user, found.assessment):
        raise access.SeeButNotChange
    evidence.item = found.item
    try:
        actions.remove_evidence(request.user, evidence)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s was removed.") % {"name": evidence})
    return redirect(found.href + "#evidence")
