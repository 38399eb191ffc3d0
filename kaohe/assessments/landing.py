"""The home page beside the 待办: the signed-in user's own unit at a glance, where each role starts.

A unit cadre lands on their unit: its figures of this year against the standard and the records it keeps.
A secondary union's cadre, and a district administrator, also see the system they look after: how many
units of each tier it has, and how many of them have no account yet. A fixed number of queries, whatever the
size of the district (the figures of the district's own unit add up one row a unit, in the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from kaohe import access
from kaohe.accounts.models import User
from kaohe.figures.compute import year_range
from kaohe.figures.views import figures_summary
from kaohe.organisations.models import TIER_OF_CATEGORY, Organisation, Tier
from kaohe.records.queries import KindCount, own_record_counts


@dataclass(frozen=True)
class TierCount:
    tier: Tier
    count: int


@dataclass(frozen=True)
class System:
    """The active units under the user's unit: per tier, and how many have no active account."""

    tiers: list[TierCount]
    without_account: int
    may_manage_people: bool

    @property
    def total(self) -> int:
        return sum(tier.count for tier in self.tiers)


@dataclass(frozen=True)
class Landing:
    unit: Organisation
    year: int
    figures: dict[str, Any] | None  # figures/summary.html's context; None with no standard in force
    records: list[KindCount]
    system: System | None  # for units that have units under them


def landing_of(user: Any, year: int | None = None) -> Landing | None:
    unit = access.scope_root(user)
    if unit is None:
        return None
    year = year or timezone.localdate().year
    system = system_under(user, unit) if unit.tier in access.TIERS_WITH_UNITS_UNDER_THEM else None
    return Landing(unit, year, figures_summary(unit, year), own_record_counts(unit, *year_range(year)), system)


def system_under(user: Any, unit: Organisation) -> System:
    """One query: the active units strictly under the unit, counted by category and by having no account."""
    active_account = User.objects.filter(organisation=OuterRef("pk"), is_active=True)
    under = Organisation.objects.subtree_of(unit).active().exclude(pk=unit.pk)
    rows = (
        under.values("category")
        .annotate(units=Count("pk"), without=Count("pk", filter=~Q(Exists(active_account))))
        .order_by()
    )
    by_tier: dict[Tier, int] = {}
    without = 0
    for row in rows:
        tier = TIER_OF_CATEGORY[row["category"]]
        by_tier[tier] = by_tier.get(tier, 0) + row["units"]
        without += row["without"]
    tiers = [TierCount(tier, by_tier[tier]) for tier in Tier if tier in by_tier]
    return System(tiers, without, access.may_manage_people(user))
