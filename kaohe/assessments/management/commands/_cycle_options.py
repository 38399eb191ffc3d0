"""What the cycle's commands share: naming a standard's version, a district and a year's cycle, numbers as JSON
has them, and a plain table for people at a terminal. (Django takes no command from a module named _….)"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from kaohe.assessments.forms_cycle import YEAR_MAX, YEAR_MIN
from kaohe.assessments.models import Cycle
from kaohe.organisations.models import Category, Organisation
from kaohe.spreadsheets import display_width
from kaohe.standard.models import Standard


def year(text: str) -> int:
    """A command's year argument: 2026, within what the pages accept."""
    if not text.isdigit() or not YEAR_MIN <= int(text) <= YEAR_MAX:
        raise CommandError(_("A year from %(min)s to %(max)s, such as 2026.") % {"min": YEAR_MIN, "max": YEAR_MAX})
    return int(text)


def date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date; write dates as YYYY-MM-DD.") % {"value": text}) from None


def standard_named(spec: str) -> Standard:
    """SLUG:VERSION, or SLUG for its latest version loaded."""
    slug, _sep, version = spec.partition(":")
    versions = Standard.objects.filter(slug=slug)
    if version:
        if not version.isdigit():
            raise CommandError(_("Name the version as SLUG:VERSION, e.g. fangshan-2026-trial:2."))
        versions = versions.filter(version=int(version))
    standard = versions.order_by("-version").first()
    if standard is None:
        raise CommandError(_("No standard %(spec)s is loaded (kaohe load_standard FILE loads one).") % {"spec": spec})
    return standard


def district_named(code: str | None) -> Organisation:
    """The district federation with this code; without one, the only district federation there is."""
    districts = Organisation.objects.filter(parent__isnull=True, category=Category.DISTRICT)
    if code:
        district = districts.filter(code=code).first()
        if district is None:
            raise CommandError(_("There is no district federation with the code %(code)s.") % {"code": code})
        return district
    found = list(districts.order_by("code")[:11])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(_("There is no district federation yet; import the units first."))
    raise CommandError(
        _("There are several district federations (%(codes)s); name one with --district CODE.")
        % {"codes": ", ".join(district.code for district in found[:10])}
    )


def cycle_named(year: int, code: str | None) -> Cycle:
    """The year's cycle of the district with this code; without one, the year's only cycle."""
    cycles = Cycle.objects.filter(year=year).select_related("district", "standard")
    if code:
        cycles = cycles.filter(district__code=code)
    found = list(cycles.order_by("district__code")[:11])
    if len(found) == 1:
        return found[0]
    if not found:
        raise CommandError(_("There is no cycle for %(year)s.") % {"year": year})
    raise CommandError(
        _("Several districts have a cycle for %(year)s (%(codes)s); name one with --district CODE.")
        % {"year": year, "codes": ", ".join(cycle.district.code for cycle in found[:10] if cycle.district)}
    )


def plain_table(headings: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Columns padded to their widest cell, Chinese characters counted double as a terminal shows them."""
    cells = [[str(value) for value in headings], *([_cell(value) for value in row] for row in rows)]
    widths = [max(display_width(row[index]) for row in cells) for index in range(len(headings))]
    lines = ["  ".join(_padded(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _padded(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))
