"""Pages of the figures the standard counts (READING.md, "What can be counted"): one unit's figures beside
the standard's items, every unit of the user's system in one table, and that table as xlsx.

A unit's page computes its figures with one call of `compute_figures`. The overview tallies every unit of
the system once (`tally_units`), sorts by one figure of each (`value_of`) and builds all figures only for
the hundred rows it shows; its export builds them all. Neither's queries grow with the number of units.
Which units a user sees is kaohe.access's decision: a unit outside the user's subtree is a 404.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.access import get_organisation, scope_root
from kaohe.figures.compute import (
    ACTIVITY_COUNTS,
    HONOUR_COUNTS,
    Figure,
    Plans,
    UnitTallies,
    compute_figures,
    figures_from,
    tally_units,
    value_of,
    year_range,
)
from kaohe.forms import StyledFormMixin
from kaohe.organisations.models import TIER_OF_CATEGORY, Category, Organisation, Tier
from kaohe.records.queries import has_records_in
from kaohe.spreadsheets import ExportColumn, Format, export_response, write_report
from kaohe.standard.document import Category as StandardCategory
from kaohe.standard.document import Item, Requirement, StandardDocument
from kaohe.standard.in_force import InForce, why_in_force
from kaohe.standard.indicators import BY_KEY, INDICATORS, SCOPE_LABELS, Measure, Scope
from kaohe.standard.targets import basis_in_words, number_in_words, rate_in_words

YEAR_MIN, YEAR_MAX = 2000, 2100
ROWS_PER_PAGE = 100
CATEGORIES_OF_TIER = {
    Tier.DISTRICT: [Category.DISTRICT],
    Tier.SECONDARY: [Category.TOWNSHIP, Category.BUREAU],
    Tier.DIRECT: [Category.DIRECT],
    Tier.GRASSROOTS: [Category.GRASSROOTS],
}
ALL_TIERS = "all"
SORT_BY_UNIT = ("code", "name")
DEFAULT_CHOICES = {"tier": ALL_TIERS, "sort": "code", "order": "asc"}
# The spreadsheet is a file people exchange: its headings and marks are Chinese whatever the page language.
EXPORT_LANGUAGE = "zh-hans"
EXPORT_MET = {True: "达标", False: "未达标", None: ""}


# Forms ---------------------------------------------------------------------------------------------------


class YearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=YEAR_MIN, max_value=YEAR_MAX)


class OverviewForm(YearForm):
    """The overview's choices; anything but the year comes from our own links, so a bad value just falls back."""

    tier = forms.ChoiceField(choices=[(ALL_TIERS, ALL_TIERS), *((tier, tier) for tier in Tier.values)], required=False)
    sort = forms.ChoiceField(choices=[(key, key) for key in (*SORT_BY_UNIT, *INDICATORS)], required=False)
    order = forms.ChoiceField(choices=[("asc", "asc"), ("desc", "desc")], required=False)
    page = forms.IntegerField(min_value=1, required=False)


def this_year() -> int:
    return timezone.localdate().year


def _bound(form_class: type[YearForm], request: HttpRequest) -> YearForm:
    """The form over the query, the year defaulting to this one so that the field shows which year is shown."""
    data = request.GET.copy()
    if not data.get("year"):
        data["year"] = str(this_year())
    form = form_class(data)
    form.is_valid()  # a bad year is reported by the form and replaced by the default; the page still shows
    return form


def _year_of(form: YearForm) -> int:
    return form.cleaned_data.get("year") or this_year()


# What the pages show of a figure -------------------------------------------------------------------------


class ReadByTemplates:
    """Attributes that templates read as `{{ cell.value }}` without a failed `cell["value"]` first: Django's
    templates try a key before an attribute, and an overview page reads seven thousand of them (a tenth of
    its rendering goes to the exceptions otherwise)."""

    __slots__ = ()

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


@dataclass(frozen=True)
class ShownFigure(ReadByTemplates):
    key: str
    item: str
    label: str
    value: str
    target: str
    met: str  # "true", "false" or "none": the badge's data-met
    scope: str  # 本单位 or 含下级: whose records it counts
    basis: str  # how the unit's target was reached ("36 = 3 × 12 grassroots units"), else ""
    records_href: str  # the list of exactly the records it counts


def show(figure: Figure, unit: Organisation | ShownUnit, year: int, language: str | None = None) -> ShownFigure:
    """The figure as a page shows it, in the request's language (`language`: a caller showing many says it
    once)."""
    measure = BY_KEY[figure.key].measure
    rule_target = figure.rule.target if figure.rule else None
    language = language or translation.get_language()
    label, scope = _labels(figure.key, figure.scope, language)
    return ShownFigure(
        key=figure.key,
        item=figure.item,
        label=label,
        value=value_in_words(figure),
        target=_target_in_words(measure, figure.target, language),
        met="none" if figure.met is None else str(figure.met).lower(),
        scope=scope,
        basis=basis_in_words(rule_target, measure, figure.bases) if rule_target else "",
        records_href=records_href(figure, unit, year),
    )


# An overview page shows seven hundred figures of a few kinds and targets: their words are worked out once
# per language (the language is part of the key, so each request gets its own).


@functools.lru_cache(maxsize=256)
def _labels(key: str, scope: Scope, language: str | None) -> tuple[str, str]:
    return str(INDICATORS.get(key, key)), str(SCOPE_LABELS[scope])


@functools.lru_cache(maxsize=1024, typed=True)  # typed: 80 and Decimal("80") may read differently
def _target_in_words(measure: Measure, target: int | Decimal | None, language: str | None) -> str:
    if target is None:
        return _("no target in the standard")
    return "≥ " + number_in_words(measure, target)


def value_in_words(figure: Figure) -> str:
    if figure.value is None:  # only a rate has no value: the unit has no members to divide by
        return _("not applicable (no members)")
    measure = BY_KEY[figure.key].measure
    if measure == Measure.RATE:
        unmet = Fraction(figure.target) if figure.met is False and figure.target is not None else None
        return rate_in_words(Decimal(figure.value), unmet)
    return number_in_words(measure, figure.value)


# Which records each figure counts: the records list, filtered to the same units, kind and dates.
RECORDS_OF: dict[str, tuple[str, str]] = {
    **{key: ("activities", str(category)) for key, category in ACTIVITY_COUNTS.items()},
    "lecture_participation_rate": ("activities", str(ACTIVITY_COUNTS["lecture_count"])),
    "education_funds": ("funds", ""),
    **{key: ("honours", str(level)) for key, level in HONOUR_COUNTS.items()},
}


def records_href(figure: Figure, unit: Organisation | ShownUnit, year: int) -> str:
    before, after = _records_href_around_unit(figure.key, figure.scope, year)
    return before + _unit_query(unit.code) + after


@functools.lru_cache(maxsize=4096)
def _unit_query(code: str) -> str:
    return urlencode({"unit": code})


@functools.lru_cache(maxsize=1024)
def _records_href_around_unit(key: str, scope: Scope, year: int) -> tuple[str, str]:
    """The records list's address for a figure, before and after the unit's code: the same for every unit."""
    kind, category = RECORDS_OF[key]
    start, end = year_range(year)
    query: dict[str, str] = {}
    if scope == Scope.SUBTREE:
        query.update(subtree="on", active="on")  # figures count the active units under it
    if category:
        query["category"] = category
    query.update(date_from=start.isoformat(), date_to=end.isoformat())
    return _records_list_url(kind) + "?", "&" + urlencode(query)


@functools.cache
def _records_list_url(kind: str) -> str:
    """Resolved once per kind: a page of the overview links seven hundred figures to their records."""
    return reverse("records:list", args=[kind])


# The unit's page -----------------------------------------------------------------------------------------


@dataclass
class ItemWithFigures:
    item: Item
    requirements: list[Requirement]  # of the unit's column, numbered as printed
    figures: list[ShownFigure]


@dataclass
class CategoryWithItems:
    category: StandardCategory
    items: list[ItemWithFigures]


@login_required
def unit_figures(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_organisation(request.user, code)
    form = _bound(YearForm, request)
    year = _year_of(form)
    in_force = why_in_force(year)
    context: dict[str, Any] = {"unit": unit, "year": year, "form": form, **_in_force_context(in_force)}
    if in_force.standard is not None:
        context.update(_unit_against_standard(unit, year, in_force.standard.doc))
        context["empty_year"] = not has_records_in(unit, *year_range(year))
    return render(request, "figures/unit.html", context)


def _in_force_context(in_force: InForce) -> dict[str, Any]:
    return {"standard": in_force.standard, "in_force": in_force}


def _unit_against_standard(unit: Organisation, year: int, document: StandardDocument) -> dict[str, Any]:
    summary = _summary(unit, year, document)
    column = document.column_of(str(unit.tier))
    return {
        "document": document,
        "column_heading": document.tiers[column],
        "categories": _categories_with_figures(document, column, summary["figures"]),
        **summary,
    }


def _summary(unit: Organisation, year: int, document: StandardDocument) -> dict[str, Any]:
    """The figures of the unit's column, shown, and how many of their targets are met (figures/summary.html)."""
    figures = compute_figures([unit], year, document)[unit.pk]
    return {
        "figures": [show(figure, unit, year) for figure in figures],
        "met_count": sum(figure.met is True for figure in figures),
        "judged_count": sum(figure.met is not None for figure in figures),
    }


def figures_summary(unit: Organisation, year: int) -> dict[str, Any] | None:
    """What the unit's figures page opens with, for a page of another app (the home page): the context of
    figures/summary.html, or None where no standard is in force for the year."""
    in_force = why_in_force(year)
    if in_force.standard is None:
        return None
    empty_year = not has_records_in(unit, *year_range(year))
    return {"year": year, "empty_year": empty_year, **_summary(unit, year, in_force.standard.doc)}


def _categories_with_figures(
    document: StandardDocument, column: str, figures: list[ShownFigure]
) -> list[CategoryWithItems]:
    return [
        CategoryWithItems(
            category,
            [
                ItemWithFigures(item, item.requirements[column], [f for f in figures if f.item == item.number])
                for item in category.items
            ],
        )
        for category in document.categories
    ]


# The overview and its export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the overview shows: the links of the page rebuild it with one thing changed."""

    year: int
    tier: str
    sort: str
    order: str

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    def query(self, **changes: Any) -> str:
        values = {"year": self.year, **self.chosen(), **changes}
        defaults = {**DEFAULT_CHOICES, "page": 1}
        return "?" + urlencode({k: v for k, v in values.items() if v is not None and defaults.get(k) != v})

    def chosen(self) -> dict[str, str]:
        return {"tier": self.tier, "sort": self.sort, "order": self.order}


@dataclass(frozen=True)
class Column:
    key: str
    item: str
    label: str


class OverviewRow:
    """A unit of the overview. Its figures are worked out from the tallies when first asked for: sorting
    needs one figure of every unit, a page all figures of a hundred."""

    def __init__(self, unit: ShownUnit, tallies: dict[int, UnitTallies], plans: Plans):
        self.unit, self._tallies, self._plans = unit, tallies, plans

    @cached_property
    def figures(self) -> dict[str, Figure]:
        """By key; a key missing where no rule of the unit's column counts it."""
        return _by_key(figures_from(self._tallies, self.unit, self._plans))

    def value(self, plans_of_key: Plans) -> int | Decimal | None:
        return value_of(self._tallies, self.unit, plans_of_key)


@dataclass
class Overview:
    choices: Choices
    in_force: InForce
    root: Organisation  # the unit whose subtree is shown: the user's own unit, or one under it (the API's ?under=)
    columns: list[Column]
    rows: list[OverviewRow]
    tallies: dict[int, UnitTallies] = field(default_factory=dict)


def choices_of(form: YearForm) -> Choices:
    """What the overview's form chose, each choice left out falling back to its default."""
    chosen = {name: form.cleaned_data.get(name) or default for name, default in DEFAULT_CHOICES.items()}
    return Choices(year=_year_of(form), **chosen)


def overview_of(user: Any, choices: Choices, under: Organisation | None = None) -> Overview:
    """The overview of the user's system, or of the subtree of `under`, a unit of it (the API narrows to one)."""
    root = scope_root(user)
    if root is None or (under is not None and not under.is_within(root)):
        raise Http404
    root = under or root
    in_force = why_in_force(choices.year)
    if in_force.standard is None:
        return Overview(choices, in_force, root, [], [])
    units = _units_shown(root, choices.tier)
    plans = Plans(in_force.standard.doc)
    tallies = tally_units(units, choices.year)
    rows = [OverviewRow(unit, tallies, plans) for unit in units]
    return Overview(choices, in_force, root, _columns(units, plans), _sorted(rows, choices, plans), tallies)


TIER_OF_CATEGORY_VALUE: dict[str, Tier] = {str(category): tier for category, tier in TIER_OF_CATEGORY.items()}


class ShownUnit(ReadByTemplates):
    """What the overview shows and computes of a unit, read as plain values: building 30,000 model instances
    would cost the page half a second."""

    __slots__ = ("category", "code", "members", "name", "path", "pk")

    def __init__(self, pk: int, code: str, name: str, category: str, path: str, members: int):
        self.pk, self.code, self.name, self.category, self.path, self.members = pk, code, name, category, path, members

    @property
    def tier(self) -> Tier:
        return TIER_OF_CATEGORY_VALUE[self.category]


def _units_shown(root: Organisation, tier: str) -> list[ShownUnit]:
    """Active units of the root's subtree, by code; deactivated ones are no longer assessed."""
    units = Organisation.objects.subtree_of(root).filter(is_active=True)
    if tier != ALL_TIERS:
        units = units.filter(category__in=CATEGORIES_OF_TIER[Tier(tier)])
    fields = ("pk", "code", "name", "category", "path", "members")
    return [ShownUnit(*values) for values in units.order_by("code").values_list(*fields)]


def _by_key(figures: Iterable[Figure]) -> dict[str, Figure]:
    by_key: dict[str, Figure] = {}
    for figure in figures:
        by_key.setdefault(figure.key, figure)  # a standard naming a key twice for one tier: the first item's
    return by_key


def _columns(units: Sequence[ShownUnit], plans: Plans) -> list[Column]:
    """One column per key the units' columns count, in the standard's order: by item, then as INDICATORS
    lists them."""
    items: dict[str, str] = {}
    for column in {plans.column_of(unit) for unit in units}:
        for plan in plans.by_column[column]:
            items.setdefault(plan.rule.indicator, plan.item)
    order = list(INDICATORS)
    keys = sorted(items, key=lambda key: (tuple(int(part) for part in items[key].split(".")), order.index(key)))
    return [Column(key, items[key], str(INDICATORS[key])) for key in keys]


def _sorted(rows: list[OverviewRow], choices: Choices, plans: Plans) -> list[OverviewRow]:
    """Rows come in by code; Python's sort is stable, also reversed, so ties stay in code order."""
    if choices.sort == "code":
        return sorted(rows, key=lambda row: row.unit.code, reverse=choices.descending)
    if choices.sort == "name":
        return sorted(rows, key=lambda row: row.unit.name, reverse=choices.descending)
    plans_of_key = plans.only(choices.sort)
    values = [(row, row.value(plans_of_key)) for row in rows]
    valued = [(row, value) for row, value in values if value is not None]
    valued.sort(key=lambda pair: pair[1] or 0, reverse=choices.descending)  # `or`: for mypy
    return [row for row, _value in valued] + [row for row, value in values if value is None]  # nothing: last


@dataclass(frozen=True)
class Heading:
    """A column heading that sorts by its column: a plain link, so it works without JavaScript."""

    key: str  # what ?sort= it sets
    label: str
    item: str
    href: str
    sorted_as: str  # "ascending", "descending" or "": its aria-sort


def _heading(label: str, sort: str, choices: Choices, item: str = "") -> Heading:
    current = choices.sort == sort
    next_order = "desc" if current and not choices.descending else "asc"
    sorted_as = ("descending" if choices.descending else "ascending") if current else ""
    return Heading(sort, label, item, choices.query(sort=sort, order=next_order), sorted_as)


@dataclass
class ShownRow(ReadByTemplates):
    unit: ShownUnit
    cells: list[ShownCell | None]  # one per column


@dataclass(frozen=True)
class ShownCell(ReadByTemplates):
    """An overview cell: the figure, and its value linked to its records with the badge, as markup written
    once. The page shows it twice (the table, and the phone's cards): a template include per cell and layout
    was half the page's time."""

    figure: ShownFigure
    markup: str


# figures/met.html's compact badge (the sign shown, the words for screen readers), as the overview writes it.
_COMPACT_MET = {
    "true": ('<span class="badge text-bg-success figure-met" data-met="true">✓', gettext_lazy("met")),
    "false": ('<span class="badge text-bg-danger figure-met" data-met="false">✗', gettext_lazy("not met")),
    "none": ('<span class="figure-met" data-met="none">', gettext_lazy("nothing to compare with a target")),
}


def _cell(figure: ShownFigure, with_badge: bool) -> ShownCell:
    link = format_html(
        '<a href="{}" class="link-body-emphasis link-underline-opacity-25">{}</a>', figure.records_href, figure.value
    )
    if not with_badge:  # a year without records: nothing is met or missed yet
        return ShownCell(figure, link)
    opening, words = _COMPACT_MET[figure.met]
    badge = format_html('{}<span class="visually-hidden">{}</span></span>', mark_safe(opening), words)  # noqa: S308 (our constant)
    return ShownCell(figure, format_html("{} {}", link, badge))


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    form = _bound(OverviewForm, request)
    found = overview_of(request.user, choices_of(form))
    choices = found.choices
    page: Page[OverviewRow] = Paginator(found.rows, ROWS_PER_PAGE).get_page(form.cleaned_data.get("page"))
    language = translation.get_language()
    empty_year = found.in_force.standard is not None and not has_records_in(found.root, *year_range(choices.year))
    context = {
        "form": form,
        "choices": choices,
        "year": choices.year,
        **_in_force_context(found.in_force),
        "root": found.root,
        "empty_year": empty_year,
        "tiers": [(ALL_TIERS, _("All tiers"), choices.query(tier=ALL_TIERS)), *_tier_links(choices)],
        "unit_headings": {
            "code": _heading(_("Code"), "code", choices),
            "name": _heading(_("Unit"), "name", choices),
        },
        "headings": [_heading(column.label, column.key, choices, column.item) for column in found.columns],
        "rows": [_shown_row(row, found.columns, choices.year, language, not empty_year) for row in page.object_list],
        "page": page,
        "export_query": choices.query(),
        "keep": _other_choices(choices),
    }
    return render(request, "figures/overview.html", context)


def _other_choices(choices: Choices) -> list[tuple[str, str]]:
    """The choices the year form carries along as hidden fields: those that differ from the defaults."""
    return [(name, value) for name, value in choices.chosen().items() if value != DEFAULT_CHOICES[name]]


def _tier_links(choices: Choices) -> list[tuple[str, str, str]]:
    return [(str(tier.value), str(tier.label), choices.query(tier=tier.value)) for tier in Tier]


def _shown_row(row: OverviewRow, columns: list[Column], year: int, language: str | None, badges: bool) -> ShownRow:
    figures = row.figures
    cells = [
        _cell(show(figures[c.key], row.unit, year, language), badges) if c.key in figures else None for c in columns
    ]
    return ShownRow(row.unit, cells)


@login_required
def overview_export(request: HttpRequest) -> HttpResponse:
    """The overview's rows (all pages) as xlsx: per figure its value, its target and whether it is met."""
    form = _bound(OverviewForm, request)
    found = overview_of(request.user, choices_of(form))
    year, root = found.choices.year, found.root
    with translation.override(EXPORT_LANGUAGE):
        tier = _("All tiers") if found.choices.tier == ALL_TIERS else str(Tier(found.choices.tier).label)
        columns = [ExportColumn("单位编码", Format.CODE), ExportColumn("单位名称"), ExportColumn("层级")]
        for column in found.columns:
            columns += _export_columns(column)
        rows = [_export_row(row, found.columns) for row in found.rows]
        standard = found.in_force.standard
        version = f" · {standard.title} v{standard.version}" if standard else ""
        title = f"{year}年 学习型工会创建量化指标 · {root.name}（含下级） · {tier}{version}"
        filename = f"指标-{root.name}-{year}-{tier}.xlsx"
    return export_response(write_report(title, columns, rows, sheet_name=f"指标 {year}"), filename)


EXPORT_FORMATS = {Measure.COUNT: Format.COUNT, Measure.AMOUNT: Format.MONEY, Measure.RATE: Format.PERCENT}


def _export_columns(column: Column) -> list[ExportColumn]:
    """Value, target and met of one figure, headed with its item number: 6.1 大讲堂活动次数（含下级）."""
    indicator = BY_KEY[column.key]
    unit = "（元）" if indicator.measure == Measure.AMOUNT else ""
    heading = f"{column.item} {column.label}{unit}"
    number_format = EXPORT_FORMATS[indicator.measure]
    return [
        ExportColumn(f"{heading}（{SCOPE_LABELS[indicator.scope]}）", number_format),
        ExportColumn(f"{heading} 目标", number_format),
        ExportColumn(f"{column.item} {column.label} 是否达标"),
    ]


def _export_row(row: OverviewRow, columns: list[Column]) -> list[Any]:
    """Counts as whole numbers, amounts in yuan, rates as fractions shown as percentages."""
    cells: list[Any] = [row.unit.code, row.unit.name, str(row.unit.tier.label)]
    for column in columns:
        figure = row.figures.get(column.key)
        if figure is None:
            cells += [None, None, None]
        else:
            cells += [figure.value, figure.target, EXPORT_MET[figure.met]]
    return cells
