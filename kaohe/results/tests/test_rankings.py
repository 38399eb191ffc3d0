"""Totals, grades and ranks of a published cycle, as READING.md defines them, and `kaohe results --json`."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all
from kaohe.conftest import make_unit, make_user
from kaohe.organisations.models import Category
from kaohe.results.rankings import category_subtotals, competition_ranks, cycle_results
from kaohe.results.tests.conftest import TOTALS, publish_past_year


def by_code(results):
    return {result.code: result for result in results}


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_ties_share_a_rank_and_the_next_skips():
    assert competition_ranks([Decimal(100), Decimal(95), Decimal(95), Decimal(90)]) == [1, 2, 2, 4]
    assert competition_ranks([]) == []


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", "优秀"),
        ("90", "优秀"),
        ("89.5", "良好"),
        ("80", "良好"),
        ("79.5", "合格"),
        ("60", "合格"),
        ("59.5", "不合格"),
        ("0", "不合格"),
    ],
)
def test_grades_at_each_bands_edge(publish, total, grade):
    cycle = publish(2025, {"YX-D1": total})

    [result] = cycle_results(cycle)

    assert result.total == Decimal(total)
    assert result.grade == grade


def test_each_group_is_ranked_on_its_own(publish):
    results = by_code(cycle_results(publish(2025, TOTALS)))

    assert (results["YX-S1"].rank, results["YX-S2"].rank) == (1, 2)  # secondary unions among themselves
    assert results["YX-D1"].rank == 1  # the only direct union
    assert results["YX-D1"].group_size == 1
    # grassroots: within their secondary union's system …
    assert (results["YX-S1-G1"].system, results["YX-S1-G1"].rank) == ("YX-S1", 1)
    assert (results["YX-S1-G2"].system, results["YX-S1-G2"].rank) == ("YX-S1", 1)  # tied with G1
    assert (results["YX-S2-G1"].system, results["YX-S2-G1"].rank) == ("YX-S2", 1)
    # … and across the district: 95 first, the two 80s both second
    assert [results[code].district_rank for code in ("YX-S2-G1", "YX-S1-G1", "YX-S1-G2")] == [1, 2, 2]
    assert results["YX"].rank == 1  # the district among the districts under the same root


def test_the_districts_are_ranked_among_themselves(publish, district_admin, tree, standard):
    yunxi = publish(2025, {"YX": "88"})
    linqu = publish_past_year(district_admin, tree["LQ"], 2025, standard, {"LQ": "92.5"})

    assert (by_code(cycle_results(linqu))["LQ"].rank, by_code(cycle_results(yunxi))["YX"].rank) == (1, 2)
    assert by_code(cycle_results(yunxi))["YX"].group_size == 2


def test_category_subtotals_add_up_to_the_total_with_category_8_pooled(publish, standard):
    cycle = publish(2025, {"YX-D1": "79.5"})
    [result] = cycle_results(cycle)

    subtotals = category_subtotals(cycle)[result.assessment_id]

    assert list(subtotals) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert sum(subtotals.values()) == Decimal("79.5")
    assert subtotals["8"] == 0  # filled in order: 79.5 is spent before category 8 (20 points)
    full = category_subtotals(publish(2024, {"YX-D1": "100"}))
    assert next(iter(full.values()))["8"] == 20


def test_change_against_the_previous_cycle_and_a_unit_new_this_year(publish, tree):
    publish(2024, {"YX-S1": "80", "YX-S2": "85"})
    make_unit("YX-S3", "新成立街道总工会", Category.TOWNSHIP, tree["YX"], 10)  # did not exist last year
    results = by_code(cycle_results(publish(2025, {"YX-S1": "90", "YX-S2": "85", "YX-S3": "70"})))

    assert results["YX-S1"].change == Decimal(10)
    assert (results["YX-S1"].previous_rank, results["YX-S1"].rank, results["YX-S1"].rank_change) == (2, 1, 1)
    assert results["YX-S2"].change == 0
    assert results["YX-S2"].rank_change == -1
    assert results["YX-S3"].previous_total is None
    assert results["YX-S3"].change is None
    assert results["YX-S3"].rank_change is None


def test_a_unit_without_a_previous_cycle_has_no_change(publish):
    [result] = cycle_results(publish(2025, {"YX-D1": "70"}))

    assert (result.previous_total, result.change, result.rank_change) == (None, None, None)


def test_bands_changed_for_one_cycle_grade_by_that_cycles_bands(tree, standard, district_admin, assessor):
    cycle = actions.open_cycle(
        district_admin,
        tree["YX"],
        2026,
        standard,
        self_deadline=datetime.date(2026, 11, 30),
        bands=[["甲", 95], ["乙", 85], ["丙", 0]],
    )
    cycle.assessments.exclude(organisation__code="YX-D1").delete()  # one unit is enough here
    cadre = make_user("d1", Role.CADRE, tree["YX-D1"])
    fill_in(cadre, assessment_of(cycle, "YX-D1"))  # full points: 100
    actions.submit_self_assessment(cadre, assessment_of(cycle, "YX-D1"))
    review_all(assessor, assessment_of(cycle, "YX-D1"), score=Decimal("4"))  # 4 on each of the 15 items: 60
    actions.publish_cycle(district_admin, cycle)

    [result] = cycle_results(cycle)

    assert result.total == 60
    assert result.grade == "丙"  # 合格 by READING.md's default bands; this cycle's say 丙


# kaohe results --------------------------------------------------------------------------------------------


def test_the_command_prints_each_units_total_grade_rank_and_categories(publish):
    publish(2025, TOTALS)

    rows = json.loads(run("results", "--year", "2025", "--district", "YX", "--json"))

    by_org = {row["org"]: row for row in rows}
    assert set(by_org) == set(TOTALS)
    assert by_org["YX-S2"] == {
        "org": "YX-S2",
        "tier": "secondary",
        "total": 89.5,
        "grade": "良好",
        "rank": 2,
        "categories": by_org["YX-S2"]["categories"],
    }
    assert sum(by_org["YX-S2"]["categories"].values()) == 89.5
    assert list(by_org["YX-S2"]["categories"]) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert by_org["YX-S1-G2"]["rank"] == 1  # within its system, tied
    assert by_org["YX-S1-G1"]["total"] == 80  # a whole number prints as one


def test_the_command_refuses_a_cycle_not_yet_published(tree, standard, district_admin):
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)

    with pytest.raises(CommandError, match="2026"):
        run("results", "--year", "2026", "--district", "YX", "--json")


def test_the_command_refuses_a_year_without_a_cycle(tree):
    with pytest.raises(CommandError):
        run("results", "--year", "2019", "--district", "YX")
