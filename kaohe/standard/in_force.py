"""Which version of the standard is in force for a year, and why.

A year's figures are counted on the version its cycle runs on once that year has a cycle; before that, on
the version a district administrator has made the default; with no version loaded at all, on none.

The API:

- `why_in_force(year) -> InForce`: the version and the reason, for pages that say which it is and why
  (“the version the cycle 2026年度考核 runs on” or “the default version: 2026 has no cycle yet”).
- `standard_in_force(year) -> Standard | None`: the version alone, for whatever only counts.
- `default_standard() -> Standard | None`: the default version, whatever the year.

Cycles are asked for through the standard's reverse relation (`cycles`), so this app never imports the
assessments app downstream of it. Each call costs one query when the year has a cycle, two when it has not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F
from django.utils.translation import gettext as _

from kaohe.standard.models import Standard


@dataclass(frozen=True)
class InForce:
    """The version a year's figures are counted on (None: nothing loaded) and the cycle that chose it."""

    year: int
    standard: Standard | None
    cycle_name: str = ""  # the year's cycle running on `standard`; "" when the default is in force

    @property
    def by_cycle(self) -> bool:
        return bool(self.cycle_name)

    @property
    def reason(self) -> str:
        """Why this version, as a page says it after the version's name."""
        if self.by_cycle:
            return _("the version the cycle %(cycle)s runs on") % {"cycle": self.cycle_name}
        if self.standard is not None:
            return _("the default version: %(year)s has no cycle yet") % {"year": self.year}
        return _("no standard is loaded")


def why_in_force(year: int) -> InForce:
    """The year's cycle's version, else the default version, else none; with which of them it is."""
    # Until a cycle is unique per district and year, several cycles of a year resolve by name, as cycles list.
    of_cycle = (
        Standard.objects.filter(cycles__year=year).annotate(cycle_name=F("cycles__name")).order_by("cycles__name")
    ).first()
    if of_cycle is not None:
        return InForce(year, of_cycle, of_cycle.cycle_name)
    return InForce(year, default_standard())


def standard_in_force(year: int) -> Standard | None:
    """The version the year's figures are counted on: its cycle's, else the default (database queries)."""
    return why_in_force(year).standard


def default_standard() -> Standard | None:
    """The version a district administrator made the default (one query)."""
    return Standard.objects.filter(is_default=True).first()


def default_note(standard: Standard) -> str:
    """Whether this version is the default, and if not which one is: what loading it tells the loader."""
    values = {"slug": standard.slug, "version": standard.version}
    if standard.is_default:
        return (
            _("Version %(version)s of %(slug)s is the default: figures of years without a cycle are counted on it.")
            % values
        )
    current = default_standard()
    if current is None:
        return _("Version %(version)s of %(slug)s is not the default, and no version is the default yet.") % values
    return _(
        "Version %(version)s of %(slug)s is not the default: figures of years without a cycle are still counted "
        "on version %(default_version)s of %(default_slug)s until a district administrator makes another version "
        "the default."
    ) % {**values, "default_version": current.version, "default_slug": current.slug}
