"""compare(): what an assessor needs to know before moving to a revised standard, item by item."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kaohe.standard.diff import CategoryChange, Change, Repointed, RequirementChange, Reworded, compare
from kaohe.standard.document import Rule, StandardDocument, Target, parse_standard, to_data
from kaohe.standard.files import SHIPPED, read_standard_path


@pytest.fixture(scope="module")
def shipped() -> StandardDocument:
    return read_standard_path(SHIPPED / "fangshan-2026-trial.yaml")


@pytest.fixture
def data(shipped) -> dict[str, Any]:
    """The shipped standard as its mapping, renumbered as version 2, for a test to revise."""
    mapping = to_data(shipped)
    mapping["version"] = 2
    return mapping


def item(data: dict[str, Any], number: str) -> dict[str, Any]:
    return next(entry for category in data["categories"] for entry in category["items"] if entry["number"] == number)


def test_a_version_compared_with_itself_has_no_differences(shipped):
    comparison = compare(shipped, shipped)

    assert not comparison.has_differences


def test_only_the_version_number_changed_is_no_difference(shipped, data):
    assert not compare(shipped, parse_standard(data)).has_differences


def test_points_moved_between_two_items_of_a_category(shipped, data):
    item(data, "4.1")["points"] = 6
    item(data, "4.2")["points"] = 4

    comparison = compare(shipped, parse_standard(data))

    assert comparison.items_repointed == [
        Repointed("4.1", "出台系列创建相关政策文件等。建立并完善各种学习和教育培训制度。", Decimal(5), Decimal(6)),
        Repointed("4.2", "建立二级创建考核机制。", Decimal(5), Decimal(4)),
    ]
    assert comparison.categories_changed == []


def test_an_item_replaced_by_another_shows_as_removed_and_added(shipped, data):
    category = data["categories"][3]
    removed = category["items"].pop()  # 4.4, 5 points
    category["items"].append({**removed, "number": "4.5", "content": "建立创建工作激励机制。"})

    comparison = compare(shipped, parse_standard(data))

    assert [entry.number for entry in comparison.items_removed] == ["4.4"]
    assert [entry.number for entry in comparison.items_added] == ["4.5"]
    assert comparison.items_added[0].content == "建立创建工作激励机制。"
    assert comparison.items_repointed == comparison.requirements_changed == []


def test_requirements_are_matched_by_their_printed_number_within_a_tier(shipped, data):
    direct = item(data, "6.1")["requirements"]["direct"]  # printed 1 and 4
    direct[1]["text"] = "汇总工会年度职工素质教育大讲堂活动开展情况，活动次数不低于6次。"
    direct.append({"number": 5, "text": "向区总工会报送活动照片。"})
    item(data, "6.1")["requirements"]["district"].pop(0)  # requirement 1 of the district column

    comparison = compare(shipped, parse_standard(data))

    [changed] = comparison.requirements_changed
    assert changed.number == "6.1"
    assert changed.changes == [
        RequirementChange(
            "district", "工作组（区总工会）", 1, "removed", old_text="出台关于工会会员教育培训意见等相关文件。"
        ),
        RequirementChange(
            "direct",
            "区直属基层工作",
            4,
            "changed",
            "汇总工会年度职工素质教育大讲堂活动开展情况，职工素质教育大讲堂活动次数不低于5次。参培人数不低于工会会员总数的80%。",
            "汇总工会年度职工素质教育大讲堂活动开展情况，活动次数不低于6次。",
        ),
        RequirementChange("direct", "区直属基层工作", 5, "added", new_text="向区总工会报送活动照片。"),
    ]


def test_a_requirement_renumbered_reads_as_one_removed_and_one_added(shipped, data):
    item(data, "1.1")["requirements"]["direct"][0]["number"] = 2

    [changed] = compare(shipped, parse_standard(data)).requirements_changed

    assert [(change.number, change.kind) for change in changed.changes] == [(1, "removed"), (2, "added")]


def test_a_category_renamed_and_points_moved_between_categories(shipped, data):
    data["categories"][0]["title"] = "学习认识与培训"
    data["categories"][0]["points"] = 5
    item(data, "1.1")["points"] = 5
    data["categories"][7]["points"] = 19  # pooled: the category holds the points

    comparison = compare(shipped, parse_standard(data))

    assert comparison.categories_changed == [
        CategoryChange(1, "学习认识", "学习认识与培训", Decimal(4), Decimal(5)),
        CategoryChange(8, "创建成效与特色创新", "创建成效与特色创新", Decimal(20), Decimal(19)),
    ]
    assert comparison.categories_changed[1].points_changed
    assert not comparison.categories_changed[1].title_changed
    assert [change.number for change in comparison.items_repointed] == ["1.1"]


def test_reworded_content_headings_and_rules_are_differences_too(shipped, data):
    item(data, "7.1")["content"] = "建设工会会员学习活动站，有必要的教学设备。"
    data["tiers"]["direct"] = "区直属基层工会"
    item(data, "1.1")["rules"][0]["target"]["value"] = 3

    comparison = compare(shipped, parse_standard(data))

    assert comparison.items_reworded == [
        Reworded(
            "7.1",
            "建设工会会员学习活动站（或活动室），有必要的教学设备。",
            "建设工会会员学习活动站，有必要的教学设备。",
        )
    ]
    assert comparison.standard_changes == [Change("tiers.direct", "区直属基层工作", "区直属基层工会")]
    [rules] = comparison.rules_changed
    assert rules.number == "1.1"
    assert rules.removed == [Rule("training_count", "district", "gte", Target("constant", Decimal(2)))]
    assert rules.added == [Rule("training_count", "district", "gte", Target("constant", Decimal(3)))]
    assert comparison.has_differences
