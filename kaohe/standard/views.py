"""Pages of the standard: every loaded version, one version laid out like the printed table, what changed
between two versions, and loading a new version from a file.

A standard is the whole federation's, so every logged-in user may read it; only a district administrator
loads one, and chooses which version is the default (kaohe.standard.in_force says which one is in force).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kaohe.access import SeeButNotChange, can_choose_default_standard, can_load_standards, district_code_of, district_of
from kaohe.accounts.models import Role
from kaohe.limits import LARGEST_STORED_INTEGER
from kaohe.spreadsheets import xlsx_response
from kaohe.standard.actions import Loaded, StandardLocked, load_standard, make_default_standard
from kaohe.standard.diff import Comparison, compare
from kaohe.standard.document import TIERS, Category, Item, Requirement, Rule, StandardDocument, StandardInvalid
from kaohe.standard.files import read_standard
from kaohe.standard.forms import CompareForm, StandardImportForm, TierFilterForm
from kaohe.standard.in_force import default_note, default_standard
from kaohe.standard.indicators import INDICATORS
from kaohe.standard.models import Standard
from kaohe.standard.targets import target_in_words


@dataclass
class TierCell:
    requirements: list[Requirement]
    notes: list[str]  # what kaohe counts for this tier, and the target: the item's rules in words


@dataclass
class TableRow:
    """One item's row of the table; the first row of a category carries the cells that span the category."""

    category: Category
    item: Item
    first_of_category: bool
    cells: list[TierCell]  # one per tier shown, in TIERS order


@dataclass
class StandardVersions:
    """One slug's versions on the list page, newest first, with the form comparing two of them."""

    slug: str
    versions: list[Standard]
    compare_form: CompareForm | None


def of_the_readers_district(user: Any, cycles: Iterable[Any]) -> list[Any]:
    """The cycles a version is used by, of the reader's own district: another district's are not theirs to
    see (a version any cycle uses is locked all the same)."""
    district = district_of(user)
    return [cycle for cycle in cycles if district is not None and cycle.district_id == district.pk]


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    # The documents are large and the list shows none of them.
    standards = list(Standard.objects.defer("document").prefetch_related("cycles"))
    for standard in standards:
        standard.own_cycles = of_the_readers_district(request.user, standard.cycles.all())  # type: ignore[attr-defined]
    context = {
        "groups": _grouped_by_slug(standards),
        "may_import": can_load_standards(request.user),
        "may_choose_default": can_choose_default_standard(request.user),
        "default": next((standard for standard in standards if standard.is_default), None),
    }
    return render(request, "standard/list.html", context)


def _grouped_by_slug(standards: list[Standard]) -> list[StandardVersions]:
    by_slug: dict[str, list[Standard]] = {}
    for standard in standards:  # ordered by slug, newest version first (Standard.Meta.ordering)
        by_slug.setdefault(standard.slug, []).append(standard)
    return [StandardVersions(slug, versions, _compare_form(slug, versions)) for slug, versions in by_slug.items()]


def _compare_form(slug: str, versions: list[Standard]) -> CompareForm | None:
    if len(versions) < 2:
        return None
    numbers = [standard.version for standard in versions]
    return CompareForm(
        versions=numbers,
        initial={"from": numbers[1], "to": numbers[0]},  # the latest against the one before it
        auto_id=f"compare-{slug}-%s",  # one form per slug on the page: keep their ids apart
    )


@login_required
def detail(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    standard = get_object_or_404(Standard, slug=slug, version=version)
    cycles = list(standard.cycles.all())
    document = standard.doc
    own_tiers = _own_columns(request.user, document)
    tiers = _chosen_tiers(request, default=own_tiers)
    context = {
        "standard": standard,
        "document": document,
        "cycles": of_the_readers_district(request.user, cycles),
        "locked": bool(cycles),
        "previous_version": _previous_version(standard),
        "tiers": tiers,
        "headings": [document.tiers[tier] for tier in tiers],
        "tier_choices": list(document.tiers.items()),
        "rows": _table_rows(document, tiers),
        "tier_query": _tier_query(tiers),
        "own_tiers": own_tiers,
    }
    return render(request, "standard/detail.html", context)


def _chosen_tiers(request: HttpRequest, default: tuple[str, ...] = TIERS) -> tuple[str, ...]:
    # Only our own links carry ?tier=; anything else is a mistyped address, said plainly rather than ignored.
    form = TierFilterForm(request.GET)
    if not form.is_valid():
        raise BadRequest(_("Unknown tier: use district, secondary, direct or all."))
    return form.chosen_tiers(default)


def _own_columns(user: Any, document: StandardDocument) -> tuple[str, ...]:
    """The column the user's unit is assessed against: what a cadre reads the standard for, and on a phone
    the only one with room. The district's people (administrators, assessors) work to the district column."""
    if user.organisation is not None:
        return (document.column_of(user.organisation.tier),)
    if user.role in (Role.DISTRICT_ADMIN, Role.ASSESSOR):
        return ("district",)
    return TIERS


def _tier_query(tiers: tuple[str, ...]) -> str:
    """The ?tier= that shows these tiers: what the download link passes on."""
    return "" if tiers == TIERS else "?" + "&".join(f"tier={tier}" for tier in tiers)


def _previous_version(standard: Standard) -> int | None:
    earlier = Standard.objects.filter(slug=standard.slug, version__lt=standard.version).order_by("-version")
    return earlier.values_list("version", flat=True).first()


def _table_rows(document: StandardDocument, tiers: tuple[str, ...]) -> list[TableRow]:
    return [
        TableRow(
            category=category,
            item=item,
            first_of_category=index == 0,
            cells=[_tier_cell(item, tier) for tier in tiers],
        )
        for category in document.categories
        for index, item in enumerate(category.items)
    ]


def _tier_cell(item: Item, tier: str) -> TierCell:
    # A rule belongs to one tier: noted in that tier's cell, beside the requirement it counts for.
    return TierCell(item.requirements[tier], [rule_note(rule) for rule in item.rules if rule.tier == tier])


def rule_note(rule: Rule) -> str:
    """“Lecture-hall activities: ≥ 3 × grassroots units under the unit”: what kaohe counts, and the target."""
    return _("%(indicator)s: %(target)s") % {
        "indicator": INDICATORS.get(rule.indicator, rule.indicator),
        "target": target_in_words(rule.target),
    }


def rule_in_words(rule: Rule, document: StandardDocument) -> str:
    """The note with the tier it is for, where rules of all tiers are listed together (the compare page)."""
    return _("%(note)s (%(tier)s)") % {"note": rule_note(rule), "tier": document.tiers.get(rule.tier, rule.tier)}


@login_required
def export(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    from kaohe.standard.spreadsheet import write_standard_xlsx  # openpyxl's writer, loaded when asked for

    standard = get_object_or_404(Standard, slug=slug, version=version)
    content = write_standard_xlsx(standard.doc, tiers=_chosen_tiers(request))
    return xlsx_response(content, f"{standard.slug}-v{standard.version}.xlsx")


@login_required
def compare_versions(request: HttpRequest, slug: str) -> HttpResponse:
    form = CompareForm(request.GET)
    if not form.is_valid():
        # Said on the page: Django's own 400 page would not show why.
        message = _("Say which two versions to compare, each a whole number from 1 to %(max)s: ?from=1&to=2.") % {
            "max": f"{LARGEST_STORED_INTEGER:,}"
        }
        return render(request, "standard/compare_refused.html", {"message": message, "slug": slug}, status=400)
    versions = Standard.objects.filter(slug=slug, version__in=[form.cleaned_data["from"], form.cleaned_data["to"]])
    by_version = {standard.version: standard for standard in versions}
    old, new = by_version.get(form.cleaned_data["from"]), by_version.get(form.cleaned_data["to"])
    if old is None or new is None:
        raise Http404
    comparison = compare(old.doc, new.doc)
    context = {"old": old, "new": new, "comparison": comparison, "rule_changes": _rule_changes_in_words(comparison)}
    return render(request, "standard/compare.html", context)


def _rule_changes_in_words(comparison: Comparison) -> list[dict[str, Any]]:
    return [
        {
            "number": change.number,
            "content": change.content,
            "removed": [rule_in_words(rule, comparison.old) for rule in change.removed],
            "added": [rule_in_words(rule, comparison.new) for rule in change.added],
        }
        for change in comparison.rules_changed
    ]


@login_required
def import_standard(request: HttpRequest) -> HttpResponse:
    if not can_load_standards(request.user):
        raise PermissionDenied
    posted = request.method == "POST"
    form = StandardImportForm(request.POST if posted else None, request.FILES if posted else None)
    errors: list[tuple[str, str]] = []
    refusal = ""
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            document = read_standard(upload, upload.name)
            standard, outcome = load_standard(request.user, document, source=upload.name)
        except StandardInvalid as invalid:
            errors = invalid.errors
        except StandardLocked as locked:
            refusal = str(locked)
        else:
            messages.success(request, _loaded_message(outcome, standard, upload.name))
            messages.info(request, default_note(standard))
            return redirect("standard:detail", slug=standard.slug, version=standard.version)
    return render(request, "standard/import.html", {"form": form, "errors": errors, "refusal": refusal})


def _loaded_message(outcome: Loaded, standard: Standard, filename: str) -> str:
    values = {"file": filename, "slug": standard.slug, "version": standard.version}
    if outcome == Loaded.CREATED:
        return _("%(file)s was loaded as version %(version)s of %(slug)s.") % values
    if outcome == Loaded.REPLACED:
        return _("Version %(version)s of %(slug)s was replaced with %(file)s; no cycle used it yet.") % values
    return _("Version %(version)s of %(slug)s already holds exactly what %(file)s holds; nothing changed.") % values


@login_required
@require_http_methods(["GET", "POST"])
def make_default(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """GET shows what changes; POST makes the version the default."""
    if not can_choose_default_standard(request.user):
        raise SeeButNotChange
    standard = get_object_or_404(Standard.objects.defer("document"), slug=slug, version=version)
    if request.method == "POST":
        if make_default_standard(request.user, standard):
            messages.success(request, _made_default_message(standard))
        else:
            messages.info(request, _already_default_message(standard))
        return redirect("standard:list")
    context = {"standard": standard, "current": default_standard(), "cycles": _cycles_by_year(request.user)}
    return render(request, "standard/make_default.html", context)


@dataclass(frozen=True)
class CycleVersion:
    year: int
    name: str
    slug: str
    version: int


def _cycles_by_year(user: Any) -> list[CycleVersion]:
    """Every cycle of the reader's district with its version (one query): the years the default does not decide."""
    # Through the standard's reverse relation: the standard app does not import the assessments app.
    rows = Standard.objects.filter(cycles__district__code=district_code_of(user)).order_by(
        "-cycles__year", "cycles__name"
    )
    return [CycleVersion(*row) for row in rows.values_list("cycles__year", "cycles__name", "slug", "version")]


def _made_default_message(standard: Standard) -> str:
    values = {"slug": standard.slug, "version": standard.version}
    return (
        _("Version %(version)s of %(slug)s is now the default: figures of years without a cycle are counted on it.")
        % values
    )


def _already_default_message(standard: Standard) -> str:
    values = {"slug": standard.slug, "version": standard.version}
    return _("Version %(version)s of %(slug)s is already the default; nothing changed.") % values
