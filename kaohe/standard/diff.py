"""What changed between two versions of a standard, for people deciding whether to move a cycle to it.

Items are matched by their number (“6.1”) and requirements by the number printed before them in their tier's
column, because that is how assessors refer to them: “6.1, 二级工会, requirement 4”.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kaohe.standard.document import TIERS, Category, Item, Requirement, Rule, StandardDocument


@dataclass(frozen=True)
class Change:
    """One value of the standard as a whole (title, total, a tier's heading) before and after."""

    what: str  # where in the file: title | total_points | tiers.<tier>
    old: str
    new: str


@dataclass(frozen=True)
class CategoryChange:
    number: int
    old_title: str
    new_title: str
    old_points: Decimal
    new_points: Decimal

    @property
    def title_changed(self) -> bool:
        return self.old_title != self.new_title

    @property
    def points_changed(self) -> bool:
        return self.old_points != self.new_points


@dataclass(frozen=True)
class Repointed:
    number: str
    content: str
    old_points: Decimal | None  # None inside a pooled category
    new_points: Decimal | None


@dataclass(frozen=True)
class Reworded:
    number: str
    old_content: str
    new_content: str


@dataclass(frozen=True)
class RequirementChange:
    tier: str
    tier_heading: str  # as the newer version prints it
    number: int
    kind: str  # added | removed | changed
    old_text: str = ""
    new_text: str = ""


@dataclass
class ItemRequirementChanges:
    number: str
    content: str
    changes: list[RequirementChange]


@dataclass
class RuleChanges:
    number: str
    content: str
    removed: list[Rule]
    added: list[Rule]


@dataclass
class Comparison:
    old: StandardDocument
    new: StandardDocument
    standard_changes: list[Change] = field(default_factory=list)
    categories_changed: list[CategoryChange] = field(default_factory=list)
    items_added: list[Item] = field(default_factory=list)
    items_removed: list[Item] = field(default_factory=list)
    items_repointed: list[Repointed] = field(default_factory=list)
    items_reworded: list[Reworded] = field(default_factory=list)
    requirements_changed: list[ItemRequirementChanges] = field(default_factory=list)
    rules_changed: list[RuleChanges] = field(default_factory=list)

    @property
    def has_differences(self) -> bool:
        return any(
            (
                self.standard_changes,
                self.categories_changed,
                self.items_added,
                self.items_removed,
                self.items_repointed,
                self.items_reworded,
                self.requirements_changed,
                self.rules_changed,
            )
        )


def compare(old: StandardDocument, new: StandardDocument) -> Comparison:
    old_items = {item.number: item for item in old.items}
    new_items = {item.number: item for item in new.items}
    kept = [(old_items[number], item) for number, item in new_items.items() if number in old_items]
    return Comparison(
        old=old,
        new=new,
        standard_changes=_standard_changes(old, new),
        categories_changed=_category_changes(old.categories, new.categories),
        items_added=[item for number, item in new_items.items() if number not in old_items],
        items_removed=[item for number, item in old_items.items() if number not in new_items],
        items_repointed=[
            Repointed(after.number, after.content, before.points, after.points)
            for before, after in kept
            if before.points != after.points
        ],
        items_reworded=[
            Reworded(after.number, before.content, after.content)
            for before, after in kept
            if before.content != after.content
        ],
        requirements_changed=[
            changes for before, after in kept if (changes := _requirement_changes(before, after, new.tiers))
        ],
        rules_changed=[rules for before, after in kept if (rules := _rule_changes(before, after))],
    )


def _standard_changes(old: StandardDocument, new: StandardDocument) -> list[Change]:
    pairs = [("title", old.title, new.title), ("total_points", str(old.total_points), str(new.total_points))]
    pairs += [(f"tiers.{tier}", old.tiers[tier], new.tiers[tier]) for tier in TIERS]
    return [Change(what, before, after) for what, before, after in pairs if before != after]


def _category_changes(old: list[Category], new: list[Category]) -> list[CategoryChange]:
    # A category added or removed outright shows through its items; here only the ones in both.
    old_by_number = {category.number: category for category in old}
    return [
        CategoryChange(category.number, before.title, category.title, before.points, category.points)
        for category in new
        if (before := old_by_number.get(category.number))
        and (before.title, before.points) != (category.title, category.points)
    ]


def _requirement_changes(old: Item, new: Item, headings: dict[str, str]) -> ItemRequirementChanges | None:
    changes = [
        change
        for tier in TIERS
        for change in _tier_changes(tier, headings[tier], old.requirements[tier], new.requirements[tier])
    ]
    return ItemRequirementChanges(new.number, new.content, changes) if changes else None


def _tier_changes(tier: str, heading: str, old: list[Requirement], new: list[Requirement]) -> list[RequirementChange]:
    old_texts = {requirement.number: requirement.text for requirement in old}
    new_texts = {requirement.number: requirement.text for requirement in new}
    changes = []
    for number in sorted(old_texts.keys() | new_texts.keys()):
        if number not in old_texts:
            changes.append(RequirementChange(tier, heading, number, "added", new_text=new_texts[number]))
        elif number not in new_texts:
            changes.append(RequirementChange(tier, heading, number, "removed", old_text=old_texts[number]))
        elif old_texts[number] != new_texts[number]:
            changes.append(RequirementChange(tier, heading, number, "changed", old_texts[number], new_texts[number]))
    return changes


def _rule_changes(old: Item, new: Item) -> RuleChanges | None:
    removed = [rule for rule in old.rules if rule not in new.rules]
    added = [rule for rule in new.rules if rule not in old.rules]
    return RuleChanges(new.number, new.content, removed, added) if removed or added else None
