"""The results pages for each persona: the published cycles, the rankings (page and xlsx) and a unit's score
sheet (page and xlsx). Rankings are computed over the whole group but list only one's own subtree; another
district's cycle, an unknown year or unit is a 404; bad input in the address falls back, never a 500."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from kaohe.assessments import actions
from kaohe.conftest import make_unit
from kaohe.organisations.models import Category, Organisation
from kaohe.results.tests.conftest import TOTALS, publish_past_year
from kaohe.tests.pins import pins


@pytest.fixture
def published(publish):
    publish(2024, {"YX-S1": "70", "YX-S2": "89.5"})
    return publish(2025, TOTALS)


def listed(response) -> dict[str, int]:
    return {row.result.code: row.rank for row in response.context["rows"]}


def get(client, user, url, **query):
    client.force_login(user)
    return client.get(url, query)


def test_the_results_list_names_the_published_cycles(client, grassroots_cadre, published):
    response = get(client, grassroots_cadre, "/results/")

    assert response.status_code == 200
    assert [cycle.year for cycle in response.context["cycles"]] == [2025, 2024]


def test_an_admin_sees_every_secondary_union_ranked_with_the_change(client, district_admin, published):
    response = get(client, district_admin, "/results/2025/", group="secondary")

    assert listed(response) == {"YX-S1": 1, "YX-S2": 2}
    rows = {row.result.code: row for row in response.context["rows"]}
    assert rows["YX-S1"].result.change == Decimal(20)
    assert rows["YX-S1"].result.rank_change == 1  # 2nd in 2024, 1st now
    assert sum(value for value in rows["YX-S2"].categories) == Decimal("89.5")
    assert 'data-unit="YX-S1" data-rank="1"' in response.content.decode()


def test_grassroots_unions_rank_within_their_system_and_across_the_district(client, district_admin, published):
    within = get(client, district_admin, "/results/2025/", group="grassroots")
    across = get(client, district_admin, "/results/2025/", group="grassroots_district")
    one_system = get(client, district_admin, "/results/2025/", group="grassroots", system="YX-S1")

    assert listed(within) == {"YX-S1-G1": 1, "YX-S1-G2": 1, "YX-S2-G1": 1}
    assert listed(across) == {"YX-S2-G1": 1, "YX-S1-G1": 2, "YX-S1-G2": 2}
    assert listed(one_system) == {"YX-S1-G1": 1, "YX-S1-G2": 1}
    assert [code for code, _name in within.context["systems"]] == ["YX-S1", "YX-S2"]


def test_a_secondary_cadre_sees_its_place_but_not_the_other_secondary_unions(client, secondary_cadre, published):
    secondary = get(client, secondary_cadre, "/results/2025/", group="secondary")
    own_system = get(client, secondary_cadre, "/results/2025/")  # its system's grassroots unions by default

    assert listed(secondary) == {"YX-S1": 1}
    assert "区教委工会" not in secondary.content.decode()
    assert listed(own_system) == {"YX-S1-G1": 1, "YX-S1-G2": 1}
    assert "云溪中学工会" not in own_system.content.decode()


def test_a_grassroots_cadre_sees_its_own_rank_across_the_district(client, grassroots_cadre, published):
    response = get(client, grassroots_cadre, "/results/2025/", group="grassroots_district")

    assert listed(response) == {"YX-S1-G1": 2}  # tied with 城关小学工会, after 云溪中学工会: neither is named
    page = response.content.decode()
    assert "城关小学工会" not in page
    assert "云溪中学工会" not in page


def test_another_districts_cycle_and_an_unknown_year_do_not_exist(client, outsider, district_admin, published):
    assert get(client, outsider, "/results/2025/").status_code == 404
    assert get(client, outsider, "/results/2025/ranking.xlsx").status_code == 404
    assert get(client, outsider, "/results/2025/YX-S1/").status_code == 404
    assert get(client, district_admin, "/results/2019/").status_code == 404
    assert get(client, district_admin, "/results/2025/NO-SUCH/").status_code == 404
    assert get(client, district_admin, "/results/2025/LQ-S1/").status_code == 404


def test_a_unit_cadre_cannot_open_another_units_score_sheet(client, grassroots_cadre, published):
    assert get(client, grassroots_cadre, "/results/2025/YX-S1-G2/").status_code == 404
    assert get(client, grassroots_cadre, "/results/2025/YX-S1-G2/sheet.xlsx").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"group": "nonsense"},
        {"page": "-3"},
        {"page": "x" * 500},
        {"system": "<script>"},
        {"group": "grassroots", "system": "\x00"},
    ],
)
def test_bad_input_in_the_address_falls_back(client, district_admin, published, query):
    response = get(client, district_admin, "/results/2025/", **query)

    assert response.status_code == 200
    assert "<script>" not in response.content.decode()


def test_a_cycle_not_yet_published_says_so(client, district_admin, tree, standard):
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)

    response = get(client, district_admin, "/results/2026/")

    assert response.status_code == 200
    assert 'id="not-published"' in response.content.decode()
    assert "rows" not in response.context


def test_the_ranking_exports_to_xlsx_with_names_as_text(client, district_admin, tree, published, standard):
    Organisation.objects.filter(code="YX-S2").update(name='=HYPERLINK("http://x","点")')

    response = get(client, district_admin, "/results/2025/ranking.xlsx", group="secondary")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert rows[0][:6] == (1, "YX-S1", "城关街道总工会", None, 90, "优秀")
    assert rows[1][2] == '=HYPERLINK("http://x","点")'
    assert sheet.cell(4, 3).data_type == "s"  # text, not a formula
    assert rows[0][-3:] == (70, 20, 1)  # last year's total, the change, places gained


def test_the_score_sheet_shows_final_scores_subtotals_total_and_grade(client, grassroots_cadre, published):
    response = get(client, grassroots_cadre, "/results/2025/YX-S1-G1/")

    assert response.status_code == 200
    sheet = response.context["sheet"]
    assert sheet.final_total == Decimal(80)
    assert sheet.grade == "良好"
    assert [category.number for category in sheet.categories] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert sum(category.final_subtotal or 0 for category in sheet.categories) == Decimal(80)
    [pooled] = sheet.categories[-1].rows
    assert pooled.number == "8"
    assert [number for number, _text in pooled.contents] == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    page = response.content.decode()
    assert "评审单位（盖章）" in page
    assert 'id="sheet-grade">良好' in page


def test_before_publication_the_unit_sees_its_self_scores_but_not_the_final_ones(
    client, grassroots_cadre, secondary_cadre, tree, standard, district_admin
):
    from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all

    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    assessment = assessment_of(cycle, "YX-S1-G1")
    fill_in(grassroots_cadre, assessment)
    actions.submit_self_assessment(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    review_all(secondary_cadre, assessment_of(cycle, "YX-S1-G1"), score=Decimal(1))

    unit_view = get(client, grassroots_cadre, "/results/2026/YX-S1-G1/").context["sheet"]
    reviewer_view = get(client, secondary_cadre, "/results/2026/YX-S1-G1/").context["sheet"]

    assert unit_view.self_total == Decimal(100)
    assert unit_view.final_total is None
    assert all(row.final_score is None for c in unit_view.categories for row in c.rows)
    assert reviewer_view.final_total == Decimal(15)  # 1 on each of the 15 scored items


def test_the_score_sheet_xlsx_is_laid_out_like_the_document(client, district_admin, published):
    response = get(client, district_admin, "/results/2025/YX-S1/sheet.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert "考核评分表" in values[0][0]
    assert values[2][:5] == ("序号", "考核内容", "工作内容", "考核要求", "分值")
    merged = {str(cells) for cells in sheet.merged_cells.ranges}
    assert "A6:A7" in merged  # category 2's two items share its 序号 (row 5 is category 1's subtotal)
    total_row = next(row for row in values if row[0] == "合计")
    assert total_row[4] == 100
    assert total_row[6] == 90
    assert sheet.page_setup.orientation == "landscape"


# Query counts: the same for a small and a grown district ------------------------------------------------


def grow(tree, count: int) -> None:
    for number in range(count):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)


@pins(
    "results:ranking",
    "results:cycles",
    "results:sheet",
    "results:ranking_export",
    "results:sheet_export",
    "results:ranking_pdf",
    "results:sheet_pdf",
    "results:sheets_pdf",
)
def test_the_pages_cost_the_same_queries_however_many_units(
    client, district_admin, tree, standard, django_assert_num_queries
):
    small = {code: "80" for code in TOTALS}
    publish_past_year(district_admin, tree["YX"], 2024, standard, small)  # each year measured has one before it
    publish_past_year(district_admin, tree["YX"], 2025, standard, small)
    client.force_login(district_admin)
    counts = {}
    pages = ("/results/", "/results/2025/?group=grassroots", "/results/2025/YX-S1-G1/")
    exports = (
        "/results/2025/ranking.xlsx?group=grassroots",
        "/results/2025/YX-S1-G1/sheet.xlsx",
        "/results/2025/ranking.pdf?group=grassroots",
        "/results/2025/YX-S1-G1/sheet.pdf",
        "/results/2025/sheets.pdf?system=YX-S1",  # a system grown by 30 units: one query of all their items
    )
    for url in pages + exports:
        with CaptureQueriesContext(connection) as small_run:
            assert client.get(url).status_code == 200
        counts[url] = len(small_run)
    grow(tree, 30)
    publish_past_year(district_admin, tree["YX"], 2026, standard, {**small, **{f"YX-S1-Z{n}": "70" for n in range(30)}})
    for url, count in counts.items():
        with django_assert_num_queries(count):
            client.get(url.replace("2025", "2026"))


def test_places_gained_across_the_district_are_counted_across_the_district(client, district_admin, publish):
    # 2024 across the district: 中学 95, 小学 85, 社区 80. 2025: 社区 86, 小学 85, 中学 80.
    # 城关小学工会 went from 1st to 2nd in its system, but stayed 2nd across the district.
    publish(2024, {"YX-S1-G1": "80", "YX-S1-G2": "85", "YX-S2-G1": "95"})
    publish(2025, {"YX-S1-G1": "86", "YX-S1-G2": "85", "YX-S2-G1": "80"})

    across = get(client, district_admin, "/results/2025/", group="grassroots_district")
    within = get(client, district_admin, "/results/2025/", group="grassroots", system="YX-S1")

    assert {row.result.code: row.places_gained for row in across.context["rows"]} == {
        "YX-S1-G1": 2,
        "YX-S1-G2": 0,
        "YX-S2-G1": -2,
    }
    assert {row.result.code: row.places_gained for row in within.context["rows"]} == {"YX-S1-G1": 1, "YX-S1-G2": -1}
