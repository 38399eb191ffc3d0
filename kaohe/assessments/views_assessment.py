"""One unit's assessment: its page (items, totals, deadlines, what is missing), submitting, returning, marking
reviewed, reopening, its history and its evidence files. Item pages are in views_assessment_item.py.

Who sees an assessment is kaohe.access's decision (outside the subtree: 404); who may act on it too (seeing
it but not allowed: 403). The state an action needs is the action's to check: refused, the page says why.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe import access
from kaohe.assessments import actions, files
from kaohe.assessments.forms_assessment import HistoryFilterForm, ReopenForm, ReturnForm
from kaohe.assessments.models import Assessment, Evidence, EvidenceFile, Item, Status
from kaohe.assessments.shown_assessment import (
    REVIEWERS_ONLY,
    contents_of,
    deadlines_of,
    history_line,
    items_with_counts,
    total_of,
)
from kaohe.forms import posted
from kaohe.organisations.models import Organisation
from kaohe.versions import ConfirmForm, StaleEdit, saved_or_current_shown

HISTORY_PER_PAGE = 50
PAGE = "assessments/assessment/page.html"


def assessment_or_404(request: HttpRequest, year: int, code: str) -> Assessment:
    return access.get_assessment(request.user, Assessment.objects.all(), year, code)


def back_to(assessment: Assessment, name: str = "assessments:assessment", **kwargs: Any) -> HttpResponse:
    return redirect(name, year=assessment.cycle.year, code=assessment.organisation.code, **kwargs)


def rights_of(user: Any, assessment: Assessment) -> dict[str, bool]:
    """What the user may do with the assessment now: the page shows only those buttons and forms."""
    self_assessor = access.can_self_assess(user, assessment)
    reviewer = access.can_review(user, assessment)
    return {
        "may_self_assess": self_assessor and assessment.is_self_assessing,
        "may_review": reviewer and assessment.status in actions.REVIEWING,
        "may_return": reviewer and assessment.status == Status.SUBMITTED,
        "may_reopen": assessment.status == Status.PUBLISHED and runs_cycle(user, assessment),
        "sees_final": access.can_see_final_scores(user, assessment),
        "is_own": self_assessor,
        "is_reviewer": reviewer,
    }


def runs_cycle(user: Any, assessment: Assessment) -> bool:
    district = assessment.cycle.district  # read only where it decides something: a published assessment's page
    return district is not None and access.can_run_cycle(user, district)


def with_contents(assessment: Assessment, items: list[Item]) -> list[Item]:
    """The items, each with `content`: what the standard asks (a pooled category: its title)."""
    contents = contents_of(assessment.cycle.doc)
    for item in items:
        item.content = contents.get(item.number, "")  # type: ignore[attr-defined]
    return items


# The assessment page ------------------------------------------------------------------------------------


@login_required
def assessment_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    return render(request, PAGE, page_context(request, assessment))


def page_context(request: HttpRequest, assessment: Assessment, **forms: Any) -> dict[str, Any]:
    rights = rights_of(request.user, assessment)
    items = with_contents(assessment, items_with_counts(assessment))
    final_total, grade = final_total_and_grade(assessment, items, rights["sees_final"])
    return {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "unit": assessment.organisation,
        "items": items,
        "self_total": total_of(item.self_score for item in items),
        "points_total": sum((item.points for item in items), Decimal(0)),
        "final_total": final_total,
        "grade": grade,
        "deadlines": deadlines_of(assessment.cycle),
        "returns": list(assessment.returns.select_related("returned_by").order_by("-round")),
        "missing": actions.missing_for_submission(assessment, items) if rights["may_self_assess"] else [],
        "reviewing_unit": _reviewing_unit(assessment),
        "confirm_form": ConfirmForm(edited=assessment),
        **rights,
        **forms,
    }


def _reviewing_unit(assessment: Assessment) -> Organisation | None:
    """The unit whose cadres review this one (None: the district's assessment team)."""
    code = access.reviewing_unit_of(assessment)
    return Organisation.objects.filter(code=code).only("code", "name").first() if code else None


def final_total_and_grade(assessment: Assessment, items: list[Item], sees_final: bool) -> tuple[Any, str]:
    """Published: as fixed. Before that, to those who see final scores, the sum so far; its band once every
    item has its final score (a band of half the items scored would only mislead)."""
    if not sees_final:
        return None, ""
    if assessment.status == Status.PUBLISHED:
        return assessment.final_total, assessment.grade
    total = total_of(item.final_score for item in items)
    every_item_scored = all(item.final_score is not None for item in items)
    return total, assessment.cycle.grade_of(total) if every_item_scored else ""


# Submitting, marking reviewed -------------------------------------------------------------------------------


def _refused(request: HttpRequest, assessment: Assessment, form: ConfirmForm, error: ValidationError) -> HttpResponse:
    """The page again, with what refused the action: a list of what is missing, or why not now."""
    missing = getattr(error, "missing", None)
    if isinstance(error, StaleEdit):
        form.show_current()
    context = page_context(request, assessment, confirm_form=form)
    context["refusal"] = error.messages[0] if missing else " ".join(error.messages)
    context["refused_missing"] = missing or []
    return render(request, PAGE, context)


def _act(request: HttpRequest, year: int, code: str, allowed: Any, act: Any, done: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    if not allowed(request.user, assessment):
        raise access.SeeButNotChange
    form = ConfirmForm(posted(request), edited=assessment)
    if not form.is_valid():
        return _refused(request, assessment, form, ValidationError(list(form.non_field_errors())))
    try:
        act(request.user, assessment, read_version=form.read_version)
    except ValidationError as error:
        return _refused(request, assessment, form, error)
    messages.success(request, done)
    return back_to(assessment)


@login_required
@require_POST
def submit(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _act(
        request,
        year,
        code,
        access.can_self_assess,
        actions.submit_self_assessment,
        _("The self-assessment was submitted."),
    )


@login_required
@require_POST
def complete_review(request: HttpRequest, year: int, code: str) -> HttpResponse:
    return _act(request, year, code, access.can_review, actions.complete_review, _("The review is complete."))


# Returning, reopening ---------------------------------------------------------------------------------------


@login_required
def return_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    if not access.can_review(request.user, assessment):
        raise access.SeeButNotChange
    items = with_contents(assessment, list(assessment.items.order_by("position")))
    form = ReturnForm(posted(request), assessment=assessment, items=items)
    if request.method == "POST" and form.is_valid():
        returned = saved_or_current_shown(
            form,
            lambda: actions.return_assessment(
                request.user,
                assessment,
                comment=form.cleaned_data["comment"],
                item_comments=form.item_comments(),
                read_version=form.read_version,
            ),
        )
        if returned is not None:
            messages.success(request, _("The assessment went back to the unit with your comments."))
            return back_to(assessment)
    context = {"assessment": assessment, "unit": assessment.organisation, "form": form}
    return render(request, "assessments/assessment/return.html", context)


@login_required
def reopen_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    if not runs_cycle(request.user, assessment):
        raise access.SeeButNotChange
    form = ReopenForm(posted(request), assessment=assessment)
    if request.method == "POST" and form.is_valid():
        reopened = saved_or_current_shown(
            form,
            lambda: actions.reopen_assessment(
                request.user, assessment, reason=form.cleaned_data["reason"], read_version=form.read_version
            ),
            refusals_on="reason",
        )
        if reopened is not None:
            messages.success(request, _("The assessment is reopened: it is back with its reviewer."))
            return back_to(assessment)
    context = {"assessment": assessment, "unit": assessment.organisation, "form": form}
    return render(request, "assessments/assessment/reopen.html", context)


# History ----------------------------------------------------------------------------------------------------


@login_required
def history(request: HttpRequest, year: int, code: str) -> HttpResponse:
    assessment = assessment_or_404(request, year, code)
    numbers = list(assessment.items.order_by("position").values_list("number", flat=True))
    form = HistoryFilterForm(request.GET if "item" in request.GET else None, numbers=numbers)
    events = actions.all_history(assessment).select_related("actor").order_by("-at", "-id")
    item = form.cleaned_data["item"] if form.is_valid() else ""
    if item:
        events = events.filter(details__item=item)
    if not access.can_see_final_scores(request.user, assessment):
        events = events.exclude(action__in=REVIEWERS_ONLY)
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "assessment": assessment,
        "unit": assessment.organisation,
        "form": form,
        "item": item,
        "page": page,
        "lines": [history_line(event) for event in page.object_list],
    }
    return render(request, "assessments/assessment/history.html", context)


# Evidence files ---------------------------------------------------------------------------------------------


@login_required
def evidence_file(request: HttpRequest, year: int, code: str, pk: int) -> FileResponse:
    """A piece of evidence's file, for whoever sees the unit: opened in the browser or saved (files.py)."""
    return files.file_response(*stored_evidence(assessment_or_404(request, year, code), pk))


def stored_evidence(assessment: Assessment, pk: int) -> tuple[EvidenceFile, str]:
    """The stored file of the assessment's piece of evidence and its name (else 404: a record, or a file gone)."""
    evidence = Evidence.objects.select_related("file").filter(pk=pk, item__assessment=assessment).first()
    if evidence is None or evidence.file is None or not evidence.file.file.storage.exists(evidence.file.file.name):
        raise Http404
    return evidence.file, evidence.file_name
