"""The figures through the API, as the personas use them: a unit's figures against its column's rules, and
the overview of one's system. Each answer is held against the page's own context (the same figures, worded
the same) or against numbers worked out by hand."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kaohe.assessments import actions
from kaohe.conftest import make_unit
from kaohe.figures.tests.test_compute import add_activities
from kaohe.organisations.models import Category
from kaohe.records.models import ActivityCategory, EducationFund
from kaohe.tests.pins import pins

LECTURE = ActivityCategory.LECTURE
TRAINING = ActivityCategory.TRAINING


def figures_of(api: Any, persona: str, code: str, **query: Any) -> Any:
    return api[persona].get(f"/api/figures/{code}/", {"year": 2026, **query})


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {figure["key"]: figure for figure in body["figures"]}


def page_context(user: Any, address: str, **query: Any) -> Any:
    client = Client()
    client.force_login(user)
    response = client.get(address, query)
    assert response.status_code == 200
    return response.context


def overview(api: Any, persona: str, **query: Any) -> Any:
    response = api[persona].get("/api/figures/", {"year": 2026, **query})
    assert response.status_code == 200, response.json()
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [row["unit"]["code"] for row in body["results"]]


# A unit's figures ---------------------------------------------------------------------------------------


def test_a_direct_units_lectures_are_counted_against_its_column_as_on_its_page(api, district_admin, tree, standard):
    add_activities(tree["YX-D1"], LECTURE, 4, participants=700)

    response = figures_of(api, "district_admin", "YX-D1")

    assert response.status_code == 200
    body = response.json()
    assert (body["unit"]["code"], body["year"], body["column"]) == ("YX-D1", 2026, "direct")
    lectures, rate = by_key(body)["lecture_count"], by_key(body)["lecture_participation_rate"]
    assert (lectures["item"], lectures["value"], lectures["target"], lectures["met"]) == ("6.1", 4, 5, False)
    assert (lectures["scope"], lectures["measure"]) == ("subtree", "count")
    # 700 person-times of 900 members: 77.78 %, below 80 %
    assert (rate["value"], rate["target"], rate["met"], rate["value_text"]) == (0.7778, 0.8, False, "77.8%")
    assert lectures["bases"] == {"grassroots_units": 0, "members": 900}
    assert body["empty_year"] is False
    page = page_context(district_admin, "/figures/YX-D1/", year=2026)
    assert [(f["key"], f["value_text"], f["target_text"], f["basis"]) for f in body["figures"]] == [
        (f.key, f.value, f.target, f.basis) for f in page["figures"]
    ]
    met = {"true": True, "false": False, "none": None}
    assert [f["met"] for f in body["figures"]] == [met[f.met] for f in page["figures"]]
    assert (body["met_count"], body["judged_count"]) == (page["met_count"], page["judged_count"])
    assert body["column_heading"] == page["column_heading"]


def test_a_secondary_units_target_is_three_lectures_per_grassroots_union(api, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 6, participants=60)

    lectures = by_key(figures_of(api, "secondary_cadre", "YX-S1").json())["lecture_count"]

    assert (lectures["value"], lectures["target"], lectures["met"]) == (6, 6, True)  # 3 × 2 grassroots unions
    assert lectures["bases"]["grassroots_units"] == 2
    assert "2" in lectures["basis"]


def test_the_version_in_force_is_the_default_until_the_year_has_a_cycle(api, standard, district_admin, tree):
    before = figures_of(api, "grassroots_cadre", "YX-S1-G1").json()["in_force"]
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    after = figures_of(api, "grassroots_cadre", "YX-S1-G1").json()["in_force"]

    assert before["standard"] == {"slug": standard.slug, "version": standard.version, "title": standard.title}
    assert (before["by_cycle"], before["cycle"]) == (False, "")
    assert (after["by_cycle"], after["cycle"]) == (True, cycle.name)
    assert cycle.name in after["reason"]


def test_amounts_read_in_yuan_and_a_unit_without_members_has_no_rate(api, tree, standard):
    empty = make_unit("YX-D2", "新成立工会", Category.DIRECT, tree["YX"], members=0)
    EducationFund.objects.create(organisation=empty, amount="12000.5", date="2026-03-01", purpose="培训")

    figures = by_key(figures_of(api, "district_admin", "YX-D2").json())

    assert figures["education_funds"]["value"] == 12000.5
    assert figures["education_funds"]["value_text"].startswith("12,000.50")
    assert figures["education_funds"]["met"] is None  # counted, no target
    rate = figures["lecture_participation_rate"]
    assert (rate["value"], rate["met"]) == (None, None)


def test_a_year_without_records_says_so_and_without_a_year_it_is_this_one(api, standard):
    body = api["grassroots_cadre"].get("/api/figures/YX-S1-G1/").json()

    assert body["year"] == timezone.localdate().year
    assert body["empty_year"] is True


def test_without_a_standard_the_answer_says_so_and_counts_nothing(api, db):
    body = figures_of(api, "district_admin", "YX-D1").json()

    assert body["in_force"]["standard"] is None
    assert body["in_force"]["reason"]
    assert (body["figures"], body["column"], body["empty_year"]) == ([], None, None)


def test_no_key_is_a_401(anonymous, standard):
    assert anonymous.get("/api/figures/YX-D1/").status_code == 401
    assert anonymous.get("/api/figures/").status_code == 401


def test_units_outside_ones_subtree_and_unknown_codes_do_not_exist(api, standard):
    assert figures_of(api, "outsider", "YX-S1-G1").status_code == 404
    assert figures_of(api, "grassroots_cadre", "YX-S1-G2").status_code == 404  # a sibling
    assert figures_of(api, "district_admin", "LQ-S1-G1").status_code == 404
    assert figures_of(api, "district_admin", "NO-SUCH").status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", "2101", str(10**12), "2026.5"])
def test_a_bad_year_is_a_400_naming_it(api, standard, year):
    response = figures_of(api, "district_admin", "YX-D1", year=year)

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["year"]


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("api:unit_figures")
def test_a_units_figures_cost_the_same_queries_whatever_the_number_of_units(
    api, tree, standard, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    client = api["district_admin"]

    # the key with its person and unit, and its count of requests; the unit; the year's cycle, the default
    # standard; figures: the unit's own yearly totals, its subtree's added up, its subtree's members and
    # grassroots units; whether anything is recorded in the year
    with django_assert_num_queries(9):
        assert client.get("/api/figures/YX-S1/", {"year": 2026}).status_code == 200


# The overview -------------------------------------------------------------------------------------------


def test_each_persona_sees_the_units_of_their_own_subtree(api, standard):
    expected = {
        "district_admin": ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"],
        "assessor": ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"],
        "secondary_cadre": ["YX-S1", "YX-S1-G1", "YX-S1-G2"],
        "grassroots_cadre": ["YX-S1-G1"],
        "outsider": ["LQ-S1", "LQ-S1-G1"],
    }
    for persona, units in expected.items():
        assert codes(overview(api, persona)) == units, persona


def test_the_overview_shows_what_the_page_shows(api, secondary_cadre, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 5, participants=100)

    body = overview(api, "secondary_cadre")
    page = page_context(secondary_cadre, "/figures/", year=2026)

    assert [c["key"] for c in body["columns"]] == [heading.key for heading in page["headings"]]
    assert body["under"]["code"] == "YX-S1"
    for row, shown in zip(body["results"], page["rows"], strict=True):
        assert row["unit"]["code"] == shown.unit.code
        cells = [cell.figure for cell in shown.cells if cell]
        assert [(f["key"], f["value_text"], f["target_text"]) for f in row["figures"]] == [
            (f.key, f.value, f.target) for f in cells
        ]
    [shequ] = [row for row in body["results"] if row["unit"]["code"] == "YX-S1-G1"]
    figures = {f["key"]: f for f in shequ["figures"]}
    assert (figures["lecture_count"]["value"], figures["lecture_count"]["met"]) == (5, True)
    assert figures["lecture_participation_rate"]["value"] == 0.8333  # 100 person-times of 120 members


def test_the_tier_filter_and_under_narrow_the_units(api, standard):
    assert codes(overview(api, "district_admin", tier="grassroots")) == ["YX-S1-G1", "YX-S1-G2", "YX-S2-G1"]
    assert codes(overview(api, "district_admin", tier="secondary")) == ["YX-S1", "YX-S2"]
    assert codes(overview(api, "district_admin", under="YX-S2")) == ["YX-S2", "YX-S2-G1"]
    narrowed = overview(api, "district_admin", under="YX-S1", tier="grassroots")
    assert (codes(narrowed), narrowed["under"]["code"]) == (["YX-S1-G1", "YX-S1-G2"], "YX-S1")


def test_sorting_by_lectures_orders_the_rows_as_the_page(api, district_admin, tree, standard):
    add_activities(tree["YX-S1-G2"], LECTURE, 3)
    add_activities(tree["YX-D1"], LECTURE, 7)
    add_activities(tree["YX-S1-G1"], LECTURE, 1)

    # Lectures of each unit's subtree: YX 11, YX-D1 7, YX-S1 4, YX-S1-G2 3, YX-S1-G1 1, YX-S2 0, YX-S2-G1 0.
    descending = overview(api, "district_admin", sort="lecture_count", order="desc")
    assert codes(descending) == ["YX", "YX-D1", "YX-S1", "YX-S1-G2", "YX-S1-G1", "YX-S2", "YX-S2-G1"]
    assert (descending["sort"], descending["order"]) == ("lecture_count", "desc")
    page = page_context(district_admin, "/figures/", year=2026, sort="lecture_count", order="desc")
    assert codes(descending) == [row.unit.code for row in page["rows"]]
    # a figure only the district counts: the others come after it, whatever the order
    assert codes(overview(api, "district_admin", sort="training_count", order="asc"))[0] == "YX"
    assert codes(overview(api, "district_admin", sort="name", order="desc"))[0] == "YX-S1"


def test_the_overview_pages(api, standard):
    first = overview(api, "district_admin", page_size=3)
    third = overview(api, "district_admin", page_size=3, page=3)

    assert (first["count"], len(first["results"]), first["previous"]) == (7, 3, None)
    assert "page=2" in first["next"]
    assert (codes(third), third["next"]) == (["YX-S2-G1"], None)
    assert api["district_admin"].get("/api/figures/", {"page": 4, "page_size": 3}).status_code == 404


def test_a_year_without_a_standard_lists_no_figures(api, db):
    body = overview(api, "district_admin")

    assert body["in_force"]["standard"] is None
    assert (body["results"], body["columns"], body["count"]) == ([], [], 0)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": str(10**12)}, "year"),
        ({"sort": "nonsense"}, "sort"),
        ({"order": "up"}, "order"),
        ({"tier": "nonsense"}, "tier"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "501"}, "page_size"),
        ({"page": "abc"}, "page"),
        ({"under": "NO-SUCH"}, "under"),
        ({"under": "LQ-S1"}, "under"),  # another district's unit: none of the person's
        ({"under": "\x00"}, "under"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(api, standard, query, field):
    response = api["district_admin"].get("/api/figures/", query)

    assert response.status_code == 400
    assert field in [error["field"] for error in response.json()["errors"]]


def test_an_outsider_cannot_narrow_to_a_unit_of_another_district(api, standard):
    response = api["outsider"].get("/api/figures/", {"under": "YX-S1"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "under"


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("api:figures_overview")
def test_the_overview_costs_the_same_queries_whatever_the_number_of_units(
    api, tree, standard, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
        add_activities(tree["YX-S1"], TRAINING, 1, date=datetime.date(2026, 5, 1))
    client = api["district_admin"]

    # the key with its person and unit, and its count of requests; the year's cycle, the default standard; the
    # units shown; figures: the units in scope, their yearly totals; whether anything is recorded in the year
    with django_assert_num_queries(8):
        response = client.get("/api/figures/", {"year": 2026, "sort": "lecture_count", "page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 7 + extra_units
    # narrowed to a unit: one more, to find it
    with django_assert_num_queries(9):
        assert client.get("/api/figures/", {"year": 2026, "under": "YX-S1"}).status_code == 200


def test_the_figures_are_numbers_not_strings(api, tree, standard):
    EducationFund.objects.create(organisation=tree["YX-S1-G1"], amount=Decimal("99.99"), date="2026-03-01", purpose="x")

    [row] = overview(api, "grassroots_cadre")["results"]

    funds = {f["key"]: f for f in row["figures"]}["education_funds"]
    assert funds["value"] == 99.99
