"""The cycle's two spreadsheets as pages: the reviewer's paper score sheet (download, fill in, upload: all or
nothing) and a past year's final scores, brought in as that year's published cycle."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kaohe import access
from kaohe.assessments import actions, importing
from kaohe.assessments.forms_cycle import PastYearForm, SheetForm
from kaohe.assessments.models import Assessment, Cycle, Item
from kaohe.assessments.views_cycle import EXPORT_LANGUAGE, cycle_or_404, default_standard_id, district_run_by
from kaohe.organisations.models import Organisation
from kaohe.spreadsheets import ImportRefused, RowError, export_response, report_title

# A file of 100,000 bad rows would make a page no browser can show; the count is always given in full.
MAX_ERRORS_SHOWN = 1000
LEFT_OUT_SHOWN = 30  # named on the page after an import; the count is given in full


def _reviewer_or_403(user: Any) -> None:
    """The sheet is for those who review: assessors and secondary cadres (the others see the cycle only)."""
    if not access.may_review_some(user):
        raise access.SeeButNotChange


def waiting_for(user: Any, cycle: Cycle) -> list[int]:
    """The ids of the assessments the user may review now: submitted, or reviewed and not yet published."""
    candidates = cycle.assessments.filter(status__in=actions.REVIEWING).select_related("organisation")
    return [a.pk for a in access.reviewable_assessments(user, candidates) if access.can_review(user, a)]


@login_required
def review_sheet(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_or_404(request, year)
    _reviewer_or_403(request.user)
    items: QuerySet[Item] = Item.objects.filter(assessment_id__in=waiting_for(request.user, cycle))
    user: Any = request.user
    reviewer = user.get_full_name() or user.get_username()
    with translation.override(EXPORT_LANGUAGE):
        title = report_title(cycle.name, _("Score sheet"), reviewer)
    content = importing.review_sheet(title, items)
    return export_response(content, f"{title}.xlsx", ascii_filename=f"review-sheet-{cycle.year}.xlsx")


@login_required
def review_sheet_upload(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_or_404(request, year)
    _reviewer_or_403(request.user)
    posted = request.method == "POST"
    form = SheetForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[RowError] = []
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = importing.read_review_sheet(upload, upload.name)
            result = actions.import_reviews(request.user, cycle, table.rows, source=upload.name)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            messages.success(request, _reviews_summary(upload.name, result))
            return redirect("assessments:review_sheet_upload", year=year)
    context = {
        "cycle": cycle,
        "form": form,
        "errors": errors,
        "errors_shown": errors[:MAX_ERRORS_SHOWN],
        "waiting": len(waiting_for(request.user, cycle)),
        "columns": [column.heading for column in importing.REVIEW_COLUMNS],
    }
    return render(request, "assessments/cycle/review_sheet.html", context)


def _reviews_summary(filename: str, result: actions.ReviewsImported) -> str:
    return _(
        "%(file)s: %(saved)s final scores saved, %(unchanged)s rows unchanged, %(empty)s rows without a final "
        "score left as they were."
    ) % {"file": filename, "saved": result.saved, "unchanged": result.unchanged, "empty": result.left_empty}


@login_required
def import_past(request: HttpRequest) -> HttpResponse:
    district = district_run_by(request.user)
    posted = request.method == "POST"
    initial = {"year": timezone.localdate().year - 1, "standard": default_standard_id()}
    form = PastYearForm(request.POST if posted else None, request.FILES if posted else None, initial=initial)
    errors: list[RowError] = []
    if posted and form.is_valid():
        data, upload = form.cleaned_data, form.cleaned_data["file"]
        try:
            table = importing.read_past_year_file(upload, upload.name)
            cycle = actions.import_past_cycle(
                request.user, district, data["year"], data["standard"], table.rows, source=upload.name
            )
        except ImportRefused as refused:
            errors = refused.errors
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:  # the page names what came in and which units got no assessment
            return redirect(reverse("assessments:import_past") + f"?imported={cycle.year}")
    context = {
        "form": form,
        "district": district,
        "errors": errors,
        "errors_shown": errors[:MAX_ERRORS_SHOWN],
        "columns": importing.PAST_REQUIRED,
        **_imported_context(request, district),
    }
    return render(request, "assessments/cycle/import_past.html", context)


def _imported_context(request: HttpRequest, district: Organisation) -> dict[str, Any]:
    """After an import: the year's cycle, and the district's active units that got no assessment in it."""
    year = request.GET.get("imported", "")
    cycle = (
        Cycle.objects.filter(district=district, year=int(year), imported=True).first()
        if year.isdigit() and len(year) <= 4
        else None
    )
    if cycle is None:
        return {"imported": None}
    assessed = Assessment.objects.filter(cycle=cycle).values("organisation_id")
    left_out = Organisation.objects.subtree_of(district).active().exclude(pk__in=assessed).order_by("path")
    return {
        "imported": cycle,
        "assessed": cycle.assessments.count(),
        "left_out_count": left_out.count(),
        "left_out": list(left_out[:LEFT_OUT_SHOWN]),
    }
