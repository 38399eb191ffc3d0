"""Results (read only): the published cycles, a cycle's ranking per group, a unit's score sheet, and the
dashboards' tables, through the functions the results pages use (kaohe.results.views, views_sheet,
views_dashboard) and so with their rules of who sees what:

- a ranking is computed over the whole group and lists the units of one's own subtree only;
- a cycle not yet published ranks nothing: 200 with `published: false` and no rows, as the page says so;
  a year without a cycle of one's district is a 404, as on the page;
- a score sheet shows the final scores to the unit only once published (kaohe.access.can_see_final_scores);
- a unit without units under it has no dashboard (the page sends its people to their unit's results):
  403, naming where its results are.

Where a page falls back on a bad choice in its address (an unknown group, a page number that is no number),
the API answers 400 naming the parameter.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe import access
from kaohe.api.inputs import bound, cleaned, form_serializer
from kaohe.api.serializers_results import (
    DashboardOut,
    PageForm,
    PublishedCyclesOut,
    RankingOut,
    SheetOut,
    UnitResultsOut,
    one_page,
    unit_ref,
)
from kaohe.assessments.models import Cycle
from kaohe.results import rankings
from kaohe.results.dashboard import Table
from kaohe.results.rankings import GRASSROOTS, Result
from kaohe.results.sheet import Sheet
from kaohe.results.views import (
    GROUP_LABELS,
    Ranking,
    RankingForm,
    default_group,
    published_cycles_of,
    ranking_of,
    systems_of,
)
from kaohe.results.views_dashboard import DashboardForm, district_tables, published_cycles, unit_tables
from kaohe.results.views_sheet import sheet_for

TAGS = ["results"]
# A cycle's year is a small positive integer column: a year beyond it has no cycle, and is not even asked for
# (PostgreSQL would refuse the comparison, SQLite overflow on a number past 64 bits).
STORED_YEARS = range(1, 32768)


class CyclesQuery(PageForm):
    """GET results/: only the paging."""


class RankingQuery(PageForm, RankingForm):
    """GET results/<year>/ranking/: the ranking page's group and system, and the paging."""


class DashboardQuery(DashboardForm):
    """GET results/dashboard/: the published cycle whose tables are shown (the latest, unless ?year=)."""

    table = None  # type: ignore[assignment]  # the page's export of one table: not an API choice


def cycle_of(user: Any, year: int) -> Cycle:
    """The year's cycle of the user's district, as the results pages read it (else 404)."""
    if year not in STORED_YEARS:
        raise Http404
    return access.get_cycle(user, Cycle.objects.select_related("district"), year)


class PublishedCycles(APIView):
    @extend_schema(
        operation_id="results",
        summary="The published cycles of one's district",
        description="As the results page: every published cycle of your district, latest first.",
        tags=TAGS,
        parameters=[form_serializer(CyclesQuery)],
        responses=PublishedCyclesOut,
    )
    def get(self, request: Request) -> Response:
        cleaned(bound(CyclesQuery, request, data=request.query_params))
        cycles, paging = one_page(request, list(published_cycles_of(request.user)), self)
        results = [
            {"year": c.year, "name": c.name, "published_at": c.published_at, "imported": c.imported} for c in cycles
        ]
        return Response(PublishedCyclesOut({**paging, "results": results}).data)


class CycleRanking(APIView):
    @extend_schema(
        operation_id="ranking",
        summary="A published cycle's ranking, one group at a time",
        description="As the ranking page: ?group= secondary, direct, grassroots (within their system; narrow to "
        "one with ?system=<code>), grassroots_district (across the district) or district; without it, the "
        "group of your own unit. Only the units of your subtree are listed, ranked in the whole group. A cycle "
        "not yet published answers `published: false` and no rows, as the page says so.",
        tags=TAGS,
        parameters=[form_serializer(RankingQuery)],
        responses=RankingOut,
    )
    def get(self, request: Request, year: int) -> Response:
        cycle = cycle_of(request.user, year)
        form = bound(RankingQuery, request, data=request.query_params)
        chosen = cleaned(form)
        if not rankings.is_published(cycle):
            group = chosen.get("group") or default_group(request.user)
            return Response(RankingOut(ranking_body(cycle, group, [], [], None)).data)
        found = ranking_of(request.user, cycle, form)
        rows, paging = one_page(request, found.rows, self)
        subtotals = rankings.category_subtotals(cycle, [r.assessment_id for r in rows])
        systems = systems_of(found.rows, cycle) if found.group == GRASSROOTS else []
        body = ranking_body(cycle, found.group, systems, [row_out(found, r, subtotals) for r in rows], found)
        return Response(RankingOut({**body, **paging}).data)


def ranking_body(
    cycle: Cycle, group: str, systems: list[tuple[str, str]], results: list[dict[str, Any]], found: Ranking | None
) -> dict[str, Any]:
    """The ranking's answer: `found` None for a cycle not yet published (nothing ranked)."""
    previous = rankings.previous_cycle(cycle) if found is not None else None
    return {
        "count": len(results),
        "next": None,
        "previous": None,
        "year": cycle.year,
        "name": cycle.name,
        "published": found is not None,
        "published_at": cycle.published_at,
        "group": group,
        "system": found.system if found else "",
        "groups": [{"key": key, "label": str(label)} for key, label in GROUP_LABELS.items()],
        "systems": [{"code": code, "name": name} for code, name in systems],
        "categories": rankings.categories_of(cycle) if found is not None else [],
        "previous_year": previous.year if previous else None,
        "results": results,
    }


def row_out(found: Ranking, result: Result, subtotals: dict[int, dict[str, Any]]) -> dict[str, Any]:
    return {
        "rank": found.rank_of(result),
        "code": result.code,
        "name": result.name,
        "system": result.system,
        "total": result.total,
        "grade": result.grade,
        "subtotals": subtotals.get(result.assessment_id, {}),
        "previous_total": result.previous_total,
        "change": result.change,
        "rank_change": found.places_gained(result),
    }


class ScoreSheet(APIView):
    @extend_schema(
        operation_id="score_sheet",
        summary="A unit's score sheet of a year",
        description="As the score sheet page: each scored item with its points, the self-score and the final "
        "score with the reviewer's words, subtotals by category, the total and the grade. The unit (and those "
        "who see it without reviewing it) sees the final scores once published; before, they are null.",
        tags=TAGS,
        responses=SheetOut,
    )
    def get(self, request: Request, year: int, code: str) -> Response:
        if year not in STORED_YEARS:
            raise Http404
        return Response(SheetOut(sheet_out(sheet_for(request.user, year, code))).data)


def sheet_out(found: Sheet) -> dict[str, Any]:
    assessment = found.assessment
    district = assessment.cycle.district
    unit = assessment.organisation
    return {
        "year": assessment.cycle.year,
        "cycle": assessment.cycle.name,
        "federation": district.name if district else "",
        "unit": {"code": unit.code, "name": unit.name, "tier": assessment.tier},
        "status": assessment.status,
        "column_heading": found.column_heading,
        "finals_shown": found.finals_shown,
        "points": found.points,
        "self_total": found.self_total,
        "final_total": found.final_total,
        "grade": found.grade,
        "categories": [
            {
                "number": category.number,
                "title": category.title,
                "points": category.points,
                "self_subtotal": category.self_subtotal,
                "final_subtotal": category.final_subtotal,
                "rows": [
                    {
                        **vars(row),
                        "contents": [{"item": number, "text": text} for number, text in row.contents],
                    }
                    for row in category.rows
                ],
            }
            for category in found.categories
        ],
    }


def table_out(table: Table) -> dict[str, Any]:
    """A dashboard's table: its headings, and per row its label (the first column) and its numbers."""
    return {
        "name": table.name,
        "title": table.title,
        "chart": table.chart,
        "headings": table.headings,
        "rows": [{"label": str(row[0]), "values": row[1:]} for row in table.rows],
    }


class Dashboard(APIView):
    @extend_schema(
        operation_id="dashboard",
        summary="The dashboard's tables of one's system",
        description="As the dashboard page, for the district's staff or a secondary union's cadres: the open "
        "cycle's progress and rules met, and the published cycle's (the latest, or ?year=) distribution, "
        "category averages, rules met and grades, and every published cycle's average and grades. A unit "
        "without units under it has none: 403 (its results are at results/units/<code>/).",
        tags=TAGS,
        parameters=[form_serializer(DashboardQuery)],
        responses=DashboardOut,
    )
    def get(self, request: Request) -> Response:
        root = access.scope_root_or_404(request.user)
        if not access.sees_others_assessments(request.user):
            message = _("%(unit)s has no units under it, so no dashboard: its results are at %(address)s.")
            raise exceptions.PermissionDenied(message % {"unit": root.name, "address": f"results/units/{root.code}/"})
        form = bound(DashboardQuery, request, data=request.query_params)
        year = cleaned(form).get("year")
        cycles = published_cycles(request.user)
        if year is not None and year not in [c.year for c in cycles]:
            # The page shows the latest cycle instead; a program asked for this one, and is told.
            raise serializers.ValidationError(
                {"year": [_("Your district has no published cycle of %(year)s.") % {"year": year}]}
            )
        open_cycle, chosen, tables = district_tables(request.user, form, cycles)
        body = {
            "unit": unit_ref(root),
            "open_cycle": {"year": open_cycle.year, "name": open_cycle.name} if open_cycle else None,
            "chosen_year": chosen.year if chosen else None,
            "years": [c.year for c in cycles],
            "tables": [table_out(table) for table in tables],
        }
        return Response(DashboardOut(body).data)


class UnitResults(APIView):
    @extend_schema(
        operation_id="unit_results",
        summary="A unit's results over the years",
        description="As the unit's results page: its total and category scores in every published cycle, and "
        "where it lost points in the latest.",
        tags=TAGS,
        responses=UnitResultsOut,
    )
    def get(self, request: Request, code: str) -> Response:
        unit = access.get_organisation(request.user, code)
        cycles, tables = unit_tables(request.user, unit)
        body = {
            "unit": unit_ref(unit),
            "years": [c.year for c in cycles],
            "sheet_years": [row[0] for row in tables[0].rows],
            "tables": [table_out(table) for table in tables],
        }
        return Response(UnitResultsOut(body).data)
