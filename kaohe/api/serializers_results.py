"""What the API says of figures and results: the same values the figures and results pages show, as JSON.

Numbers (counts, amounts in yuan, rates, points, scores, totals) are JSON numbers: a whole number as an
integer, else a decimal (a rate of 0.8333 reads 83.3 % on the page). Where a page words a value, the words
come along (`value_text`), as the page prints them in the reader's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from kaohe.api.pagination import Pages
from kaohe.limits import LARGEST_COUNT
from kaohe.organisations.models import Organisation

Row = TypeVar("Row")


@extend_schema_field(OpenApiTypes.NUMBER)
class Number(serializers.Field):
    """A Decimal or an int as a JSON number: whole numbers as integers (4, not 4.0)."""

    def to_representation(self, value: Any) -> int | float:
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value  # type: ignore[no-any-return]


class PageForm(forms.Form):
    """?page= and ?page_size= of a list: refused when not a whole number in range (DRF would fall back silently)."""

    page = forms.IntegerField(required=False, min_value=1, max_value=LARGEST_COUNT)
    page_size = forms.IntegerField(required=False, min_value=1, max_value=Pages.max_page_size)


def one_page(request: Request, rows: Sequence[Row], view: APIView) -> tuple[list[Row], dict[str, Any]]:
    """The page of the rows asked for (?page=, ?page_size=; one past the last is a 404), and what the answer
    says of the paging (PageOf)."""
    pages = Pages()
    shown = pages.paginate_queryset(rows, request, view=view) or []
    paging = {"count": len(rows), "next": pages.get_next_link(), "previous": pages.get_previous_link()}
    return list(shown), paging


def unit_ref(unit: Organisation | Any) -> dict[str, str]:
    """A unit (or a page's lighter row of one) as UnitBrief."""
    return {"code": unit.code, "name": unit.name, "tier": str(unit.tier)}


class UnitBrief(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField(help_text="district, secondary, direct or grassroots")


class PageOf(serializers.Serializer):
    """The paging of a list, as every list of the API pages (?page=&page_size=)."""

    count = serializers.IntegerField(help_text="How many there are, on every page.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


# Figures --------------------------------------------------------------------------------------------------


class InForceStandardOut(serializers.Serializer):
    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()


class InForceOut(serializers.Serializer):
    standard = InForceStandardOut(
        allow_null=True, help_text="The version the year's figures are counted on; null: none loaded."
    )
    by_cycle = serializers.BooleanField(help_text="true: the year's cycle runs on it; false: the default version.")
    cycle = serializers.CharField(help_text="The name of the year's cycle that chose it, else empty.")
    reason = serializers.CharField(help_text="Why this version, as the page says it.")


class FigureBasesOut(serializers.Serializer):
    grassroots_units = serializers.IntegerField(help_text="Grassroots units under the unit (active ones).")
    members = serializers.IntegerField(help_text="Members of the unit and the active units under it.")


class CountedFigureOut(serializers.Serializer):
    item = serializers.CharField(help_text="The standard's item whose rule asks for it, e.g. 6.1.")
    key = serializers.CharField(help_text="The indicator, e.g. lecture_count.")
    label = serializers.CharField()
    measure = serializers.CharField(help_text="count, amount (yuan) or rate (person-times ÷ members).")
    scope = serializers.CharField(help_text="own: the unit's own records; subtree: with the active units under it.")
    scope_label = serializers.CharField()
    value = Number(allow_null=True, help_text="A count, yuan, or a rate (0.8 = 80 %); null: a rate without members.")
    target = Number(allow_null=True, help_text="null where the standard sets none.")
    met = serializers.BooleanField(allow_null=True, help_text="null where there is no target or no rate to compare.")
    value_text = serializers.CharField(help_text="The value as the page shows it.")
    target_text = serializers.CharField(help_text="The target as the page shows it.")
    basis = serializers.CharField(help_text="How the unit's target was reached (a multiple or a share), else empty.")


class UnitCountedFigureOut(CountedFigureOut):
    item_content = serializers.CharField(help_text="The item's text in the standard.")
    bases = FigureBasesOut(help_text="What a multiple or share target is taken of.")


class UnitFiguresOut(serializers.Serializer):
    unit = UnitBrief()
    year = serializers.IntegerField()
    in_force = InForceOut()
    column = serializers.CharField(allow_null=True, help_text="The standard's column the unit is assessed against.")
    column_heading = serializers.CharField(allow_null=True)
    empty_year = serializers.BooleanField(
        allow_null=True, help_text="true: nothing recorded in the year, and the page judges no target yet."
    )
    met_count = serializers.IntegerField()
    judged_count = serializers.IntegerField(help_text="Figures with a target and a value to compare.")
    figures = UnitCountedFigureOut(many=True, help_text="One per rule of the unit's column, in the standard's order.")


class OverviewColumnOut(serializers.Serializer):
    key = serializers.CharField()
    item = serializers.CharField()
    label = serializers.CharField()


class OverviewRowOut(serializers.Serializer):
    unit = UnitBrief()
    figures = CountedFigureOut(many=True, help_text="The figures its column counts, one per column key it has.")


class OverviewOut(PageOf):
    year = serializers.IntegerField()
    tier = serializers.CharField()
    sort = serializers.CharField()
    order = serializers.CharField()
    under = UnitBrief(help_text="The unit whose subtree is listed.")
    in_force = InForceOut()
    empty_year = serializers.BooleanField(allow_null=True)
    columns = OverviewColumnOut(many=True, help_text="The figures of the units listed, in the standard's order.")
    results = OverviewRowOut(many=True)


# Results --------------------------------------------------------------------------------------------------


class PublishedCycleOut(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()
    published_at = serializers.DateTimeField()
    imported = serializers.BooleanField(help_text="Brought in from a past year's file.")


class PublishedCyclesOut(PageOf):
    results = PublishedCycleOut(many=True)


class RankingGroupOut(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()


class RankingSystemOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RankingRowOut(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True, help_text="In the group (ties share a rank, the next is skipped).")
    code = serializers.CharField()
    name = serializers.CharField()
    system = serializers.CharField(help_text="A grassroots union's secondary union (its code), else empty.")
    total = Number()
    grade = serializers.CharField()
    subtotals = serializers.DictField(child=Number(allow_null=True), help_text="Final scores by category (1 … 8).")
    previous_total = Number(allow_null=True, help_text="In the previous published cycle; null: not in it.")
    change = Number(allow_null=True)
    rank_change = serializers.IntegerField(allow_null=True, help_text="Places gained since the previous cycle.")


class RankingOut(PageOf):
    year = serializers.IntegerField()
    name = serializers.CharField()
    published = serializers.BooleanField(help_text="false: the cycle is not published yet, and nothing is ranked.")
    published_at = serializers.DateTimeField(allow_null=True)
    group = serializers.CharField()
    system = serializers.CharField()
    groups = RankingGroupOut(many=True)
    systems = RankingSystemOut(many=True, help_text="The systems the grassroots list holds, for ?system=.")
    categories = serializers.ListField(child=serializers.CharField())
    previous_year = serializers.IntegerField(allow_null=True, help_text="The cycle the changes are against.")
    results = RankingRowOut(many=True)


class SheetContentOut(serializers.Serializer):
    item = serializers.CharField()
    text = serializers.CharField()


class SheetRowOut(serializers.Serializer):
    number = serializers.CharField(help_text="The scored item: 6.1, or 8 for the pooled category.")
    contents = SheetContentOut(many=True)
    duties = serializers.ListField(child=serializers.CharField())
    points = Number()
    self_score = Number(allow_null=True)
    final_score = Number(allow_null=True, help_text="null where not given, or not to be shown to this reader yet.")
    words = serializers.CharField(help_text="The reason for the final score and the reviewer's comment.")


class SheetCategoryOut(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    points = Number()
    self_subtotal = Number(allow_null=True)
    final_subtotal = Number(allow_null=True)
    rows = SheetRowOut(many=True)


class SheetOut(serializers.Serializer):
    year = serializers.IntegerField()
    cycle = serializers.CharField()
    federation = serializers.CharField()
    unit = UnitBrief(help_text="Its tier as the cycle opened it.")
    status = serializers.CharField()
    column_heading = serializers.CharField()
    finals_shown = serializers.BooleanField(help_text="false: final scores are the reviewer's until publication.")
    points = Number()
    self_total = Number(allow_null=True)
    final_total = Number(allow_null=True)
    grade = serializers.CharField()
    categories = SheetCategoryOut(many=True)


class DashboardTableRowOut(serializers.Serializer):
    label = serializers.CharField(help_text="The first column.")
    values = serializers.ListField(child=Number(allow_null=True), help_text="One per heading after the first.")


class DashboardTableOut(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()
    chart = serializers.CharField(help_text="How the page draws it: bar, stacked or line.")
    headings = serializers.ListField(child=serializers.CharField())
    rows = DashboardTableRowOut(many=True)


class OpenCycleOut(serializers.Serializer):
    year = serializers.IntegerField()
    name = serializers.CharField()


class DashboardOut(serializers.Serializer):
    unit = UnitBrief(help_text="The unit whose subtree the tables count.")
    open_cycle = OpenCycleOut(allow_null=True)
    chosen_year = serializers.IntegerField(allow_null=True, help_text="The published cycle the year's tables are of.")
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The published cycles, latest first.")
    tables = DashboardTableOut(many=True)


class UnitResultsOut(serializers.Serializer):
    unit = UnitBrief()
    years = serializers.ListField(child=serializers.IntegerField(), help_text="The published cycles, latest first.")
    sheet_years = serializers.ListField(child=serializers.IntegerField(), help_text="The years with its score sheet.")
    tables = DashboardTableOut(many=True)
