"""What a rule's target is for one unit, and every wording of targets and figures: the one place for both.

A target is a constant (≥ 5), a multiple of a base (≥ 3 × grassroots units under the unit) or a share of one
(≥ 80 % of members). `unit_target` turns it into the unit's own number, exactly (a Fraction); the words
come from `target_in_words` (the rule, as the standard's pages print it) and `basis_in_words` (how the
unit's number was reached: 36 = 3 × 12 grassroots units).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from kaohe.standard.document import Target
from kaohe.standard.indicators import TARGET_BASES, Measure

ONE_PLACE = Decimal("0.1")


def unit_target(target: Target, measure: Measure, bases: dict[str, int]) -> Fraction:
    """The unit's target, exactly. A rate's share is the rate itself (0.8); any other share or multiple is
    taken of the unit's base (0.5 × 7 grassroots units is 3.5 activities)."""
    amount = Fraction(target.value)
    if target.kind == "constant" or measure == Measure.RATE:
        return amount
    return amount * bases[target.of]


def plain_number(value: Fraction | Decimal | int) -> int | Decimal:
    """A whole number as an int, else a Decimal: targets are factors of whole bases, so they terminate."""
    fraction = Fraction(value)
    if fraction.denominator == 1:
        return fraction.numerator
    return Decimal(fraction.numerator) / Decimal(fraction.denominator)


def target_in_words(target: Target | None) -> str:
    """The rule as the standard states it, for any unit: “≥ 3 × grassroots units under the unit”."""
    if target is None:
        return _("counted, no target")
    if target.kind == "constant":
        return _("≥ %(value)s") % {"value": _plain(target.value)}
    base = TARGET_BASES.get(target.of, target.of)
    if target.kind == "multiple":
        return _("≥ %(factor)s × %(base)s") % {"factor": _plain(target.value), "base": base}
    return _("≥ %(percent)s%% of %(base)s") % {"percent": _plain(target.value * 100), "base": base}


def basis_in_words(target: Target, measure: Measure, bases: dict[str, int]) -> str:
    """How the unit's number was reached, with the unit's own base: “36 = 3 × 12 grassroots units”.
    Empty for a constant, which needs no explaining."""
    if target.kind == "constant":
        return ""
    base = bases[target.of]
    values = {"factor": _plain(target.value), "percent": _plain(target.value * 100), "base": f"{base:,}"}
    if measure == Measure.RATE:
        needed = _plain(Decimal(target.value) * base)
        return _("%(percent)s%% of %(base)s members = %(needed)s person-times") % {**values, "needed": needed}
    values["target"] = number_in_words(measure, unit_target(target, measure, bases))
    if target.of == "grassroots_units":
        if target.kind == "multiple":
            return _("%(target)s = %(factor)s × %(base)s grassroots units") % values
        return _("%(target)s = %(percent)s%% of %(base)s grassroots units") % values
    if target.kind == "multiple":
        return _("%(target)s = %(factor)s × %(base)s members") % values
    return _("%(target)s = %(percent)s%% of %(base)s members") % values


def number_in_words(measure: Measure, number: Fraction | Decimal | int) -> str:
    """A target or value as people read it: 1,234; 1,234.50 yuan; 80% (a rate, 0.8)."""
    if measure == Measure.RATE:
        return f"{_plain(Decimal(plain_number(number)) * 100)}%"
    if measure == Measure.AMOUNT:
        return _("%(amount)s yuan") % {"amount": f"{Decimal(plain_number(number)):,.2f}"}
    shown = plain_number(number)
    return f"{shown:,}" if isinstance(shown, int) else f"{_plain(shown)}"


def rate_in_words(rate: Decimal, unmet_target: Fraction | None) -> str:
    """One decimal, as units report rates: 0.7957 reads 79.6%. An unmet rate never reads as its target."""
    percent = rate * 100
    shown = percent.quantize(ONE_PLACE, ROUND_HALF_UP)
    if unmet_target is not None and shown >= Decimal(plain_number(unmet_target)) * 100:
        # 79.96 % of an 80 % target is not met; rounded it would read 80.0 %, so it is cut instead.
        shown = percent.quantize(ONE_PLACE, ROUND_DOWN)
    return f"{shown}%"


def _plain(value: Decimal | int) -> str:
    return format(Decimal(value).normalize(), "f")  # 80, not 80.0 nor 8E+1
