"""The dashboards: the district's (for its staff) or a secondary union's system (for its cadres), and a unit's
own results across cycles (where a grassroots or direct union's cadre lands). Each chart is drawn in the
browser by Apache ECharts, served by kaohe, from the table printed beside it; each table exports to xlsx."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from kaohe import access
from kaohe.assessments.models import Assessment, Cycle
from kaohe.assessments.todo import district_of, open_cycle_of
from kaohe.organisations.models import Organisation
from kaohe.results import dashboard
from kaohe.results.dashboard import Table
from kaohe.spreadsheets import ExportColumn, Format, export_response, write_report

EXPORT_LANGUAGE = "zh-hans"
LABELS = {
    "progress": _("Progress of the open cycle: units per tier and state"),
    "distribution": _("Distribution of the totals"),
    "categories": _("Category averages: self-score against final score"),
    "rules": _("Quantitative rules: units that meet each"),
    "grades": _("Grades per tier"),
    "years": _("Cycle by cycle: the average total and units per grade"),
    "unit": _("Our totals and category scores, cycle by cycle"),
    "lost": _("Where points were lost"),
    "tier": _("Tier"),
    "totals": _("Total"),
    "units": _("Number of units"),
    "category": _("Category"),
    "category_n": _("Cat. %(key)s"),
    "self": _("Average self-score"),
    "final": _("Average final score"),
    "rule": _("Rule"),
    "met": _("Met"),
    "not_met": _("Not met"),
    "year": _("Year"),
    "average": _("Average total"),
    "total": _("Total"),
    "item": _("Item"),
    "lost_points": _("Points lost"),
    "points": _("Points"),
}


class DashboardForm(forms.Form):
    year = forms.IntegerField(required=False, min_value=1900, max_value=2200)
    table = forms.CharField(required=False, max_length=20)


def _labels() -> dict[str, str]:
    """The words of the tables, in the language of the moment (the reader's, or an export's)."""
    return {key: str(label) for key, label in LABELS.items()}


def published_cycles(user: Any) -> list[Cycle]:
    """The published cycles of the user's district, latest first, with their copies of the standard."""
    cycles = access.visible_cycles(user, Cycle.objects.all()).filter(published_at__isnull=False)
    return list(cycles.order_by("-year"))


def _chosen(cycles: list[Cycle], form: DashboardForm) -> Cycle | None:
    year = form.cleaned_data.get("year") if form.is_valid() else None
    return next((c for c in cycles if c.year == year), cycles[0] if cycles else None)


def district_tables(
    user: Any, form: DashboardForm, cycles: list[Cycle]
) -> tuple[Cycle | None, Cycle | None, list[Table]]:
    """The dashboard's tables for the user's subtree; `cycles`: the district's published ones, latest first."""
    root = access.scope_root_or_404(user)
    labels = _labels()
    chosen = _chosen(cycles, form)
    tables = []
    open_cycle = open_cycle_of(district_of(root), timezone.localdate())
    running = open_cycle is not None and open_cycle.published_at is None
    if open_cycle is not None and running:
        tables.append(dashboard.progress(open_cycle, root.path, labels))
        tables.append(_cached(("open-rules", open_cycle.pk, root.path), lambda: _open_rules(open_cycle, root, labels)))
    if chosen is not None:
        stamp = dashboard.last_published(cycles)  # changes whenever anything is published again
        published = ("published", chosen.pk, stamp, root.path, running)
        tables += _cached(published, lambda: _published_tables(chosen, cycles, root, labels, running))
    return open_cycle, chosen, tables


def _open_rules(cycle: Cycle, root: Organisation, labels: dict[str, str]) -> Table:
    """The rules as the open cycle's figures stand (worked out from the records when it opened, and again on
    each item page): where the units are now, not a year ago."""
    rules = dashboard.rules_met(cycle, root.path, labels, published_only=False)
    rules.title = f"{rules.title} · {cycle.year}"
    return rules


def _published_tables(
    chosen: Cycle, cycles: list[Cycle], root: Organisation, labels: dict[str, str], running: bool
) -> list[Table]:
    of_the_year = [
        dashboard.distribution(chosen, root.path, labels),
        dashboard.category_averages(chosen, root.path, labels),
        *([] if running else [dashboard.rules_met(chosen, root.path, labels)]),
        dashboard.grades(chosen, root.path, labels),
    ]
    for table in of_the_year:
        table.title = f"{table.title} · {chosen.year}"
    return [*of_the_year, dashboard.year_over_year(cycles, root.path, labels)]


def _cached(key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    """A dashboard's tables from the cache, worked out on a miss: a district's take about a second at 30,000
    units. The key holds the reader's language and what the tables depend on; see DASHBOARD_CACHE_SECONDS."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    name = "kaohe-dashboard:" + hashlib.sha256(repr((*key, translation.get_language())).encode()).hexdigest()
    found = cache.get(name)
    if found is None:
        found = compute()
        cache.set(name, found, seconds)
    return found


@login_required
def district_dashboard(request: HttpRequest) -> HttpResponse:
    root = access.scope_root_or_404(request.user)
    if not access.sees_others_assessments(request.user):
        return redirect("results:unit", code=root.code)  # a unit without units under it: its own results
    form = DashboardForm(request.GET)
    cycles = published_cycles(request.user)
    open_cycle, chosen, tables = district_tables(request.user, form, cycles)
    context = {
        "root": root,
        "open_cycle": open_cycle,
        "chosen": chosen,
        "cycles": cycles,
        "tables": [(table, _chart_json(table)) for table in tables],
        "export_href": reverse("results:dashboard_export"),
    }
    return render(request, "results/dashboard.html", context)


def _chart_json(table: Table) -> str:
    return json.dumps(table.as_chart(), ensure_ascii=False)


def unit_tables(user: Any, unit: Organisation) -> tuple[list[Cycle], list[Table]]:
    labels = _labels()
    cycles = published_cycles(user)
    tables = [dashboard.unit_across_cycles(unit.pk, cycles, labels)]
    latest = (
        Assessment.objects.filter(organisation=unit, cycle__in=[c.pk for c in cycles], published_at__isnull=False)
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
    )
    if latest is not None:
        lost = dashboard.points_lost(latest, labels)
        lost.title = f"{lost.title} · {latest.cycle.year}"
        tables.append(lost)
    return cycles, tables


@login_required
def unit_results(request: HttpRequest, code: str) -> HttpResponse:
    unit = access.get_organisation(request.user, code)
    cycles, tables = unit_tables(request.user, unit)
    context = {
        "unit": unit,
        "cycles": cycles,
        "tables": [(table, _chart_json(table)) for table in tables],
        "export_href": reverse("results:unit_export", args=[unit.code]),
        "sheet_years": [row[0] for row in tables[0].rows],
    }
    return render(request, "results/unit.html", context)


def _export(table: Table, filename: str) -> HttpResponse:
    columns = [ExportColumn(table.headings[0]), *[ExportColumn(h, Format.DECIMAL) for h in table.headings[1:]]]
    return export_response(write_report(table.title, columns, table.rows), filename)


def _one_table(tables: list[Table], form: DashboardForm) -> Table:
    name = form.cleaned_data.get("table") if form.is_valid() else None
    table = next((t for t in tables if t.name == name), None)
    if table is None:
        raise Http404
    return table


@login_required
def district_dashboard_export(request: HttpRequest) -> HttpResponse:
    form = DashboardForm(request.GET)
    with translation.override(EXPORT_LANGUAGE):
        _open, _chosen_cycle, tables = district_tables(request.user, form, published_cycles(request.user))
        table = _one_table(tables, form)
    return _export(table, f"{table.title}.xlsx")


@login_required
def unit_results_export(request: HttpRequest, code: str) -> HttpResponse:
    unit = access.get_organisation(request.user, code)
    form = DashboardForm(request.GET)
    with translation.override(EXPORT_LANGUAGE):
        _cycles, tables = unit_tables(request.user, unit)
        table = _one_table(tables, form)
    return _export(table, f"{unit.name}-{table.title}.xlsx")
