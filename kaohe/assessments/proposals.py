"""The score the figures propose for an item (READING.md, "How a score is reached", "The proposal, exactly").

Take the rules of the item for the unit's column that have a target and a value (a rule without a target,
such as 定期 office meetings, and a rate of a unit with no members do not count). Each counts as its share
reached, value ÷ target, at most 1 (a target of 0 is reached). The proposal is the item's points × the mean
of those shares, rounded down to a multiple of 0.5, computed exactly until that rounding. No counting rule:
no proposal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from kaohe.figures.compute import Figure
from kaohe.standard.indicators import BY_KEY, Measure

STEP = Fraction(1, 2)


def share_reached(figure: Figure) -> Fraction | None:
    """value ÷ target, at most 1; None for a rule that does not count (no target, or no rate)."""
    if figure.target is None or figure.value is None:
        return None
    target = Fraction(figure.target)  # targets are whole bases times decimal factors: exact
    if target <= 0:
        return Fraction(1)
    return min(Fraction(1), exact_value(figure) / target)


def exact_value(figure: Figure) -> Fraction:
    """The figure's value as a fraction; a rate exactly (person-times ÷ members), not as shown to 4 places."""
    if BY_KEY[figure.key].measure == Measure.RATE and figure.subtree is not None and figure.subtree.members:
        return Fraction(figure.subtree.participants, figure.subtree.members)
    return Fraction(figure.value or 0)


def proposed_score(points: Decimal, figures: Iterable[Figure]) -> Decimal | None:
    shares = [share for share in map(share_reached, figures) if share is not None]
    if not shares:
        return None
    exact = Fraction(points) * sum(shares, Fraction(0)) / len(shares)
    steps = math.floor(exact / STEP)
    return Decimal(steps) / 2


def figures_by_item(figures: Iterable[Figure], pooled_items: set[str], pooled_number: str) -> dict[str, list[Figure]]:
    """A unit's figures grouped by the scored item they count for: the pooled category's under its number."""
    grouped: dict[str, list[Figure]] = {}
    for figure in figures:
        number = pooled_number if figure.item in pooled_items else figure.item
        grouped.setdefault(number, []).append(figure)
    return grouped
