"""Every kind of target the standard's loader accepts, computed for a unit and explained in words.

A federation may write its own standard: a constant, a multiple of grassroots units or of members, a share
of either. Each is computed here on 城关街道总工会 (YX-S1: 2 grassroots unions, 230 members in its system)
and 城关社区工会 (YX-S1-G1: 120 members), at its boundary.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from kaohe.figures.compute import compute_figures
from kaohe.figures.tests.test_compute import add_activities
from kaohe.records.models import ActivityCategory, EducationFund
from kaohe.standard.document import StandardInvalid, parse_standard, to_data
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.indicators import Measure
from kaohe.standard.targets import basis_in_words

pytestmark = pytest.mark.django_db

LECTURE = ActivityCategory.LECTURE
SHIPPED_DATA = to_data(read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))


def standard_with(rules: list[dict[str, Any]]):
    """The shipped standard with item 6.1's rules replaced by these."""
    data = copy.deepcopy(SHIPPED_DATA)
    item = next(item for category in data["categories"] for item in category["items"] if item["number"] == "6.1")
    item["rules"] = rules
    return parse_standard(data)


def rule(indicator: str, target: dict[str, Any], tier: str = "secondary") -> dict[str, Any]:
    return {"indicator": indicator, "tier": tier, "comparison": "gte", "target": target}


def computed(unit, document, key: str):
    [found] = [f for f in compute_figures([unit], 2026, document)[unit.pk] if f.key == key and f.item == "6.1"]
    return found


def test_a_multiple_of_grassroots_units(tree):
    document = standard_with([rule("lecture_count", {"kind": "multiple", "factor": 3, "of": "grassroots_units"})])
    add_activities(tree["YX-S1-G1"], LECTURE, 5)

    below = computed(tree["YX-S1"], document, "lecture_count")
    assert (below.value, below.target, below.met) == (5, 6, False)
    add_activities(tree["YX-S1-G2"], LECTURE, 1)
    assert computed(tree["YX-S1"], document, "lecture_count").met is True


def test_a_multiple_of_members_is_taken_of_the_members_not_the_grassroots_units(tree):
    # 0.02 × 230 members = 4.6 lectures: 4 is not enough, 5 is.
    document = standard_with([rule("lecture_count", {"kind": "multiple", "factor": 0.02, "of": "members"})])
    add_activities(tree["YX-S1-G1"], LECTURE, 4)

    below = computed(tree["YX-S1"], document, "lecture_count")
    assert (below.value, below.target, below.met) == (4, Decimal("4.6"), False)
    add_activities(tree["YX-S1"], LECTURE, 1)
    assert computed(tree["YX-S1"], document, "lecture_count").met is True


def test_a_share_of_grassroots_units(tree):
    # Half of 2 grassroots unions: one honour is enough.
    document = standard_with([rule("honours_district", {"kind": "share", "ratio": 0.5, "of": "grassroots_units"})])
    assert computed(tree["YX-S1"], document, "honours_district").met is False

    from kaohe.records.models import Honour, HonourLevel

    Honour.objects.create(organisation=tree["YX-S1-G2"], level=HonourLevel.DISTRICT, title="先进", date="2026-05-01")
    found = computed(tree["YX-S1"], document, "honours_district")
    assert (found.value, found.target, found.met) == (1, 1, True)


def test_a_share_of_members_on_a_count(tree):
    # 10 % of 230 members = 23 lectures.
    document = standard_with([rule("lecture_count", {"kind": "share", "ratio": 0.1, "of": "members"})])
    add_activities(tree["YX-S1-G1"], LECTURE, 22)

    below = computed(tree["YX-S1"], document, "lecture_count")
    assert (below.target, below.met) == (23, False)
    add_activities(tree["YX-S1-G1"], LECTURE, 1)
    assert computed(tree["YX-S1"], document, "lecture_count").met is True


def test_a_share_of_members_on_the_participation_rate(tree):
    document = standard_with([rule("lecture_participation_rate", {"kind": "share", "ratio": 0.8, "of": "members"})])
    add_activities(tree["YX-S1-G1"], LECTURE, 3, participants=183)  # 183 of 230 is 79.6 %

    below = computed(tree["YX-S1"], document, "lecture_participation_rate")
    assert (below.target, below.met) == (Decimal("0.8"), False)
    add_activities(tree["YX-S1-G1"], LECTURE, 1, participants=1)
    assert computed(tree["YX-S1"], document, "lecture_participation_rate").met is True


def test_a_constant_on_an_amount(tree):
    document = standard_with([rule("education_funds", {"kind": "constant", "value": 10000})])
    EducationFund.objects.create(organisation=tree["YX-S1-G1"], amount="9999.99", date="2026-04-01", purpose="培训")

    assert computed(tree["YX-S1"], document, "education_funds").met is False
    EducationFund.objects.create(organisation=tree["YX-S1"], amount="0.01", date="2026-04-01", purpose="培训")
    found = computed(tree["YX-S1"], document, "education_funds")
    assert (found.value, found.target, found.met) == (Decimal("10000.00"), 10000, True)


def test_a_target_of_zero_grassroots_units_is_reached_by_nothing(tree):
    # 区教委工会 YX-S2 has one grassroots union; a direct unit has none, so 3 × 0 = 0 is met at once.
    document = standard_with(
        [rule("lecture_count", {"kind": "multiple", "factor": 3, "of": "grassroots_units"}, tier="direct")]
    )
    found = computed(tree["YX-D1"], document, "lecture_count")
    assert (found.value, found.target, found.met) == (0, 0, True)


@pytest.mark.parametrize(
    "target",
    [
        {"kind": "multiple", "factor": 2, "of": "members"},
        {"kind": "share", "ratio": 0.8, "of": "grassroots_units"},
        {"kind": "constant", "value": 1},
    ],
)
def test_the_loader_refuses_a_rate_target_that_is_not_a_share_of_members(target):
    with pytest.raises(StandardInvalid) as refused:
        standard_with([rule("lecture_participation_rate", target)])

    assert "categories[5].items[0].rules[0].target" in str(refused.value)


def test_each_computed_target_says_how_it_was_reached():
    from kaohe.standard.document import Target

    bases = {"grassroots_units": 12, "members": 230}
    with translation.override("zh-hans"):
        lectures = basis_in_words(Target("multiple", Decimal(3), "grassroots_units"), Measure.COUNT, bases)
        rate = basis_in_words(Target("share", Decimal("0.8"), "members"), Measure.RATE, bases)
        per_member = basis_in_words(Target("multiple", Decimal("0.02"), "members"), Measure.COUNT, bases)
        constant = basis_in_words(Target("constant", Decimal(5)), Measure.COUNT, bases)

    assert lectures == "36 = 3 × 12 个基层工会"
    assert rate == "230 名会员的 80% = 184 人次"
    assert per_member == "4.6 = 0.02 × 230 名会员"
    assert constant == ""
