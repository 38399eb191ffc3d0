"""The dashboards: the district's for its staff, a secondary union's system for its cadres, a unit's own
results across cycles; every table exports to xlsx; their query count does not grow with the units."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.conftest import make_unit
from kaohe.organisations.models import Category
from kaohe.results.tests.conftest import TOTALS
from kaohe.results.tests.test_pages import get
from kaohe.tests.pins import pins


@pytest.fixture
def two_years(publish):
    publish(2024, {code: "70" for code in TOTALS})
    return publish(2025, TOTALS)


def tables(response) -> dict[str, list[list]]:
    return {table.name: table.rows for table, _chart in response.context["tables"]}


def test_the_district_dashboard_tallies_the_published_cycle(client, district_admin, two_years):
    response = get(client, district_admin, "/results/dashboard/")

    assert response.status_code == 200
    found = tables(response)
    # 88, 90, 89.5, 79.5, 80, 80, 95
    assert found["distribution"] == [["< 60", 0], ["60–69.5", 0], ["70–79.5", 1], ["80–89.5", 4], ["90–100", 2]]
    grades = {row[0]: row[1:] for row in found["grades"]}
    assert grades["基层工会"] == [1, 2, 0, 0]  # 优秀 95; 良好 80, 80
    assert grades["二级工会"] == [1, 1, 0, 0]  # 90 优秀, 89.5 良好
    assert found["years"] == [
        [2024, Decimal("70.0"), 0, 0, 7, 0],
        [2025, Decimal("86.0"), 2, 4, 1, 0],
    ]  # 90, 95; 88, 89.5, 80, 80; 79.5
    categories = found["categories"]
    assert len(categories) == 8
    assert sum(row[2] for row in categories) == Decimal("86.0")  # the average total, by category
    assert all(row[1] is None for row in categories)  # a past year from a file has no self-scores
    page = response.content.decode()
    assert page.count('class="kaohe-chart') == len([rows for rows in found.values() if rows])  # a chart per table
    assert "vendor/echarts/echarts.min.js" in page


def test_the_open_cycle_shows_its_progress_and_its_rules(client, district_admin, tree, standard, two_years):
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)

    found = tables(get(client, district_admin, "/results/dashboard/"))

    progress = {row[0]: row[1:] for row in found["progress"]}
    assert progress["基层工会"][0] == 3  # all three not started
    assert "rules" in found
    assert all(met + not_met > 0 for _rule, met, not_met in found["rules"])


def test_a_secondary_cadre_sees_its_own_system(client, secondary_cadre, two_years):
    found = tables(get(client, secondary_cadre, "/results/dashboard/"))

    assert sum(count for _band, count in found["distribution"]) == 3  # 城关街道 and its two grassroots unions
    assert found["years"][-1][1] == Decimal("83.3")  # (90 + 80 + 80) / 3


def test_a_grassroots_cadre_lands_on_its_own_results(client, grassroots_cadre, two_years):
    response = get(client, grassroots_cadre, "/results/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/results/unit/YX-S1-G1/"

    found = tables(client.get("/results/unit/YX-S1-G1/"))

    assert [row[:2] for row in found["unit"]] == [[2024, Decimal(70)], [2025, Decimal(80)]]
    lost = found["lost"]
    assert sum(row[1] for row in lost) == Decimal(20)  # 100 less its 80
    assert lost == sorted(lost, key=lambda row: -row[1])


def test_outside_ones_subtree_a_units_results_do_not_exist(client, grassroots_cadre, outsider, two_years):
    assert get(client, grassroots_cadre, "/results/unit/YX-S1-G2/").status_code == 404
    assert get(client, outsider, "/results/unit/YX-S1-G1/").status_code == 404
    assert get(client, outsider, "/results/unit/YX-S1-G1/export.xlsx", table="unit").status_code == 404


def test_every_table_exports_to_xlsx(client, district_admin, two_years):
    response = get(client, district_admin, "/results/dashboard/export.xlsx", table="distribution", year="2025")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[-1] == ("90–100", 2)
    assert get(client, district_admin, "/results/dashboard/export.xlsx", table="nonsense").status_code == 404


@pytest.mark.parametrize("query", [{"year": "abc"}, {"year": "99999999999"}, {"year": "1999"}])
def test_bad_input_falls_back_to_the_latest_cycle(client, district_admin, two_years, query):
    response = get(client, district_admin, "/results/dashboard/", **query)

    assert response.status_code == 200
    assert response.context["chosen"].year == 2025


def test_with_nothing_published_the_dashboard_says_so(client, district_admin, tree):
    response = get(client, district_admin, "/results/dashboard/")

    assert response.status_code == 200
    assert 'id="dashboard-empty"' in response.content.decode()


@pins("results:dashboard", "results:dashboard_export", "results:unit", "results:unit_export")
def test_the_dashboards_cost_the_same_queries_however_many_units(
    client, district_admin, tree, standard, two_years, django_assert_num_queries
):
    from kaohe.results.tests.conftest import publish_past_year

    actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    client.force_login(district_admin)
    urls = [
        "/results/dashboard/",
        "/results/dashboard/export.xlsx?table=grades",
        "/results/unit/YX-S1-G1/",
        "/results/unit/YX-S1-G1/export.xlsx?table=unit",
    ]
    counts = {}
    for url in urls:
        with CaptureQueriesContext(connection) as run:
            assert client.get(url).status_code == 200
        counts[url] = len(run)
    for number in range(20):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    publish_past_year(district_admin, tree["YX"], 2023, standard, {f"YX-S1-Z{n}": "66" for n in range(20)})
    for url in urls:
        with django_assert_num_queries(counts[url]):
            client.get(url)


def test_rules_met_count_each_tier_against_its_own_column(client, district_admin, tree, standard, two_years):
    from kaohe.assessments.models import Item, rule_states_of

    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)  # no records: nothing met yet
    item = Item.objects.get(assessment__cycle=cycle, assessment__organisation__code="YX-S1-G1", number="6.1")
    item.figures = [{**figure, "met": True} for figure in item.figures]  # as if its lectures had come in
    item.rule_states = rule_states_of(item.figures)  # as the actions write them together
    item.save()

    rules = {row[0]: row[1:] for row in tables(get(client, district_admin, "/results/dashboard/"))["rules"]}

    # Grassroots unions are assessed against the direct unions' column: its rules, counted for their tier.
    assert rules["基层工会 · 大讲堂活动次数"] == [1, 2]
    assert rules["区直属基层工会 · 大讲堂活动次数"] == [0, 1]
    assert rules["二级工会 · 大讲堂活动次数"] == [0, 2]


def test_the_published_tables_are_cached_until_something_is_published_again(
    client, district_admin, tree, standard, two_years, settings
):
    from kaohe.results.tests.conftest import publish_past_year

    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "dash"}}
    client.force_login(district_admin)
    with CaptureQueriesContext(connection) as first:
        client.get("/results/dashboard/")
    with CaptureQueriesContext(connection) as again:
        response = client.get("/results/dashboard/")
    assert len(again) < len(first)
    assert tables(response)["distribution"][-1] == ["90–100", 2]

    make_unit("YX-S9", "新街道总工会", Category.TOWNSHIP, tree["YX"], 10)
    publish_past_year(district_admin, tree["YX"], 2023, standard, {"YX-S9": "99"})  # something newly published

    assert tables(client.get("/results/dashboard/"))["years"][0][0] == 2023  # worked out again
