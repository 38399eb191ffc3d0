"""The shipped standard against the seed document: structure, counts, rules and every text verbatim."""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from kaohe.standard.document import StandardDocument
from kaohe.standard.files import SHIPPED, read_standard_path

SEED = Path(__file__).resolve().parents[3].parent / "shared" / "seed" / "000_e71e5205d5790bfe.txt"


@pytest.fixture(scope="module")
def shipped() -> StandardDocument:
    return read_standard_path(SHIPPED / "fangshan-2026-trial.yaml")


@pytest.fixture(scope="module")
def seed_text() -> str:
    if not SEED.exists():
        if os.environ.get("CI"):
            pytest.fail(f"The seed document is missing at {SEED}")
        pytest.skip(f"The seed document is not beside this checkout ({SEED}).")
    return re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))


def test_it_is_the_fangshan_trial_standard(shipped):
    assert (shipped.slug, shipped.version) == ("fangshan-2026-trial", 1)
    assert shipped.title == "房山区总工会学习型工会创建工作评估考核标准及细则（试行）"
    assert shipped.tiers == {
        "district": "工作组（区总工会）",
        "secondary": "二级工会（乡镇街道、委局公司）",
        "direct": "区直属基层工作",
    }
    assert shipped.grassroots_column == "direct"


def test_eight_categories_worth_one_hundred_points(shipped):
    assert [int(category.points) for category in shipped.categories] == [4, 8, 5, 20, 10, 29, 4, 20]
    assert shipped.total_points == Decimal(100)
    assert [category.title for category in shipped.categories] == [
        "学习认识", "组织领导", "规划计划", "制度机制建设",
        "队伍建设", "丰富创建载体", "学习场所建设", "创建成效与特色创新",
    ]  # fmt: skip


def test_nineteen_items_and_category_eight_pooled(shipped):
    assert [item.number for item in shipped.items] == [
        "1.1", "2.1", "2.2", "3.1", "4.1", "4.2", "4.3", "4.4", "5.1",
        "6.1", "6.2", "6.3", "6.4", "7.1", "8.1", "8.2", "8.3", "8.4", "8.5",
    ]  # fmt: skip
    assert [category.pooled for category in shipped.categories] == [False] * 7 + [True]
    assert all(item.points is None for item in shipped.categories[7].items)
    assert {item.number: int(item.points) for item in shipped.items if item.points} == {
        "1.1": 4, "2.1": 4, "2.2": 4, "3.1": 5, "4.1": 5, "4.2": 5, "4.3": 5, "4.4": 5,
        "5.1": 10, "6.1": 15, "6.2": 5, "6.3": 5, "6.4": 4, "7.1": 4,
    }  # fmt: skip


def test_requirements_per_tier_as_counted_in_the_document(shipped):
    counts = {tier: shipped.requirement_count(tier) for tier in ("district", "secondary", "direct")}

    assert counts == {"district": 38, "secondary": 47, "direct": 27}


def test_the_direct_column_of_6_1_keeps_its_printed_numbers(shipped):
    item = next(item for item in shipped.items if item.number == "6.1")

    assert [requirement.number for requirement in item.requirements["direct"]] == [1, 4]


def rules_of(document: StandardDocument) -> set[tuple[str, str, str, str | None, float | None, str]]:
    return {
        (
            item.number,
            rule.indicator,
            rule.tier,
            rule.target.kind if rule.target else None,
            float(rule.target.value) if rule.target else None,
            rule.target.of if rule.target else "",
        )
        for item in document.items
        for rule in item.rules
    }


def test_every_rule_of_the_reading_with_its_target(shipped):
    honours = {
        ("8.4", f"honours_{level}", tier, None, None, "")
        for level in ("district", "municipal", "national")
        for tier in ("district", "secondary", "direct")
    }
    funds = {("4.3", "education_funds", tier, None, None, "") for tier in ("district", "secondary", "direct")}

    assert rules_of(shipped) == {
        ("1.1", "training_count", "district", "constant", 2, ""),
        ("2.2", "leading_group_meetings", "district", "constant", 2, ""),
        ("2.2", "office_meetings", "secondary", None, None, ""),
        ("2.2", "office_meetings", "direct", None, None, ""),
        ("6.1", "lecture_count", "district", "constant", 2000, ""),
        ("6.1", "lecture_count", "secondary", "multiple", 3, "grassroots_units"),
        ("6.1", "lecture_participation_rate", "secondary", "share", 0.8, "members"),
        ("6.1", "lecture_count", "direct", "constant", 5, ""),
        ("6.1", "lecture_participation_rate", "direct", "share", 0.8, "members"),
        ("6.4", "exchange_meetings", "district", "constant", 1, ""),
        *funds,
        *honours,
    }
    assert all(rule.comparison == ("gte" if rule.target else None) for item in shipped.items for rule in item.rules)


def test_every_item_text_is_found_verbatim_in_the_seed(shipped, seed_text):
    missing = [item.number for item in shipped.items if re.sub(r"\s+", "", item.content) not in seed_text]

    assert missing == []


def test_every_requirement_text_is_found_verbatim_in_the_seed(shipped, seed_text):
    missing = [
        (item.number, tier, requirement.number)
        for item in shipped.items
        for tier, requirements in item.requirements.items()
        for requirement in requirements
        if re.sub(r"\s+", "", requirement.text) not in seed_text
    ]

    assert missing == []


def test_the_documents_typos_are_kept(shipped, seed_text):
    texts = "".join(r.text for item in shipped.items for rs in item.requirements.values() for r in rs)

    for typo in ("信息报送制制", "充分本系统内资源", "表现突出的或会员"):
        assert typo in seed_text
        assert typo in texts
