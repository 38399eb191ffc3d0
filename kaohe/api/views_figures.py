"""Figures: a unit's figures for a year against its column's rules, and the overview of one's system, as the
figures pages compute them (kaohe.figures.views: the same functions, the same access, the same sort).

The pages fall back to this year on a bad ?year=; a program is told instead (400 naming `year`). Without
?year= the year is this one, as on the pages. A year without a standard loaded answers as the page shows
it: the reason, and no figures.
"""

from __future__ import annotations

from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe import access
from kaohe.api.inputs import bound, cleaned, form_serializer
from kaohe.api.serializers_results import OverviewOut, PageForm, UnitFiguresOut, one_page, unit_ref
from kaohe.figures.compute import Figure, compute_figures, year_range
from kaohe.figures.views import (
    Column,
    OverviewForm,
    OverviewRow,
    ShownFigure,
    YearForm,
    choices_of,
    overview_of,
    show,
    this_year,
)
from kaohe.forms import UnitChoiceField, offer_units_of
from kaohe.organisations.models import Organisation
from kaohe.records.queries import has_records_in
from kaohe.standard.in_force import InForce, why_in_force
from kaohe.standard.indicators import BY_KEY

TAGS = ["figures"]


class UnitFiguresQuery(YearForm):
    """GET figures/<code>/: the page's year field (2000 to 2100); left out, this year."""


class OverviewQuery(PageForm, OverviewForm):
    """GET figures/: the overview page's choices (year, tier, sort, order, page), and `under`."""

    under = UnitChoiceField(
        required=False, help_text=_("A unit of yours (its code): the overview of its subtree; else your whole system.")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_units_of(self, user)


def with_this_year(query: Any) -> MultiValueDict[str, Any]:
    """The query with the year the pages default to when none is given."""
    data: MultiValueDict[str, Any] = query.copy()
    if not data.get("year"):
        data["year"] = str(this_year())
    return data


def in_force_out(in_force: InForce) -> dict[str, Any]:
    standard = in_force.standard
    return {
        "standard": {"slug": standard.slug, "version": standard.version, "title": standard.title} if standard else None,
        "by_cycle": in_force.by_cycle,
        "cycle": in_force.cycle_name,
        "reason": in_force.reason,
    }


def figure_out(figure: Figure, shown: ShownFigure) -> dict[str, Any]:
    return {
        "item": figure.item,
        "key": figure.key,
        "label": shown.label,
        "measure": str(BY_KEY[figure.key].measure),
        "scope": str(figure.scope),
        "scope_label": shown.scope,
        "value": figure.value,
        "target": figure.target,
        "met": figure.met,
        "value_text": shown.value,
        "target_text": shown.target,
        "basis": shown.basis,
    }


def row_out(row: OverviewRow, columns: list[Column], year: int) -> dict[str, Any]:
    """A unit of the overview: its figures in the order of the columns, those its column counts."""
    figures = row.figures
    shown = [figures[column.key] for column in columns if column.key in figures]
    return {"unit": unit_ref(row.unit), "figures": [figure_out(f, show(f, row.unit, year)) for f in shown]}


class UnitFigures(APIView):
    @extend_schema(
        operation_id="unit_figures",
        summary="A unit's figures for a year, against its column's rules",
        description="As the unit's figures page: per rule of the unit's column its value, target and whether it "
        "is met, and the version of the standard in force for the year (and why).",
        tags=TAGS,
        parameters=[form_serializer(UnitFiguresQuery)],
        responses=UnitFiguresOut,
    )
    def get(self, request: Request, code: str) -> Response:
        unit = access.get_organisation(request.user, code)
        year = cleaned(bound(UnitFiguresQuery, request, data=with_this_year(request.query_params)))["year"]
        in_force = why_in_force(year)
        body: dict[str, Any] = {
            "unit": unit_ref(unit),
            "year": year,
            "in_force": in_force_out(in_force),
            "column": None,
            "column_heading": None,
            "empty_year": None,
            "met_count": 0,
            "judged_count": 0,
            "figures": [],
        }
        if in_force.standard is not None:
            body.update(self.against_standard(unit, year, in_force))
        return Response(UnitFiguresOut(body).data)

    @staticmethod
    def against_standard(unit: Organisation, year: int, in_force: InForce) -> dict[str, Any]:
        assert in_force.standard is not None  # noqa: S101 (the caller checked)
        document = in_force.standard.doc
        column = document.column_of(str(unit.tier))
        contents = {item.number: item.content for item in document.items}
        figures = compute_figures([unit], year, document)[unit.pk]
        return {
            "column": column,
            "column_heading": document.tiers[column],
            "empty_year": not has_records_in(unit, *year_range(year)),
            "met_count": sum(figure.met is True for figure in figures),
            "judged_count": sum(figure.met is not None for figure in figures),
            "figures": [
                {**figure_out(f, show(f, unit, year)), "item_content": contents[f.item], "bases": f.bases}
                for f in figures
            ],
        }


class FiguresOverview(APIView):
    @extend_schema(
        operation_id="figures_overview",
        summary="The figures of every unit of one's system",
        description="As the figures overview page: the active units of your subtree (or of ?under=), one row "
        "each with the figures its column counts; ?tier= narrows, ?sort= (code, name or a figure's key) and "
        "?order= (asc, desc) sort as the page's headings do, units without the figure last.",
        tags=TAGS,
        parameters=[form_serializer(OverviewQuery)],
        responses=OverviewOut,
    )
    def get(self, request: Request) -> Response:
        form = bound(OverviewQuery, request, data=with_this_year(request.query_params), user=request.user)
        under = cleaned(form).get("under")
        found = overview_of(request.user, choices_of(form), under)
        rows, paging = one_page(request, found.rows, self)
        choices, year = found.choices, found.choices.year
        standard = found.in_force.standard
        body = {
            **paging,
            **choices.chosen(),
            "year": year,
            "under": unit_ref(found.root),
            "in_force": in_force_out(found.in_force),
            "empty_year": None if standard is None else not has_records_in(found.root, *year_range(year)),
            "columns": [{"key": c.key, "item": c.item, "label": c.label} for c in found.columns],
            "results": [row_out(row, found.columns, year) for row in rows],
        }
        return Response(OverviewOut(body).data)
