"""The cycle's pages: the district's cycles, opening a year, its progress (and export), giving units to
assessors, and publishing. Access is kaohe.access's: a cycle is its district's (else 404), running it is
its district administrators' (else 403 to those who see it); every change is an action of
kaohe.assessments.actions. The paper score sheet and past years are in views_cycle_import.py.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaohe import access
from kaohe.accounts.models import Role, User
from kaohe.assessments import actions
from kaohe.assessments import queries_cycle as queries
from kaohe.assessments.forms_cycle import AssignFilterForm, AssignForm, OpenCycleForm, ProgressFilterForm
from kaohe.assessments.models import Assessment, Cycle, Status
from kaohe.forms import posted, saved_or_form_error
from kaohe.organisations.models import Organisation, Tier
from kaohe.spreadsheets import ExportColumn, Format, export_response, report_title, write_report
from kaohe.standard.models import Standard

PER_PAGE = 50
# The progress export is a file people exchange: Chinese headings and states whatever the page's language.
EXPORT_LANGUAGE = "zh-hans"


def cycles_of(user: Any) -> QuerySet[Cycle]:
    """The user's district's cycles, without the standard's document (a page of the cycle never parses it)."""
    cycles = Cycle.objects.select_related("district", "standard").defer("document", "standard__document")
    return access.visible_cycles(user, cycles)


def cycle_or_404(request: HttpRequest, year: int) -> Cycle:
    return access.get_cycle(request.user, cycles_of(request.user), year)


def district_of(cycle: Cycle) -> Organisation:
    if cycle.district is None:  # only cycles from before districts had them; none of their pages exist
        raise Http404
    return cycle.district


def may_run(user: Any, cycle: Cycle) -> bool:
    return access.can_run_cycle(user, district_of(cycle))


def refuse_unless_running(user: Any, cycle: Cycle) -> None:
    """A cycle's people see its pages; only its district administrators run it (a 403 to the others)."""
    if not may_run(user, cycle):
        raise access.SeeButNotChange


def district_run_by(user: Any) -> Organisation:
    """The district whose cycles the user opens and brings in: their own unit, if they run its cycles."""
    root = access.scope_root_or_404(user)
    if root.parent_id is not None or not access.can_run_cycle(user, root):
        raise PermissionDenied
    return root


# The list of cycles ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CycleRow:
    cycle: Cycle
    state: queries.CycleState
    units: int
    with_units: int  # not started, drafting or returned
    submitted: int
    reviewed: int
    published: int


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    root = access.scope_root_or_404(request.user)
    cycles = list(cycles_of(request.user))
    seen = access.visible_assessments(request.user, Assessment.objects.filter(cycle__in=[c.pk for c in cycles]))
    counts = queries.counts_by_cycle(seen)
    rows = [cycle_row(cycle, counts.get(cycle.pk)) for cycle in cycles]
    may_run = root.parent_id is None and access.can_run_cycle(request.user, root)
    return render(request, "assessments/cycle/list.html", {"rows": rows, "may_run": may_run, "root": root})


def cycle_row(cycle: Cycle, by_status: Counter[str] | None) -> CycleRow:
    counts = by_status or Counter()
    return CycleRow(
        cycle=cycle,
        state=queries.cycle_state(cycle, counts),
        units=sum(counts.values()),
        with_units=sum(counts[status] for status in actions.SELF_ASSESSING),
        submitted=counts[Status.SUBMITTED],
        reviewed=counts[Status.REVIEWED],
        published=counts[Status.PUBLISHED],
    )


# Opening a year --------------------------------------------------------------------------------------------


@login_required
def open_cycle(request: HttpRequest) -> HttpResponse:
    district = district_run_by(request.user)
    form = OpenCycleForm(posted(request), initial=opening_defaults(district))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cycle = saved_or_form_error(
            form,
            lambda: actions.open_cycle(
                request.user,
                district,
                data["year"],
                data["standard"],
                self_deadline=data["self_deadline"],
                review_deadline=data["review_deadline"],
                bands=form.bands(),
            ),
        )
        if cycle is not None:
            count = cycle.assessments.count()
            messages.success(
                request,
                ngettext(
                    "%(cycle)s is open: %(count)s unit assesses itself.",
                    "%(cycle)s is open: %(count)s units assess themselves.",
                    count,
                )
                % {"cycle": cycle.name, "count": count},
            )
            return redirect("assessments:progress", year=cycle.year)
    return render(request, "assessments/cycle/open.html", {"form": form, "district": district})


def opening_defaults(district: Organisation) -> dict[str, Any]:
    """The first year without a cycle from this one on, and the default version of the standard."""
    latest = Cycle.objects.filter(district=district).aggregate(latest=Max("year"))["latest"]
    this_year = timezone.localdate().year
    year = this_year if latest is None or latest < this_year else latest + 1
    return {"year": year, "standard": default_standard_id()}


def default_standard_id() -> int | None:
    """The default version, to choose on a form: its id only, not its document."""
    return Standard.objects.filter(is_default=True).values_list("pk", flat=True).first()


# Progress --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressRow:
    """One unit of the list as plain values: a page of fifty renders them twice (table and phone cards)."""

    code: str
    name: str
    href: str
    tier: str  # its label
    status: str
    status_label: str
    overdue: bool
    self_total: str  # as shown: "—" where none
    final_total: str
    grade: str
    reviewer: str
    submitted_at: str


@login_required
def progress(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_or_404(request, year)
    if not access.sees_others_assessments(request.user):  # a grassroots or direct union: its own assessment
        return redirect(queries.assessment_href(year, access.scope_root_or_404(request.user).code))
    today = timezone.localdate()
    seen = access.visible_assessments_of(request.user, cycle)
    counts = queries.state_counts(seen)
    systems = systems_to_filter_by(request.user, seen)
    form = ProgressFilterForm(request.GET, systems=systems)
    page, rows = None, []
    if form.is_valid():
        listed = queries.filtered(seen, cycle, form.cleaned_data, systems, today)
        paginator = Paginator(listed.order_by("organisation__path").values_list("pk", flat=True), PER_PAGE)
        if not any(form.cleaned_data.values()):
            paginator.count = counts.total  # the whole list: counted already, per tier and state
        page = paginator.get_page(request.GET.get("page"))
        rows = _progress_rows(request.user, cycle, in_order(with_people(listed), list(page.object_list)), today)
    context = {
        "cycle": cycle,
        "counts": counts,
        "overdue": queries.overdue(cycle, counts, today),
        "form": form,
        "page": page,
        "rows": rows,
        "may_run": may_run(request.user, cycle),
        "may_review": access.may_review_some(request.user),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "assessments/cycle/progress.html", context)


def systems_to_filter_by(user: Any, seen: QuerySet[Assessment]) -> list[queries.System]:
    """The secondary unions of the district; none for a secondary cadre, who sees its own system only."""
    return queries.systems_of(seen) if access.scope_root_or_404(user).tier == Tier.DISTRICT else []


def in_order(assessments: QuerySet[Assessment], ids: list[int]) -> list[Assessment]:
    """The page's rows, read by id once the page is known: sorting the whole district by path reads only ids."""
    by_id = {assessment.pk: assessment for assessment in assessments.filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


def with_people(assessments: QuerySet[Assessment]) -> QuerySet[Assessment]:
    """The rows with what the list shows of them: the unit, the unit above it and the assessor given it."""
    return assessments.select_related("organisation__parent", "reviewer").order_by("organisation__path")


def _progress_rows(user: Any, cycle: Cycle, assessments: list[Assessment], today: Any) -> list[ProgressRow]:
    totals = queries.totals_of(assessment.pk for assessment in assessments)
    return [_progress_row(user, cycle, a, totals.get(a.pk), today) for a in assessments]


def _progress_row(
    user: Any, cycle: Cycle, assessment: Assessment, totals: queries.Totals | None, today: Any
) -> ProgressRow:
    unit = assessment.organisation
    # Final scores are the reviewer's until publication (access.can_see_final_scores), in a list as on the page.
    final_total = queries.final_total(assessment, totals) if access.can_see_final_scores(user, assessment) else None
    submitted = timezone.localtime(assessment.submitted_at) if assessment.submitted_at else None
    return ProgressRow(
        code=unit.code,
        name=unit.name,
        href=queries.assessment_href(cycle.year, unit.code),
        tier=queries.tier_label(assessment.tier),
        status=assessment.status,
        status_label=assessment.get_status_display(),
        overdue=queries.is_overdue(cycle, assessment, today),
        self_total=_shown(totals.self_total if totals else None),
        final_total=_shown(final_total),
        grade=assessment.grade,
        reviewer=queries.reviewer_of(assessment),
        submitted_at=f"{submitted:%Y-%m-%d %H:%M}" if submitted else "—",
    )


def _shown(total: Decimal | None) -> str:
    return "—" if total is None else str(queries.json_number(total))


EXPORT_COLUMNS = (
    ExportColumn("单位编码", Format.CODE),
    ExportColumn("单位名称", width=30),
    ExportColumn("层级", width=16),
    ExportColumn("状态", width=10),
    ExportColumn("自评总分", Format.DECIMAL),
    ExportColumn("最终总分", Format.DECIMAL),
    ExportColumn("等级", width=10),
    ExportColumn("评审", width=20),
    ExportColumn("提交时间", Format.DATE, width=18),
)


@login_required
def progress_export(request: HttpRequest, year: int) -> HttpResponse:
    """The progress list as filtered, every row of it (not one page), as xlsx."""
    cycle = cycle_or_404(request, year)
    seen = access.visible_assessments_of(request.user, cycle)
    systems = systems_to_filter_by(request.user, seen)
    form = ProgressFilterForm(request.GET, systems=systems)
    if not form.is_valid():
        messages.error(request, _("Correct the filter before exporting."))
        return redirect("assessments:progress", year=year)
    listed = queries.filtered(seen, cycle, form.cleaned_data, systems, timezone.localdate())
    totals = queries.totals_of(listed.values("pk"))
    finals_hidden = set(listed.exclude(access.final_scores_visible(request.user)).values_list("pk", flat=True))
    with translation.override(EXPORT_LANGUAGE):
        title = report_title(cycle.name, _("Progress"))
        content = write_report(title, EXPORT_COLUMNS, queries.export_rows(listed, totals, finals_hidden))
        name = f"{title}.xlsx"
    return export_response(content, name, ascii_filename=f"progress-{cycle.year}.xlsx")


# Giving units to assessors ---------------------------------------------------------------------------------


@login_required
def assign(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_or_404(request, year)
    refuse_unless_running(request.user, cycle)
    units = cycle.assessments.filter(tier__in=access.REVIEWED_BY_THE_DISTRICT)
    form = AssignForm(posted(request), assessors=assessors_of(district_of(cycle)))
    if request.method == "POST" and form.is_valid():
        chosen = list(units.filter(pk__in=form.chosen_ids()))
        if len(chosen) != len(form.chosen_ids()):
            form.add_error(None, _("Some of the units ticked are not reviewed by the assessors; reload the page."))
        else:
            assessor = form.cleaned_data["assessor"]
            changed = actions.assign_reviewer(request.user, chosen, assessor)
            messages.success(request, _assigned_message(changed, assessor))
            return redirect(request.get_full_path())
    filter_form = AssignFilterForm(request.GET)
    listed = _assign_filtered(units, filter_form)
    page = Paginator(listed.select_related("organisation", "reviewer").order_by("organisation__path"), PER_PAGE)
    shown = page.get_page(request.GET.get("page"))
    context = {
        "cycle": cycle,
        "form": form,
        "filter_form": filter_form,
        "page": shown,
        "rows": [(a, queries.tier_label(a.tier), queries.reviewer_of(a)) for a in shown.object_list],
        "load": _who_reviews_what(units),
    }
    return render(request, "assessments/cycle/assign.html", context)


def assessors_of(district: Organisation) -> QuerySet[User]:
    users = User.objects.filter(role=Role.ASSESSOR, is_active=True, organisation__path__under=district.path)
    return users.order_by("first_name", "username")


def _assign_filtered(units: QuerySet[Assessment], form: AssignFilterForm) -> QuerySet[Assessment]:
    if not form.is_valid():
        return units
    if form.cleaned_data["tier"]:
        units = units.filter(tier=form.cleaned_data["tier"])
    if text := form.cleaned_data["q"]:
        units = units.filter(queries.name_or_code(text))
    return units


def _who_reviews_what(units: QuerySet[Assessment]) -> list[tuple[str, int]]:
    """(assessor, how many units are theirs), every assessor's share (unassigned) first."""
    grouped = units.order_by().values_list("reviewer__first_name", "reviewer__username").annotate(count=Count("pk"))
    load = [(name or username or str(queries.EVERY_ASSESSOR), count) for name, username, count in grouped]
    return sorted(load, key=lambda row: (row[0] != str(queries.EVERY_ASSESSOR), row[0]))


def _assigned_message(changed: int, assessor: User | None) -> str:
    if assessor is None:
        return ngettext(
            "%(count)s unit is back with every assessor.", "%(count)s units are back with every assessor.", changed
        ) % {"count": changed}
    return ngettext("%(count)s unit given to %(assessor)s.", "%(count)s units given to %(assessor)s.", changed) % {
        "count": changed,
        "assessor": assessor.get_full_name() or assessor.get_username(),
    }


# Publishing ------------------------------------------------------------------------------------------------


@login_required
def publish(request: HttpRequest, year: int) -> HttpResponse:
    cycle = cycle_or_404(request, year)
    refuse_unless_running(request.user, cycle)
    refusal = ""
    if request.method == "POST":
        try:
            published = actions.publish_cycle(request.user, cycle)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            messages.success(
                request,
                ngettext("%(count)s assessment published.", "%(count)s assessments published.", published)
                % {"count": published},
            )
            return redirect("assessments:publish", year=year)
    counts = queries.state_counts(cycle.assessments.all())
    waiting = actions.not_yet_reviewed(cycle).select_related("organisation").order_by("organisation__path")
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "cycle": cycle,
        "counts": counts,
        "page": page,
        "refusal": refusal,
        "to_publish": counts.of_status(Status.REVIEWED),
        "waiting": counts.total - counts.of_status(Status.REVIEWED) - counts.of_status(Status.PUBLISHED),
        "rows": [(a, queries.assessment_href(year, a.organisation.code)) for a in page.object_list],
    }
    return render(request, "assessments/cycle/publish.html", context)
