"""Read-side queries of the tree; each costs a fixed number of SQL queries, whatever the number of units."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import DatabaseError
from django.db.models import Count, QuerySet, Sum

from kaohe.organisations.models import Organisation


@dataclass(frozen=True)
class Totals:
    units: int = 0  # active units under it, itself excluded
    members: int = 0  # members of it and of every active unit under it


# The units directly under a unit are shown a page at a time: a district has hundreds (380 in the bench's),
# and a page renders each with its totals.
CHILDREN_PER_PAGE = 50


def children_page(
    unit: Organisation, page_number: Any = None, include_inactive: bool = False
) -> tuple[Totals, Page[Organisation]]:
    """The unit's totals, and one page of the units directly under it, each with `.totals` for its own
    subtree: three queries (the children counted, the page of them, the active units under the unit grouped
    by their parent), whatever the number of units."""
    page = Paginator(children_of(unit, include_inactive), CHILDREN_PER_PAGE).get_page(page_number)
    return with_totals(unit, page.object_list), page


def children_of(unit: Organisation, include_inactive: bool = False) -> QuerySet[Organisation]:
    """The units directly under the unit, in the tree's order (the deactivated last, when included)."""
    children = Organisation.objects.filter(parent=unit).in_display_order()
    return children if include_inactive else children.filter(is_active=True)


def with_totals(unit: Organisation, children: Iterable[Organisation]) -> Totals:
    """The unit's totals; each of `children` (units directly under it) given `.totals` for its own subtree.
    One query (the active units under the unit grouped by their parent), whatever the number of units."""
    groups = _active_units_by_parent(unit)
    below_child: dict[str, Totals] = {}
    for parent_path, units, members in groups:
        if parent_path == unit.path:
            continue  # the children themselves: they count in the unit's totals, not in their own
        child_code = parent_path[len(unit.path) :].split("/")[0]
        so_far = below_child.get(child_code, Totals())
        below_child[child_code] = Totals(so_far.units + units, so_far.members + members)
    for child in children:
        below = below_child.get(child.code, Totals())
        child.totals = Totals(below.units, child.members + below.members)  # type: ignore[attr-defined]
    return Totals(sum(units for _path, units, _m in groups), unit.members + sum(m for *_rest, m in groups))


def _active_units_by_parent(unit: Organisation) -> list[tuple[str, int, int]]:
    """(the parent's path, how many, their members) of the active units under `unit`, grouped by parent: as
    many rows as units with units under them (81 of the bench's 30,000), and no text cut out of 30,000 paths."""
    below = Organisation.objects.subtree_of(unit).filter(is_active=True).exclude(pk=unit.pk)
    rows = below.values_list("parent__path").annotate(units=Count("pk"), members=Sum("members")).order_by()
    return [(path, units, members or 0) for path, units, members in rows]


def ancestors_of(unit: Organisation) -> list[Organisation]:
    """Root first; one query."""
    codes = unit.ancestor_codes
    found = {org.code: org for org in Organisation.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def search(units: QuerySet[Organisation], text: str, limit: int = 50) -> list[Organisation]:
    from django.db.models import Q

    return list(units.filter(Q(name__icontains=text) | Q(code__icontains=text)).order_by("path")[:limit])


def district_of(unit: Organisation) -> Organisation:
    """The district federation a unit belongs to: the root above it (no query when the parents came with it)."""
    while unit.parent is not None:
        unit = unit.parent
    return unit


def federation_name(user: Any) -> str:
    """The name that heads the pages: the user's own district federation; for nobody in particular, the one
    district of the database (one query), or nothing when it holds several or none."""
    unit = getattr(user, "organisation", None) if getattr(user, "is_authenticated", False) else None
    if unit is not None:
        return district_of(unit).name
    try:
        roots = list(Organisation.objects.filter(parent=None, is_active=True).values_list("name", flat=True)[:2])
    except DatabaseError:
        # A database not migrated yet (`kaohe serve` on a fresh checkout) still shows its login page.
        return ""
    return roots[0] if len(roots) == 1 else ""
