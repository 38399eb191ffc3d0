"""Read-side queries of the tree; each costs a fixed number of SQL queries, whatever the number of units."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum, Value
from django.db.models.functions import StrIndex, Substr

from kaohe.organisations.models import Organisation


@dataclass(frozen=True)
class Totals:
    units: int = 0  # active units under it, itself excluded
    members: int = 0  # members of it and of every active unit under it


def subtree_totals(unit: Organisation) -> Totals:
    """One query."""
    below = Organisation.objects.subtree_of(unit).filter(is_active=True).exclude(pk=unit.pk)
    result = below.aggregate(units=Count("pk"), members=Sum("members"))
    return Totals(result["units"], unit.members + (result["members"] or 0))


def children_with_totals(unit: Organisation, include_inactive: bool = False) -> list[Organisation]:
    """The units directly under `unit`, each with `.totals` for its own subtree: two queries."""
    children = Organisation.objects.filter(parent=unit).in_display_order()
    if not include_inactive:
        children = children.filter(is_active=True)
    totals = _totals_by_child(unit)
    result = list(children)
    for child in result:
        below = totals.get(child.code, Totals())
        child.totals = Totals(below.units, child.members + below.members)  # type: ignore[attr-defined]
    return result


def _totals_by_child(unit: Organisation) -> dict[str, Totals]:
    """Active units two or more levels down, grouped by the child of `unit` they sit under."""
    start = len(unit.path) + 1
    rest = Substr("path", start)
    child_code = Substr("path", start, StrIndex(rest, Value("/")) - 1)
    grandchildren = Organisation.objects.subtree_of(unit).filter(is_active=True, depth__gt=unit.depth + 1)
    rows = grandchildren.annotate(child=child_code).values("child").annotate(units=Count("pk"), members=Sum("members"))
    return {row["child"]: Totals(row["units"], row["members"] or 0) for row in rows.order_by()}


def ancestors_of(unit: Organisation) -> list[Organisation]:
    """Root first; one query."""
    codes = unit.ancestor_codes
    found = {org.code: org for org in Organisation.objects.filter(code__in=codes)}
    return [found[code] for code in codes if code in found]


def search(units: QuerySet[Organisation], text: str, limit: int = 50) -> list[Organisation]:
    from django.db.models import Q

    return list(units.filter(Q(name__icontains=text) | Q(code__icontains=text)).order_by("path")[:limit])
