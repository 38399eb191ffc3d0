"""The results pages: the published cycles, a cycle's rankings per group (page and xlsx), a unit's score sheet
(page and xlsx). Rankings are computed over the whole group and show the units of one's own subtree only:
a secondary union's cadre sees where it stands among the secondary unions, and its system's grassroots
unions, without the other units' names or totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy

from kaohe import access
from kaohe.assessments.models import Cycle
from kaohe.organisations.models import TIER_OF_CATEGORY, Organisation, Tier
from kaohe.pdf import pdf_response, render_pdf
from kaohe.results import rankings
from kaohe.results.rankings import DIRECT, DISTRICT, GRASSROOTS, SECONDARY, Result
from kaohe.results.views_sheet import MOST_SHEETS_IN_ONE_PDF
from kaohe.spreadsheets import ExportColumn, Format, export_response, write_report

ROWS_PER_PAGE = 50
ACROSS_THE_DISTRICT = "grassroots_district"
GROUP_LABELS = {
    SECONDARY: gettext_lazy("Secondary unions"),
    DIRECT: gettext_lazy("Directly affiliated grassroots unions"),
    GRASSROOTS: gettext_lazy("Grassroots unions, within their system"),
    ACROSS_THE_DISTRICT: gettext_lazy("Grassroots unions, across the district"),
    DISTRICT: gettext_lazy("District federations"),
}
EXPORT_LANGUAGE = "zh-hans"  # exports are filed and printed in Chinese, whatever the reader chose
FEW_ENOUGH_TO_NAME = 500
SECONDARY_CATEGORIES = [
    category for category, tier in TIER_OF_CATEGORY.items() if tier == Tier.SECONDARY
]  # subtotals of more assessments are read for the whole cycle than by a list of ids


class RankingForm(forms.Form):
    group = forms.ChoiceField(choices=list(GROUP_LABELS.items()), required=False)
    system = forms.CharField(required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)


@dataclass(frozen=True)
class Ranking:
    cycle: Cycle
    group: str
    system: str
    rows: list[Result]  # of the group (and system), within the user's subtree, best first
    rank_field: str  # "rank", or "district_rank" for grassroots unions across the district

    def rank_of(self, result: Result) -> int | None:
        return getattr(result, self.rank_field)

    def places_gained(self, result: Result) -> int | None:
        """Against the previous cycle, in this list's own ranking: across the district for that list."""
        return result.district_rank_change if self.rank_field == "district_rank" else result.rank_change


def published_cycles_of(user: Any) -> QuerySet[Cycle]:
    """The published cycles of the user's district, latest first (one query; their standards left unread)."""
    published = access.visible_cycles(user, Cycle.objects.defer("document")).filter(published_at__isnull=False)
    return published.order_by("-year")


@login_required
def cycles(request: HttpRequest) -> HttpResponse:
    return render(request, "results/cycles.html", {"cycles": list(published_cycles_of(request.user))})


def _cycle(request: HttpRequest, year: int) -> Cycle:
    return access.get_cycle(request.user, Cycle.objects.select_related("district"), year)


def default_group(user: Any) -> str:
    """The group a person's ranking opens on: their own unit's, or the grassroots unions of their system."""
    root = access.scope_root(user)
    tier = str(root.tier) if root is not None else SECONDARY
    starting: dict[str, str] = {Tier.SECONDARY: GRASSROOTS, Tier.GRASSROOTS: GRASSROOTS, Tier.DIRECT: DIRECT}
    return starting.get(tier, SECONDARY)


def ranking_of(user: Any, cycle: Cycle, form: RankingForm) -> Ranking:
    group = (form.cleaned_data.get("group") if form.is_valid() else "") or default_group(user)
    system = (form.cleaned_data.get("system") or "") if form.is_valid() else ""
    root = access.scope_root_or_404(user)
    results = [r for r in rankings.cycle_results(cycle) if r.path.startswith(root.path)]
    if group == ACROSS_THE_DISTRICT:
        rows = sorted((r for r in results if r.tier == GRASSROOTS), key=lambda r: (r.district_rank or 0, r.code))
        return Ranking(cycle, group, "", rows, "district_rank")
    rows = [r for r in results if rankings.group_of(r) == group]
    if group == GRASSROOTS and system:
        rows = [r for r in rows if r.system == system]
    return Ranking(cycle, group, system if group == GRASSROOTS else "", rows, "rank")


def systems_of(ranking_rows: list[Result], cycle: Cycle) -> list[tuple[str, str]]:
    """The secondary unions whose grassroots unions the list holds, for the system filter: one query."""
    codes = {r.system for r in ranking_rows if r.system}
    units = Organisation.objects.filter(code__in=sorted(codes)).order_by("path").values_list("code", "name")
    return list(units)


@login_required
def ranking(request: HttpRequest, year: int) -> HttpResponse:
    cycle = _cycle(request, year)
    form = RankingForm(request.GET)
    if not rankings.is_published(cycle):
        return render(request, "results/not_published.html", {"cycle": cycle})
    found = ranking_of(request.user, cycle, form)
    page = Paginator(found.rows, ROWS_PER_PAGE).get_page(form.cleaned_data.get("page") if form.is_valid() else 1)
    subtotals = rankings.category_subtotals(cycle, [r.assessment_id for r in page.object_list])
    context = {
        "cycle": cycle,
        "ranking": found,
        "groups": list(GROUP_LABELS.items()),
        "systems": systems_of(found.rows, cycle) if found.group == GRASSROOTS else [],
        "categories": rankings.categories_of(cycle),
        "page": page,
        "rows": _shown_rows(found, page.object_list, subtotals),
        "previous": rankings.previous_cycle(cycle),
        **_print_run(request, cycle),
    }
    return render(request, "results/ranking.html", context)


def _print_run(request: HttpRequest, cycle: Cycle) -> dict[str, Any]:
    """What the district administrator's "score sheets as one PDF" form offers: tiers and secondary unions."""
    if cycle.district is None or not access.can_run_cycle(request.user, cycle.district):
        return {"may_print_sheets": False}
    secondary = access.visible_organisations(request.user).filter(category__in=SECONDARY_CATEGORIES).order_by("path")
    return {
        "may_print_sheets": True,
        "tiers": [(tier.value, tier.label) for tier in Tier],
        "secondary_units": list(secondary.values_list("code", "name")),
        "most_sheets": MOST_SHEETS_IN_ONE_PDF,
    }


@dataclass(frozen=True)
class ShownResult:
    result: Result
    rank: int | None
    categories: list[Decimal | None]
    places_gained: int | None


def _shown_rows(
    found: Ranking, results: Iterable[Result], subtotals: dict[int, dict[str, Decimal]]
) -> list[ShownResult]:
    categories = rankings.categories_of(found.cycle)
    return [
        ShownResult(
            r,
            found.rank_of(r),
            [subtotals.get(r.assessment_id, {}).get(key) for key in categories],
            found.places_gained(r),
        )
        for r in results
    ]


def _subtotals_of_every_row(found: Ranking) -> dict[int, dict[str, Decimal]]:
    """The category subtotals of every unit listed (not one page): read by their ids when few, else the
    whole cycle's at once (a list of 30,000 ids makes a slower query than none)."""
    ids = [r.assessment_id for r in found.rows]
    return rankings.category_subtotals(found.cycle, ids if len(ids) <= FEW_ENOUGH_TO_NAME else None)


@login_required
def ranking_export(request: HttpRequest, year: int) -> HttpResponse:
    cycle = _cycle(request, year)
    if not rankings.is_published(cycle):
        return render(request, "results/not_published.html", {"cycle": cycle})
    found = ranking_of(request.user, cycle, RankingForm(request.GET))
    subtotals = _subtotals_of_every_row(found)
    categories = rankings.categories_of(cycle)
    columns = [
        ExportColumn("名次", Format.COUNT),
        ExportColumn("单位编码", Format.CODE),
        ExportColumn("单位名称"),
        ExportColumn("所属系统", Format.CODE),
        ExportColumn("总分", Format.DECIMAL),
        ExportColumn("等级"),
        *[ExportColumn(f"第{key}类", Format.DECIMAL) for key in categories],
        ExportColumn("上一周期总分", Format.DECIMAL),
        ExportColumn("总分变化", Format.DECIMAL),
        ExportColumn("名次变化", Format.COUNT),
    ]
    rows = (
        [
            found.rank_of(r),
            r.code,
            r.name,
            r.system or None,
            r.total,
            r.grade,
            *[subtotals.get(r.assessment_id, {}).get(key) for key in categories],
            r.previous_total,
            r.change,
            found.places_gained(r),
        ]
        for r in found.rows
    )
    with translation.override(EXPORT_LANGUAGE):
        group = str(GROUP_LABELS[found.group])
    title = f"{cycle.name} · 排名 · {group}" + (f" · {found.system}" if found.system else "")
    return export_response(write_report(title, columns, rows, sheet_name="排名"), f"排名-{cycle.year}-{group}.xlsx")


@login_required
def ranking_pdf(request: HttpRequest, year: int) -> HttpResponse:
    cycle = _cycle(request, year)
    if not rankings.is_published(cycle):
        return render(request, "results/not_published.html", {"cycle": cycle})
    found = ranking_of(request.user, cycle, RankingForm(request.GET))
    subtotals = _subtotals_of_every_row(found)
    with translation.override(EXPORT_LANGUAGE):
        group = str(GROUP_LABELS[found.group])
        context = {
            "cycle": cycle,
            "federation": cycle.district.name if cycle.district else "",
            "ranking": found,
            "group_label": group,
            "categories": rankings.categories_of(cycle),
            "rows": _shown_rows(found, found.rows, subtotals),
            "previous": rankings.previous_cycle(cycle),
        }
        content = render_pdf("results/ranking_pdf.html", context)
    return pdf_response(content, f"排名-{cycle.year}-{group}.pdf")
