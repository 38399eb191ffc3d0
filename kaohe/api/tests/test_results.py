"""Results through the API, as the personas read them: the published cycles, the rankings per group (only
one's own subtree listed, ranked in the whole group), a unit's score sheet (final scores once published),
and the dashboards' tables. Each answer is held against the page's context, or the totals the test chose
(kaohe/results/tests/conftest.py: TOTALS)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kaohe.assessments import actions
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all
from kaohe.conftest import make_unit
from kaohe.organisations.models import Category
from kaohe.results.tests.conftest import TOTALS, publish_past_year
from kaohe.tests.pins import pins


@pytest.fixture
def published(district_admin, tree, standard):
    """2024 (two secondary unions) and 2025 (every unit of 云溪区, TOTALS) published."""
    publish_past_year(district_admin, tree["YX"], 2024, standard, {"YX-S1": "70", "YX-S2": "89.5"})
    return publish_past_year(district_admin, tree["YX"], 2025, standard, TOTALS)


def page_context(user: Any, address: str, **query: Any) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get(address, query)
    assert response.status_code == 200
    return response.context


def ranking(api: Any, persona: str, year: int = 2025, **query: Any) -> Any:
    response = api[persona].get(f"/api/results/{year}/ranking/", query)
    assert response.status_code == 200, response.json()
    return response.json()


def ranks(body: dict[str, Any]) -> dict[str, int]:
    return {row["code"]: row["rank"] for row in body["results"]}


def fields_at_fault(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


# The published cycles -----------------------------------------------------------------------------------


def test_the_published_cycles_are_listed_latest_first(api, grassroots_cadre, published):
    body = api["grassroots_cadre"].get("/api/results/").json()

    assert [cycle["year"] for cycle in body["results"]] == [2025, 2024]
    assert body["count"] == 2
    assert body["results"][0]["name"] == published.name
    assert body["results"][0]["imported"] is True
    page = page_context(grassroots_cadre, "/results/")
    assert [cycle["year"] for cycle in body["results"]] == [cycle.year for cycle in page["cycles"]]


def test_a_cycle_not_yet_published_and_another_districts_are_not_listed(api, cycle, published):
    assert [c["year"] for c in api["district_admin"].get("/api/results/").json()["results"]] == [2025, 2024]
    assert api["outsider"].get("/api/results/").json()["results"] == []


def test_no_key_is_a_401(anonymous, published):
    for address in ("/api/results/", "/api/results/2025/ranking/", "/api/results/2025/YX-S1/"):
        assert anonymous.get(address).status_code == 401
    assert anonymous.get("/api/results/dashboard/").status_code == 401
    assert anonymous.get("/api/results/units/YX-S1/").status_code == 401


@pytest.mark.parametrize(("query", "field"), [({"page_size": "0"}, "page_size"), ({"page": "abc"}, "page")])
def test_bad_paging_of_the_cycles_is_a_400(api, published, query, field):
    response = api["district_admin"].get("/api/results/", query)

    assert response.status_code == 400
    assert fields_at_fault(response) == [field]


@pins("api:results")
def test_the_cycles_cost_the_same_queries_however_many(api, district_admin, tree, standard, django_assert_num_queries):
    client = api["district_admin"]
    publish_past_year(district_admin, tree["YX"], 2024, standard, {"YX": "80"})
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/results/").status_code == 200
    for year in (2021, 2022, 2023):
        publish_past_year(district_admin, tree["YX"], year, standard, {"YX": "80"})

    # the key with its person and unit, and its count of requests; the published cycles
    with django_assert_num_queries(3):
        assert client.get("/api/results/").json()["count"] == 4
    assert len(one) == 3


# The ranking --------------------------------------------------------------------------------------------


def test_an_admin_sees_every_secondary_union_ranked_with_the_change(api, district_admin, published):
    body = ranking(api, "district_admin", group="secondary")

    assert ranks(body) == {"YX-S1": 1, "YX-S2": 2}
    rows = {row["code"]: row for row in body["results"]}
    assert (rows["YX-S1"]["total"], rows["YX-S1"]["grade"]) == (90, "优秀")
    assert (rows["YX-S1"]["previous_total"], rows["YX-S1"]["change"], rows["YX-S1"]["rank_change"]) == (70, 20, 1)
    assert sum(rows["YX-S2"]["subtotals"].values()) == 89.5
    assert body["categories"] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert (body["published"], body["previous_year"], body["group"]) == (True, 2024, "secondary")
    page = page_context(district_admin, "/results/2025/", group="secondary")
    assert [(row["code"], row["rank"]) for row in body["results"]] == [(r.result.code, r.rank) for r in page["rows"]]
    assert [list(row["subtotals"].values()) for row in body["results"]] == [
        [float(value) if value % 1 else int(value) for value in r.categories] for r in page["rows"]
    ]


def test_grassroots_unions_rank_within_their_system_and_across_the_district(api, published):
    within = ranking(api, "district_admin", group="grassroots")
    across = ranking(api, "district_admin", group="grassroots_district")
    one_system = ranking(api, "district_admin", group="grassroots", system="YX-S1")

    assert ranks(within) == {"YX-S1-G1": 1, "YX-S1-G2": 1, "YX-S2-G1": 1}
    assert ranks(across) == {"YX-S2-G1": 1, "YX-S1-G1": 2, "YX-S1-G2": 2}
    assert ranks(one_system) == {"YX-S1-G1": 1, "YX-S1-G2": 1}
    assert one_system["system"] == "YX-S1"
    assert [system["code"] for system in within["systems"]] == ["YX-S1", "YX-S2"]
    assert within["results"][0]["system"] == "YX-S1"


def test_a_secondary_cadre_sees_its_place_but_not_the_other_secondary_unions(api, published):
    secondary = ranking(api, "secondary_cadre", group="secondary")
    own_system = ranking(api, "secondary_cadre")  # its system's grassroots unions by default

    assert ranks(secondary) == {"YX-S1": 1}
    assert "区教委工会" not in str(secondary)
    assert own_system["group"] == "grassroots"
    assert ranks(own_system) == {"YX-S1-G1": 1, "YX-S1-G2": 1}


def test_a_grassroots_cadre_sees_its_own_rank_across_the_district(api, grassroots_cadre, published):
    body = ranking(api, "grassroots_cadre", group="grassroots_district")

    assert ranks(body) == {"YX-S1-G1": 2}  # tied with 城关小学工会, after 云溪中学工会: neither is named
    assert "城关小学工会" not in str(body)
    page = page_context(grassroots_cadre, "/results/2025/", group="grassroots_district")
    assert ranks(body) == {row.result.code: row.rank for row in page["rows"]}


def test_the_ranking_pages(api, published):
    first = ranking(api, "district_admin", group="grassroots_district", page_size=2)
    second = ranking(api, "district_admin", group="grassroots_district", page_size=2, page=2)

    assert (first["count"], list(ranks(first))) == (3, ["YX-S2-G1", "YX-S1-G1"])
    assert (list(ranks(second)), second["next"]) == (["YX-S1-G2"], None)


def test_a_cycle_not_yet_published_ranks_nothing_as_the_page_says(api, district_admin, cycle):
    body = ranking(api, "district_admin", year=2026)

    assert (body["published"], body["results"], body["count"]) == (False, [], 0)
    assert (body["year"], body["name"]) == (2026, cycle.name)
    assert "rows" not in page_context(district_admin, "/results/2026/")  # the page: "not published"


def test_another_districts_cycle_and_an_absent_year_do_not_exist(api, published):
    assert api["outsider"].get("/api/results/2025/ranking/").status_code == 404
    assert api["district_admin"].get("/api/results/2019/ranking/").status_code == 404
    assert api["district_admin"].get(f"/api/results/{10**12}/ranking/").status_code == 404
    assert api["district_admin"].get(f"/api/results/{10**30}/ranking/").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"group": "nonsense"}, "group"),
        ({"page": "-3"}, "page"),
        ({"page": "x" * 500}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"group": "grassroots", "system": "\x00"}, "system"),
    ],
)
def test_bad_input_in_the_query_is_a_400_naming_it(api, published, query, field):
    response = api["district_admin"].get("/api/results/2025/ranking/", query)

    assert response.status_code == 400
    assert field in fields_at_fault(response)


def test_an_unknown_system_lists_no_unit_as_the_page(api, published):
    assert ranking(api, "district_admin", group="grassroots", system="NO-SUCH")["results"] == []


def grow(tree: dict[str, Any], count: int) -> None:
    for number in range(count):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)


@pins("api:ranking", "api:score_sheet")
def test_the_ranking_and_a_sheet_cost_the_same_queries_however_many_units(
    api, district_admin, tree, standard, django_assert_num_queries
):
    small = {code: "80" for code in TOTALS}
    publish_past_year(district_admin, tree["YX"], 2024, standard, small)  # each year measured has one before it
    publish_past_year(district_admin, tree["YX"], 2025, standard, small)
    client = api["district_admin"]
    addresses = ("/api/results/2025/ranking/?group=grassroots&page_size=500", "/api/results/2025/YX-S1-G1/")
    counts = {}
    for address in addresses:
        with CaptureQueriesContext(connection) as small_run:
            assert client.get(address).status_code == 200
        counts[address] = len(small_run)
    grow(tree, 30)
    publish_past_year(district_admin, tree["YX"], 2026, standard, {**small, **{f"YX-S1-Z{n}": "70" for n in range(30)}})

    # ranking: the key, and its count of requests; the cycle; its published totals, the districts ranked; the
    # previous cycle, its totals, its district and the districts ranked; the page's category subtotals; the
    # systems listed; the previous cycle again (as the page)
    with django_assert_num_queries(12):
        assert client.get(addresses[0].replace("2025", "2026")).json()["count"] == 33
    # sheet: the key, and its count; the assessment with its cycle and unit; its items; the cycle's district
    with django_assert_num_queries(5):
        assert client.get(addresses[1].replace("2025", "2026")).status_code == 200
    assert counts == {addresses[0]: 12, addresses[1]: 5}


# The score sheet ----------------------------------------------------------------------------------------


def test_the_score_sheet_shows_final_scores_subtotals_total_and_grade(api, grassroots_cadre, published):
    response = api["grassroots_cadre"].get("/api/results/2025/YX-S1-G1/")

    assert response.status_code == 200
    sheet = response.json()
    assert (sheet["final_total"], sheet["grade"], sheet["points"], sheet["finals_shown"]) == (80, "良好", 100, True)
    assert [category["number"] for category in sheet["categories"]] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sum(category["final_subtotal"] or 0 for category in sheet["categories"]) == 80
    [pooled] = sheet["categories"][-1]["rows"]
    assert pooled["number"] == "8"
    assert [content["item"] for content in pooled["contents"]] == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    assert sheet["unit"] == {"code": "YX-S1-G1", "name": "城关社区工会", "tier": "grassroots"}
    assert sheet["federation"] == "云溪区总工会"
    page = page_context(grassroots_cadre, "/results/2025/YX-S1-G1/")["sheet"]
    rows = [(row["number"], row["points"], row["final_score"]) for c in sheet["categories"] for row in c["rows"]]
    assert rows == [(row.number, row.points, row.final_score) for c in page.categories for row in c.rows]
    assert sheet["column_heading"] == page.column_heading


def test_before_publication_the_unit_sees_its_self_scores_but_not_the_final_ones(
    api, grassroots_cadre, secondary_cadre, cycle
):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    actions.submit_self_assessment(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    review_all(secondary_cadre, assessment_of(cycle, "YX-S1-G1"), score=Decimal(1))

    unit_view = api["grassroots_cadre"].get("/api/results/2026/YX-S1-G1/").json()
    reviewer_view = api["secondary_cadre"].get("/api/results/2026/YX-S1-G1/").json()
    admin_view = api["district_admin"].get("/api/results/2026/YX-S1-G1/").json()

    assert (unit_view["self_total"], unit_view["final_total"], unit_view["finals_shown"]) == (100, None, False)
    assert unit_view["grade"] == ""
    assert all(row["final_score"] is None for c in unit_view["categories"] for row in c["rows"])
    assert all(row["words"] == "" for c in unit_view["categories"] for row in c["rows"])
    assert reviewer_view["final_total"] == 15  # 1 on each of the 15 scored items
    assert admin_view["final_total"] == 15


def test_a_sheet_outside_ones_subtree_or_unknown_does_not_exist(api, published):
    assert api["outsider"].get("/api/results/2025/YX-S1-G1/").status_code == 404
    assert api["grassroots_cadre"].get("/api/results/2025/YX-S1-G2/").status_code == 404  # a sibling's
    assert api["district_admin"].get("/api/results/2025/NO-SUCH/").status_code == 404
    assert api["district_admin"].get("/api/results/2025/LQ-S1/").status_code == 404
    assert api["district_admin"].get("/api/results/2019/YX-S1/").status_code == 404
    assert api["district_admin"].get(f"/api/results/{10**12}/YX-S1/").status_code == 404


# The dashboards -----------------------------------------------------------------------------------------


def tables(body: dict[str, Any]) -> dict[str, list[list[Any]]]:
    return {table["name"]: [[row["label"], *row["values"]] for row in table["rows"]] for table in body["tables"]}


def page_tables(context: Any) -> dict[str, list[list[Any]]]:
    """The page's tables as JSON reads them: labels as text, numbers as numbers."""

    def plain(value: Any) -> Any:
        return (int(value) if value % 1 == 0 else float(value)) if isinstance(value, Decimal) else value

    return {
        table.name: [[str(row[0]), *map(plain, row[1:])] for row in table.rows] for table, _chart in context["tables"]
    }


@pytest.fixture
def two_years(district_admin, tree, standard):
    publish_past_year(district_admin, tree["YX"], 2024, standard, {code: "70" for code in TOTALS})
    return publish_past_year(district_admin, tree["YX"], 2025, standard, TOTALS)


def test_the_district_dashboard_tallies_the_published_cycle_as_the_page(api, district_admin, two_years):
    response = api["district_admin"].get("/api/results/dashboard/")

    assert response.status_code == 200
    body = response.json()
    found = tables(body)
    # 88, 90, 89.5, 79.5, 80, 80, 95
    assert found["distribution"] == [["< 60", 0], ["60–69.5", 0], ["70–79.5", 1], ["80–89.5", 4], ["90–100", 2]]
    assert found["years"] == [["2024", 70, 0, 0, 7, 0], ["2025", 86, 2, 4, 1, 0]]
    assert (body["chosen_year"], body["years"], body["open_cycle"]) == (2025, [2025, 2024], None)
    assert body["unit"]["code"] == "YX"
    assert found == page_tables(page_context(district_admin, "/results/dashboard/"))


def test_the_open_cycle_shows_its_progress(api, district_admin, two_years, cycle):
    body = api["district_admin"].get("/api/results/dashboard/").json()

    progress = {row[0]: row[1:] for row in tables(body)["progress"]}
    assert progress["基层工会"][0] == 3  # all three not started
    assert body["open_cycle"] == {"year": 2026, "name": cycle.name}


def test_a_chosen_year_shows_its_cycle(api, district_admin, two_years):
    body = api["district_admin"].get("/api/results/dashboard/", {"year": 2024}).json()

    assert body["chosen_year"] == 2024
    assert tables(body) == page_tables(page_context(district_admin, "/results/dashboard/", year=2024))


def test_a_secondary_cadre_sees_its_own_system(api, two_years):
    body = api["secondary_cadre"].get("/api/results/dashboard/").json()

    assert sum(count for _band, count in tables(body)["distribution"]) == 3  # 城关街道 and its two grassroots unions
    assert tables(body)["years"][-1][1] == 83.3  # (90 + 80 + 80) / 3
    assert body["unit"]["code"] == "YX-S1"


def test_a_unit_without_units_under_it_has_no_dashboard_but_its_results(api, two_years):
    response = api["grassroots_cadre"].get("/api/results/dashboard/")

    assert response.status_code == 403  # the page sends them to their unit's results
    assert "results/units/YX-S1-G1/" in response.json()["detail"]


@pytest.mark.parametrize("year", ["abc", "99999999999", "1999", "2019"])
def test_a_year_without_a_published_cycle_is_a_400(api, two_years, year):
    response = api["district_admin"].get("/api/results/dashboard/", {"year": year})

    assert response.status_code == 400
    assert fields_at_fault(response) == ["year"]


def test_with_nothing_published_the_dashboard_has_no_tables(api, district_admin, tree):
    body = api["district_admin"].get("/api/results/dashboard/").json()

    assert (body["tables"], body["chosen_year"], body["years"]) == ([], None, [])


def test_a_units_results_across_cycles_and_where_it_lost_points(api, grassroots_cadre, two_years):
    response = api["grassroots_cadre"].get("/api/results/units/YX-S1-G1/")

    assert response.status_code == 200
    body = response.json()
    found = tables(body)
    assert [row[:2] for row in found["unit"]] == [["2024", 70], ["2025", 80]]
    assert sum(row[1] for row in found["lost"]) == 20  # 100 less its 80
    assert (body["years"], body["sheet_years"]) == ([2025, 2024], [2024, 2025])
    context = page_context(grassroots_cadre, "/results/unit/YX-S1-G1/")
    assert found == page_tables(context)
    assert body["sheet_years"] == context["sheet_years"]


def test_a_units_results_outside_ones_subtree_or_unknown_do_not_exist(api, two_years):
    assert api["grassroots_cadre"].get("/api/results/units/YX-S1-G2/").status_code == 404
    assert api["outsider"].get("/api/results/units/YX-S1-G1/").status_code == 404
    assert api["district_admin"].get("/api/results/units/NO-SUCH/").status_code == 404


@pins("api:dashboard", "api:unit_results")
def test_the_dashboards_cost_the_same_queries_however_many_units(
    api, district_admin, tree, standard, two_years, cycle, django_assert_num_queries
):
    client = api["district_admin"]
    addresses = ["/api/results/dashboard/", "/api/results/units/YX-S1-G1/"]
    counts = {}
    for address in addresses:
        with CaptureQueriesContext(connection) as run:
            assert client.get(address).status_code == 200
        counts[address] = len(run)
    grow(tree, 20)
    publish_past_year(district_admin, tree["YX"], 2023, standard, {f"YX-S1-Z{n}": "66" for n in range(20)})

    # dashboard: the key, and its count of requests; the published cycles; the open cycle, its progress, its
    # copy of the standard and its rules met; when anything was last published; the chosen cycle's
    # distribution, categories and grades; the cycles' averages
    with django_assert_num_queries(12):
        assert client.get(addresses[0]).status_code == 200
    # a unit's results: the key, and its count; the unit; the published cycles; its items in them; its latest
    # assessment, and that one's items
    with django_assert_num_queries(7):
        assert client.get(addresses[1]).status_code == 200
    assert counts == {addresses[0]: 12, addresses[1]: 7}
