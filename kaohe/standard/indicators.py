"""The figures kaohe computes from records (READING.md, "What can be counted"): the keys a standard's rules
may name, and for each what it is. This is the one place that says whether a figure is a count, an amount
or a rate, and whether it counts the unit's own records or the unit with every active unit under it; the
figures app computes them, pages and exports word them from here. A standard naming any other key is
refused."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Measure(StrEnum):
    COUNT = "count"  # a whole number of records
    AMOUNT = "amount"  # yuan, two decimals
    RATE = "rate"  # person-times ÷ members: 0.8 reads 80 %


class Scope(StrEnum):
    """READING.md, "Own or subtree, in one line"."""

    OWN = "own"  # 本单位: the federation holds them itself
    SUBTREE = "subtree"  # 含下级: the unit and every active unit under it (统计汇总全区 / 本系统)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str | Promise
    measure: Measure
    scope: Scope


REGISTRY = [
    Indicator("training_count", _("Thematic trainings held"), Measure.COUNT, Scope.OWN),
    Indicator("leading_group_meetings", _("Leading-group meetings"), Measure.COUNT, Scope.OWN),
    Indicator("office_meetings", _("Creation-office meetings"), Measure.COUNT, Scope.OWN),
    Indicator("lecture_count", _("Lecture-hall activities"), Measure.COUNT, Scope.SUBTREE),
    Indicator(
        "lecture_participation_rate",
        _("Lecture-hall participation (person-times ÷ members)"),
        Measure.RATE,
        Scope.SUBTREE,
    ),
    Indicator("exchange_meetings", _("Experience-exchange meetings"), Measure.COUNT, Scope.OWN),
    Indicator("education_funds", _("Education funds spent"), Measure.AMOUNT, Scope.SUBTREE),
    Indicator("honours_district", _("District honours"), Measure.COUNT, Scope.SUBTREE),
    Indicator("honours_municipal", _("Municipal honours"), Measure.COUNT, Scope.SUBTREE),
    Indicator("honours_national", _("National honours"), Measure.COUNT, Scope.SUBTREE),
]
BY_KEY = {indicator.key: indicator for indicator in REGISTRY}
INDICATORS = {indicator.key: indicator.label for indicator in REGISTRY}

# What a "multiple" or "share" target is taken of, for the unit being assessed.
TARGET_BASES = {
    "grassroots_units": _("grassroots units under the unit"),
    "members": _("members of the unit and the units under it"),
}
# A rate is already person-times ÷ members: its only target is a share of those members (80 % of them).
RATE_TARGET = ("share", "members")

SCOPE_LABELS = {Scope.OWN: _("own"), Scope.SUBTREE: _("with the units under it")}
