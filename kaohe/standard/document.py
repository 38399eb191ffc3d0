"""A standard as plain data: parsed from YAML (or xlsx), checked whole, written back with stable keys.

`parse_standard` takes the mapping a file holds and returns a `StandardDocument`, or raises `StandardInvalid`
with every fault, each at its path inside the file (`categories[3].items[1].points`, counted from 0).
`to_data` gives the canonical mapping back; the content hash is taken of it, so a version's content is
recognised whatever the file's formatting.
"""

from __future__ import annotations

import hashlib
import json
import re
import reprlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from kaohe import limits
from kaohe.standard.indicators import BY_KEY, INDICATORS, RATE_TARGET, TARGET_BASES, Measure

TIERS = ("district", "secondary", "direct")
# The tier without a column of its own: organisations.Tier.GRASSROOTS, named here so the standard stays apart.
GRASSROOTS_TIER = "grassroots"
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HALF = Decimal("0.5")
# As long as the Standard model's columns hold (slug, title); the texts inside live in its JSON document.
SLUG_MAX_LENGTH = 80
TITLE_MAX_LENGTH = 200


@dataclass(frozen=True)
class Target:
    kind: str  # constant | multiple | share
    value: Decimal  # the constant, the factor or the ratio
    of: str = ""  # for multiple and share: grassroots_units or members


@dataclass(frozen=True)
class Rule:
    indicator: str
    tier: str
    comparison: str | None  # "gte" where there is a target
    target: Target | None


@dataclass(frozen=True)
class Requirement:
    number: int  # as printed; the direct column of 6.1 goes 1, 4
    text: str


@dataclass
class Item:
    number: str
    content: str
    points: Decimal | None  # None inside a pooled category
    requirements: dict[str, list[Requirement]]
    rules: list[Rule] = field(default_factory=list)


@dataclass
class Category:
    number: int
    title: str
    points: Decimal
    pooled: bool
    items: list[Item]


@dataclass
class StandardDocument:
    slug: str
    version: int
    title: str
    total_points: Decimal
    tiers: dict[str, str]  # tier key → column heading as printed
    grassroots_column: str
    categories: list[Category]

    @property
    def items(self) -> list[Item]:
        return [item for category in self.categories for item in category.items]

    def column_of(self, tier: str) -> str:
        """The column a unit of this tier is assessed against (READING.md, "Who is assessed"): its own, and
        for a grassroots union inside a secondary union's system, the one the standard names."""
        return self.grassroots_column if tier == GRASSROOTS_TIER else tier

    def requirement_count(self, tier: str) -> int:
        return sum(len(item.requirements[tier]) for item in self.items)


class StandardInvalid(Exception):
    def __init__(self, errors: list[tuple[str, str]], source: str = ""):
        self.errors = errors
        self.source = source
        lines = [f"{source}: {path}: {message}" if source else f"{path}: {message}" for path, message in errors]
        super().__init__("\n".join(lines))


class _Checker:
    """Collects every fault with its path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[tuple[str, str]] = []

    def fault(self, path: str, message: str) -> None:
        self.errors.append((path, message))

    def text(self, data: dict[str, Any], key: str, path: str, max_length: int = limits.LONG_TEXT_MAX_LENGTH) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fault(f"{path}{key}", _("Text is required here."))
            return ""
        # Requirements run over several lines; a NUL or a lone surrogate could not even be stored.
        text = value.strip()
        message = limits.length_fault(text, max_length) or limits.character_fault(text, multiline=True)
        if message:
            self.fault(f"{path}{key}", message)
        return text

    def integer(self, data: dict[str, Any], key: str, path: str, minimum: int = 1) -> int:
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.fault(
                f"{path}{key}", _("A whole number of at least %(minimum)s is required here.") % {"minimum": minimum}
            )
            return 0
        if value > limits.LARGEST_STORED_INTEGER:  # a version is a column that holds no more
            self.fault(f"{path}{key}", limits.too_large(_shown(value), limits.LARGEST_STORED_INTEGER))
            return 0
        return value

    def points(self, value: Any, path: str) -> Decimal | None:
        number = finite_decimal(value)
        if number is None or number <= 0 or number > limits.LARGEST_POINTS or number % HALF:
            self.fault(path, _("Points must be a positive number in steps of 0.5."))
            return None
        return number

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fault(path, _("A mapping (key: value) is required here."))
            return {}
        return value

    def sequence(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            self.fault(path, _("A non-empty list is required here."))
            return []
        return value


def finite_decimal(value: Any) -> Decimal | None:
    """A number as a Decimal, or None: not for NaN, infinities (1e400 in JSON), text or True.

    Never through str() of an int: Python refuses to write out an int of more than 4,300 digits."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    if isinstance(value, int) and abs(value) > limits.LARGEST_STORED_INTEGER:
        return None
    try:
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _as_text(value: Any) -> str:
    """A value that should be text, or "" (its fault is reported where it is checked): never str() of
    anything a file holds, which fails for an int of more than 4,300 digits."""
    return value if isinstance(value, str) else ""


def _shown(value: Any) -> str:
    """A value the file holds, short enough for a message, whatever it is (a deep list, a huge int)."""
    if isinstance(value, str):
        return value[:100]
    try:
        return reprlib.repr(value)
    except ValueError:  # an int of more than 4,300 digits somewhere inside, which Python will not write out
        return "…"


def parse_standard(data: Any, source: str = "") -> StandardDocument:
    check = _Checker()
    data = check.mapping(data, "(file)")
    slug = check.text(data, "slug", "", max_length=SLUG_MAX_LENGTH)
    if slug and not SLUG_PATTERN.match(slug):
        check.fault("slug", _("Use lowercase letters, digits and '-' only."))
    tiers = _parse_tiers(check, data.get("tiers"))
    grassroots_column = data.get("grassroots_column")
    if grassroots_column not in TIERS:
        check.fault("grassroots_column", _("Must be one of %(tiers)s.") % {"tiers": ", ".join(TIERS)})
    document = StandardDocument(
        slug=slug,
        version=check.integer(data, "version", ""),
        title=check.text(data, "title", "", max_length=TITLE_MAX_LENGTH),
        total_points=check.points(data.get("total_points"), "total_points") or Decimal(0),
        tiers=tiers,
        grassroots_column=_as_text(grassroots_column),
        categories=[
            _parse_category(check, category, f"categories[{index}]")
            for index, category in enumerate(check.sequence(data.get("categories"), "categories"))
        ],
    )
    _check_numbering_and_sums(check, document)
    if check.errors:
        raise StandardInvalid(check.errors, source)
    return document


def _parse_tiers(check: _Checker, value: Any) -> dict[str, str]:
    tiers = check.mapping(value, "tiers")
    for tier in TIERS:
        check.text(tiers, tier, "tiers.")
    for unknown in set(tiers) - set(TIERS):
        check.fault(
            f"tiers.{_shown(unknown)}", _("Unknown tier; the tiers are %(tiers)s.") % {"tiers": ", ".join(TIERS)}
        )
    return {tier: _as_text(tiers.get(tier)).strip() for tier in TIERS}


def _parse_category(check: _Checker, value: Any, path: str) -> Category:
    data = check.mapping(value, path)
    pooled = data.get("pooled", False)
    if not isinstance(pooled, bool):
        check.fault(f"{path}.pooled", _("Must be true or false."))
        pooled = False
    return Category(
        number=check.integer(data, "number", f"{path}."),
        title=check.text(data, "title", f"{path}."),
        points=check.points(data.get("points"), f"{path}.points") or Decimal(0),
        pooled=pooled,
        items=[
            _parse_item(check, item, f"{path}.items[{index}]", pooled)
            for index, item in enumerate(check.sequence(data.get("items"), f"{path}.items"))
        ],
    )


def _parse_item(check: _Checker, value: Any, path: str, pooled: bool) -> Item:
    data = check.mapping(value, path)
    number = data.get("number")
    if not isinstance(number, str) or not re.match(r"^\d+\.\d+$", number):
        check.fault(f"{path}.number", _("An item number like “6.1” is required here."))
    if pooled:
        points = None
        if data.get("points") is not None:
            check.fault(f"{path}.points", _("Items of a pooled category have no points of their own (null)."))
    else:
        points = check.points(data.get("points"), f"{path}.points")
    requirements = check.mapping(data.get("requirements"), f"{path}.requirements")
    return Item(
        number=_as_text(number),
        content=check.text(data, "content", f"{path}."),
        points=points,
        requirements={
            tier: _parse_requirements(check, requirements.get(tier), f"{path}.requirements.{tier}") for tier in TIERS
        },
        rules=[
            _parse_rule(check, rule, f"{path}.rules[{index}]")
            for index, rule in enumerate(_optional_list(check, data.get("rules"), f"{path}.rules"))
        ],
    )


def _parse_requirements(check: _Checker, value: Any, path: str) -> list[Requirement]:
    requirements = []
    for index, entry in enumerate(check.sequence(value, path)):
        data = check.mapping(entry, f"{path}[{index}]")
        requirements.append(
            Requirement(
                check.integer(data, "number", f"{path}[{index}]."), check.text(data, "text", f"{path}[{index}].")
            )
        )
    numbers = [requirement.number for requirement in requirements]
    if len(set(numbers)) != len(numbers):
        check.fault(path, _("Requirement numbers repeat within this tier."))
    return requirements


def _optional_list(check: _Checker, value: Any, path: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        check.fault(path, _("A list is required here."))
        return []
    return value


def _parse_rule(check: _Checker, value: Any, path: str) -> Rule:
    data = check.mapping(value, path)
    indicator = data.get("indicator")
    if not isinstance(indicator, str) or indicator not in INDICATORS:  # a list or a mapping is no key at all
        check.fault(
            f"{path}.indicator",
            _("“%(key)s” is not a figure kaohe computes; use one of %(keys)s.")
            % {"key": _shown(indicator), "keys": ", ".join(INDICATORS)},
        )
    tier = data.get("tier")
    if tier not in TIERS:
        check.fault(f"{path}.tier", _("Must be one of %(tiers)s.") % {"tiers": ", ".join(TIERS)})
    target = _parse_target(check, data.get("target"), f"{path}.target")
    comparison = data.get("comparison")
    if (target is None) != (comparison is None) or comparison not in (None, "gte"):
        check.fault(f"{path}.comparison", _("Use “gte” with a target, and null without one."))
    rated = isinstance(indicator, str) and indicator in BY_KEY and BY_KEY[indicator].measure == Measure.RATE
    if rated and target is not None and (target.kind, target.of) != RATE_TARGET:
        # A rate is person-times ÷ members already: any other kind of target would compare unlike things.
        check.fault(f"{path}.target", _("A rate's target is a share of members (kind: share, of: members)."))
    return Rule(_as_text(indicator), _as_text(tier), comparison, target)


def _parse_target(check: _Checker, value: Any, path: str) -> Target | None:
    if value is None:
        return None
    data = check.mapping(value, path)
    kind = data.get("kind")
    amount_key = {"constant": "value", "multiple": "factor", "share": "ratio"}.get(_as_text(kind))
    if amount_key is None:
        check.fault(f"{path}.kind", _("Must be constant, multiple or share."))
        return None
    amount = finite_decimal(data.get(amount_key))
    if amount is None or amount > limits.LARGEST_AMOUNT:
        amount = Decimal(-1)  # refused below, with the same words as a negative one
    if amount <= 0 or (kind == "share" and amount > 1):
        check.fault(f"{path}.{amount_key}", _("A positive number is required here (a share at most 1)."))
    of = _as_text(data.get("of"))
    if kind != "constant" and of not in TARGET_BASES:
        check.fault(f"{path}.of", _("Must be one of %(bases)s.") % {"bases": ", ".join(TARGET_BASES)})
    return Target(_as_text(kind), amount, of if kind != "constant" else "")


def _check_numbering_and_sums(check: _Checker, document: StandardDocument) -> None:
    seen_categories: set[int] = set()
    seen_items: set[str] = set()
    for c_index, category in enumerate(document.categories):
        path = f"categories[{c_index}]"
        if category.number in seen_categories:
            check.fault(f"{path}.number", _("Category number %(number)s repeats.") % {"number": category.number})
        seen_categories.add(category.number)
        for i_index, item in enumerate(category.items):
            if item.number in seen_items:
                check.fault(
                    f"{path}.items[{i_index}].number", _("Item number %(number)s repeats.") % {"number": item.number}
                )
            seen_items.add(item.number)
        if not category.pooled and all(item.points is not None for item in category.items):
            items_sum = sum((item.points or Decimal(0) for item in category.items), Decimal(0))
            if items_sum != category.points:
                check.fault(
                    f"{path}.points",
                    _("The items add up to %(sum)s points, not the category's %(points)s.")
                    % {"sum": _number(items_sum), "points": _number(category.points)},
                )
    total = sum((category.points for category in document.categories), Decimal(0))
    if total != document.total_points:
        check.fault(
            "total_points",
            _("The categories add up to %(sum)s points, not the total of %(total)s.")
            % {"sum": _number(total), "total": _number(document.total_points)},
        )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def to_data(document: StandardDocument) -> dict[str, Any]:
    """The canonical mapping: the YAML schema, keys in a fixed order, numbers as JSON numbers."""
    return {
        "slug": document.slug,
        "version": document.version,
        "title": document.title,
        "total_points": _number(document.total_points),
        "tiers": dict(document.tiers),
        "grassroots_column": document.grassroots_column,
        "categories": [
            {
                "number": category.number,
                "title": category.title,
                "points": _number(category.points),
                "pooled": category.pooled,
                "items": [_item_data(item) for item in category.items],
            }
            for category in document.categories
        ],
    }


def _item_data(item: Item) -> dict[str, Any]:
    return {
        "number": item.number,
        "content": item.content,
        "points": None if item.points is None else _number(item.points),
        "requirements": {
            tier: [{"number": r.number, "text": r.text} for r in item.requirements[tier]] for tier in TIERS
        },
        "rules": [
            {
                "indicator": rule.indicator,
                "tier": rule.tier,
                "comparison": rule.comparison,
                "target": None if rule.target is None else _target_data(rule.target),
            }
            for rule in item.rules
        ],
    }


def _target_data(target: Target) -> dict[str, Any]:
    amount_key = {"constant": "value", "multiple": "factor", "share": "ratio"}[target.kind]
    data: dict[str, Any] = {"kind": target.kind, amount_key: _number(target.value)}
    if target.of:
        data["of"] = target.of
    return data


def content_hash(document: StandardDocument) -> str:
    canonical = json.dumps(to_data(document), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
