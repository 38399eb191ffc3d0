"""The figures pages, as the personas use them: a unit's figures beside the standard, the system's overview
table, and its xlsx export. Assertions are on data (codes, numbers, data attributes), not on UI wording."""

from __future__ import annotations

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kaohe.conftest import make_unit
from kaohe.figures.compute import ACTIVITY_COUNTS, compute_figures
from kaohe.figures.tests.test_compute import add_activities
from kaohe.organisations.models import Category, Organisation
from kaohe.records.models import ActivityCategory
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.tests.pins import pins

pytestmark = pytest.mark.django_db

LECTURE = ActivityCategory.LECTURE
IN_2026 = {"year": 2026}


@pytest.fixture
def standard(db):
    return load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))[0]


def unit_page(client, code: str, **query) -> str:
    response = client.get(reverse("figures:unit", args=[code]), query or IN_2026)
    assert response.status_code == 200
    return response.content.decode()


def figure_block(page: str, key: str) -> str:
    """The HTML of one figure on a unit's page: from its data-figure to the end of its value and target."""
    match = re.search(rf'data-figure="{key}".*?</dl>', page, re.DOTALL)
    assert match, f"no figure {key} on the page"
    return match.group(0)


def text_of(block: str, css_class: str) -> str:
    match = re.search(rf'class="[^"]*\b{css_class}\b[^"]*"[^>]*>([^<]*)<', block)
    assert match
    return match.group(1).strip()


def met_of(block: str) -> str:
    match = re.search(r'data-met="(\w+)"', block)
    assert match
    return match.group(1)


def overview_codes(client, **query) -> list[str]:
    response = client.get(reverse("figures:overview"), {**IN_2026, **query})
    assert response.status_code == 200
    return re.findall(r'<tr data-unit="([^"]+)"', response.content.decode())


# The unit's page ------------------------------------------------------------------------------------------


def test_a_direct_units_page_shows_item_6_1_and_turns_met_when_lectures_are_added(
    client, district_admin, tree, standard
):
    add_activities(tree["YX-D1"], LECTURE, 4, participants=700)
    client.force_login(district_admin)

    page = unit_page(client, "YX-D1")
    lectures = figure_block(page, "lecture_count")
    assert (text_of(lectures, "figure-value"), text_of(lectures, "figure-target"), met_of(lectures)) == (
        "4",
        "≥ 5",
        "false",
    )
    rate = figure_block(page, "lecture_participation_rate")  # 700 of 900 members: 77.8 %, below 80 %
    assert (text_of(rate, "figure-value"), text_of(rate, "figure-target"), met_of(rate)) == ("77.8%", "≥ 80%", "false")
    assert page.index('id="item-6.1"') < page.index('data-figure="lecture_count"') < page.index('id="item-6.2"')
    assert len(re.findall(r'data-item="\d+\.\d+"', page)) == 19  # every item, so the page reads like the standard

    add_activities(tree["YX-D1"], LECTURE, 1, participants=20)

    page = unit_page(client, "YX-D1")
    assert met_of(figure_block(page, "lecture_count")) == "true"
    assert text_of(figure_block(page, "lecture_count"), "figure-value") == "5"
    assert met_of(figure_block(page, "lecture_participation_rate")) == "true"  # 720 of 900 is 80 %


def test_the_unit_page_shows_the_units_own_column_numbered_as_printed(client, district_admin, standard):
    client.force_login(district_admin)

    response = client.get(reverse("figures:unit", args=["YX-S1-G1"]), IN_2026)

    assert response.context["column_heading"] == "区直属基层工作"  # grassroots units: the direct column
    [item] = [row for entry in response.context["categories"] for row in entry.items if row.item.number == "6.1"]
    assert [requirement.number for requirement in item.requirements] == [1, 4]
    assert [figure.key for figure in item.figures] == ["lecture_count", "lecture_participation_rate"]


def test_a_secondary_units_target_is_three_lectures_per_grassroots_union(client, secondary_cadre, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 6, participants=60)
    client.force_login(secondary_cadre)

    lectures = figure_block(unit_page(client, "YX-S1"), "lecture_count")

    assert text_of(lectures, "figure-value") == "6"
    assert text_of(lectures, "figure-target") == "≥ 6"  # 3 × 2 grassroots unions
    assert 'class="figure-basis' in lectures  # with the rule it comes from
    assert met_of(lectures) == "true"


def test_amounts_read_in_yuan_and_a_unit_without_members_has_no_rate(client, district_admin, tree, standard):
    from kaohe.records.models import EducationFund

    empty = make_unit("YX-D2", "新成立工会", Category.DIRECT, tree["YX"], members=0)
    EducationFund.objects.create(organisation=empty, amount="12000.5", date="2026-03-01", purpose="培训")
    client.force_login(district_admin)

    page = unit_page(client, "YX-D2")

    assert text_of(figure_block(page, "education_funds"), "figure-value").startswith("12,000.50")
    assert met_of(figure_block(page, "education_funds")) == "none"  # counted, no target
    assert met_of(figure_block(page, "lecture_participation_rate")) == "none"


def test_a_grassroots_cadre_sees_their_own_page_but_not_a_siblings(client, grassroots_cadre, standard):
    client.force_login(grassroots_cadre)

    assert "城关社区工会" in unit_page(client, "YX-S1-G1")
    assert client.get(reverse("figures:unit", args=["YX-S1-G2"]), IN_2026).status_code == 404
    assert client.get(reverse("figures:unit", args=["LQ-S1-G1"]), IN_2026).status_code == 404


def test_without_a_standard_the_pages_say_so(client, district_admin):
    client.force_login(district_admin)

    for response in (
        client.get(reverse("figures:unit", args=["YX-D1"]), IN_2026),
        client.get(reverse("figures:overview"), IN_2026),
    ):
        assert response.status_code == 200
        assert 'id="no-standard"' in response.content.decode()
        assert "data-figure" not in response.content.decode()


@pytest.mark.parametrize("year", ["1999", "2101", "abc"])
def test_a_bad_year_is_reported_and_the_current_year_shown(client, district_admin, standard, year):
    client.force_login(district_admin)

    for response in (
        client.get(reverse("figures:unit", args=["YX-D1"]), {"year": year}),
        client.get(reverse("figures:overview"), {"year": year}),
    ):
        assert response.status_code == 200
        assert response.context["year"] == timezone.localdate().year
        assert response.context["form"].errors["year"]
        assert 'id="year-errors"' in response.content.decode()


def test_without_a_year_the_page_shows_this_year(client, district_admin, standard):
    client.force_login(district_admin)

    response = client.get(reverse("figures:unit", args=["YX-D1"]))

    assert response.context["year"] == timezone.localdate().year
    assert not response.context["form"].errors


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("figures:unit")
def test_the_unit_page_costs_the_same_queries_whatever_the_number_of_units(
    client, district_admin, tree, standard, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    client.force_login(district_admin)

    # session, user with unit, the unit, the year's cycle, the default standard; figures: the unit's own
    # yearly totals, its subtree's added up, its subtree's members and grassroots units; whether anything is
    # recorded in the year
    with django_assert_num_queries(9):
        assert client.get(reverse("figures:unit", args=["YX-S1"]), IN_2026).status_code == 200


# The overview -------------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("figures:overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_each_persona_sees_the_units_of_their_own_subtree(client, personas, standard):
    expected = {
        "district_admin": ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"],
        "secondary_cadre": ["YX-S1", "YX-S1-G1", "YX-S1-G2"],
        "grassroots_cadre": ["YX-S1-G1"],
        "outsider": ["LQ-S1", "LQ-S1-G1"],
    }
    for persona, codes in expected.items():
        client.force_login(personas[persona])
        assert overview_codes(client) == codes, persona


def test_the_overview_has_one_column_per_indicator_of_the_units_shown(client, secondary_cadre, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 5, participants=100)
    client.force_login(secondary_cadre)

    response = client.get(reverse("figures:overview"), IN_2026)

    keys = [heading.key for heading in response.context["headings"]]
    assert keys == [
        "office_meetings",
        "education_funds",
        "lecture_count",
        "lecture_participation_rate",
        "honours_district",
        "honours_municipal",
        "honours_national",
    ]
    [row] = [row for row in response.context["rows"] if row.unit.code == "YX-S1-G1"]
    cells = {cell.figure.key: (cell.figure.value, cell.figure.met) for cell in row.cells if cell}
    assert cells["lecture_count"] == ("5", "true")
    assert cells["lecture_participation_rate"] == ("83.3%", "true")  # 100 person-times of 120 members


def test_the_tier_filter_shows_one_tier(client, district_admin, standard):
    client.force_login(district_admin)

    assert overview_codes(client, tier="grassroots") == ["YX-S1-G1", "YX-S1-G2", "YX-S2-G1"]
    assert overview_codes(client, tier="secondary") == ["YX-S1", "YX-S2"]
    assert overview_codes(client, tier="direct") == ["YX-D1"]
    assert overview_codes(client, tier="district") == ["YX"]
    assert len(overview_codes(client, tier="all")) == 7
    assert len(overview_codes(client, tier="nonsense")) == 7  # only our links set it: a bad one shows all


def test_district_columns_are_empty_for_a_grassroots_unit(client, district_admin, standard):
    client.force_login(district_admin)

    response = client.get(reverse("figures:overview"), IN_2026)

    keys = [heading.key for heading in response.context["headings"]]
    [row] = [row for row in response.context["rows"] if row.unit.code == "YX-S1-G1"]
    assert row.cells[keys.index("training_count")] is None  # a district rule
    assert row.cells[keys.index("lecture_count")] is not None


def test_sorting_by_lectures_descending_orders_the_rows(client, district_admin, tree, standard):
    add_activities(tree["YX-S1-G2"], LECTURE, 3)
    add_activities(tree["YX-D1"], LECTURE, 7)
    add_activities(tree["YX-S1-G1"], LECTURE, 1)
    client.force_login(district_admin)

    # Lectures of each unit's subtree: YX 11, YX-D1 7, YX-S1 4, YX-S1-G2 3, YX-S1-G1 1, YX-S2 0, YX-S2-G1 0.
    descending = overview_codes(client, sort="lecture_count", order="desc")
    assert descending == ["YX", "YX-D1", "YX-S1", "YX-S1-G2", "YX-S1-G1", "YX-S2", "YX-S2-G1"]
    ascending = overview_codes(client, sort="lecture_count", order="asc")
    assert ascending == ["YX-S2", "YX-S2-G1", "YX-S1-G1", "YX-S1-G2", "YX-S1", "YX-D1", "YX"]


def test_sorting_by_a_column_some_units_lack_puts_them_last(client, district_admin, standard):
    client.force_login(district_admin)

    assert overview_codes(client, sort="training_count", order="desc")[0] == "YX"  # only the district has it
    assert overview_codes(client, sort="training_count", order="asc")[0] == "YX"
    assert overview_codes(client, sort="name", order="desc")[0] == "YX-S1"  # by character: 城关街道 last


def test_the_column_headings_link_to_their_sort(client, district_admin, standard):
    client.force_login(district_admin)

    first = client.get(reverse("figures:overview"), IN_2026)
    [lectures] = [heading for heading in first.context["headings"] if heading.key == "lecture_count"]
    assert lectures.sorted_as == ""
    assert f'href="{lectures.href.replace("&", "&amp;")}"' in first.content.decode()

    second = client.get(reverse("figures:overview") + lectures.href)
    [lectures] = [heading for heading in second.context["headings"] if heading.key == "lecture_count"]
    assert lectures.sorted_as == "ascending"
    assert "order=desc" in lectures.href  # the same heading again turns the order round
    assert "year=2026" in lectures.href


def test_the_overview_shows_a_hundred_rows_a_page(client, district_admin, tree, standard):
    for number in range(120):
        make_unit(f"YX-S2-X{number:03}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S2"], 10)
    client.force_login(district_admin)

    first, second = overview_codes(client), overview_codes(client, page=2)

    assert len(first) == 100
    assert len(second) == 27
    assert not set(first) & set(second)


def test_the_grassroots_filter_answers_for_thousands_of_grassroots_units(client, district_admin, tree, standard):
    # Each filtered unit would be a subtree of its own: the query must not grow with them (SQLite stops at 1,000).
    Organisation.objects.bulk_create(
        Organisation(
            code=f"YX-S1-B{number:04}",
            name=f"新工会{number}",
            category=Category.GRASSROOTS,
            parent=tree["YX-S1"],
            path=f"/YX/YX-S1/YX-S1-B{number:04}/",
            depth=2,
            members=10,
        )
        for number in range(1200)
    )
    client.force_login(district_admin)

    assert len(overview_codes(client, tier="grassroots", sort="lecture_count")) == 100


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("figures:overview")
def test_the_overview_costs_the_same_queries_whatever_the_number_of_units(
    client, district_admin, tree, standard, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    client.force_login(district_admin)

    # session, user with unit, the year's cycle, the default standard, the units shown; figures: the units in
    # scope, their yearly totals; whether anything is recorded in the year
    with django_assert_num_queries(8):
        assert client.get(reverse("figures:overview"), {**IN_2026, "sort": "lecture_count"}).status_code == 200


# The export ---------------------------------------------------------------------------------------------


def test_the_export_has_the_overviews_rows_with_value_target_and_met(client, secondary_cadre, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 5, participants=100)
    client.force_login(secondary_cadre)

    response = client.get(reverse("figures:export"), IN_2026)

    assert response.status_code == 200
    assert "%E6%8C%87%E6%A0%87-" in response["Content-Disposition"]  # 指标-城关街道总工会-2026-全部层级.xlsx
    assert "2026" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    [(title, *_blank), headings, *rows] = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert title.startswith("2026年")
    assert "城关街道总工会" in title
    assert "v1" in title
    assert sheet.freeze_panes == "A3"
    assert headings[:3] == ["单位编码", "单位名称", "层级"]
    assert headings[3:6] == [
        "2.2 创建办公室会议次数（本单位）",
        "2.2 创建办公室会议次数 目标",
        "2.2 创建办公室会议次数 是否达标",
    ]
    assert len(headings) == 3 + 3 * 7  # value, target, met of each of the 7 figures of these tiers
    assert [row[0] for row in rows] == ["YX-S1", "YX-S1-G1", "YX-S1-G2"]
    by_heading = dict(zip(headings, rows[1], strict=True))
    assert by_heading["单位名称"] == "城关社区工会"
    assert by_heading["层级"] == "基层工会"
    assert [by_heading[h] for h in headings if h.startswith("6.1 大讲堂活动次数")] == [5, 5, "达标"]
    rate_headings = [h for h in headings if h.startswith("6.1 大讲堂参培率")]
    assert [by_heading[h] for h in rate_headings] == [pytest.approx(0.8333), pytest.approx(0.8), "达标"]
    rate_column = headings.index(rate_headings[0]) + 1
    assert sheet.cell(row=4, column=rate_column).number_format.endswith("%")  # reads 83.3%
    funds_column = headings.index("4.3 职工教育经费支出（元）（含下级）") + 1
    assert sheet.cell(row=4, column=funds_column).number_format == "#,##0.00"


def test_the_export_follows_the_tier_filter_and_sort(client, district_admin, tree, standard):
    add_activities(tree["YX-S1-G2"], LECTURE, 3)
    client.force_login(district_admin)

    response = client.get(
        reverse("figures:export"), {**IN_2026, "tier": "grassroots", "sort": "lecture_count", "order": "desc"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["YX-S1-G2", "YX-S1-G1", "YX-S2-G1"]


def test_the_overview_pages_through_a_large_system_keeping_the_sort(client, district_admin, tree, standard):
    for number in range(110):
        make_unit(f"YX-S1-P{number:03d}", f"分页工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    client.force_login(district_admin)

    first = client.get(reverse("figures:overview"), {**IN_2026, "sort": "name"}).content.decode()
    second = client.get(reverse("figures:overview"), {**IN_2026, "sort": "name", "page": 2}).content.decode()

    first_units = re.findall(r'<tr data-unit="([^"]+)"', first)
    second_units = re.findall(r'<tr data-unit="([^"]+)"', second)
    assert (len(first_units), len(second_units)) == (100, 117 - 100)
    assert not set(first_units) & set(second_units)
    assert 'href="?year=2026&amp;sort=name&amp;page=2" rel="next"' in first


# From a figure to the records it counts -----------------------------------------------------------------


@pytest.fixture
def a_year_of_records(tree):
    """Records of every kind that figures count, in and around 2026, including a deactivated unit's."""
    from kaohe.records.models import EducationFund, Honour, HonourLevel

    closed = make_unit("YX-S1-G9", "已撤销工会", Category.GRASSROOTS, tree["YX-S1"], 50)
    for unit in (tree["YX"], tree["YX-S1"], tree["YX-S1-G1"], tree["YX-D1"], closed, tree["LQ-S1-G1"]):
        for category in ACTIVITY_COUNTS.values():
            add_activities(unit, category, 2, participants=25)
        add_activities(unit, LECTURE, 1, participants=7, date=datetime.date(2025, 12, 31))  # the year before
        EducationFund.objects.create(organisation=unit, amount="1234.56", date="2026-03-01", purpose="培训")
        for level in HonourLevel.values:
            Honour.objects.create(organisation=unit, level=level, title="先进", date="2026-09-01")
    closed.is_active = False
    closed.save()


def listed(client, href: str) -> tuple[int, str]:
    """The count and the added-up total a records list shows for a figure's link."""
    response = client.get(href)
    assert response.status_code == 200
    page = response.content.decode()
    count = re.search(r'id="records-count" data-count="(\d+)"', page)
    total = re.search(r'id="records-total" data-total="([^"]+)"', page)
    assert count
    return int(count.group(1)), total.group(1) if total else ""


@pytest.mark.parametrize("code", ["YX", "YX-S1", "YX-S1-G1", "YX-D1"])
def test_each_figures_records_list_counts_exactly_the_figure(client, district_admin, standard, a_year_of_records, code):
    client.force_login(district_admin)
    unit = Organisation.objects.get(code=code)
    figures = client.get(reverse("figures:unit", args=[code]), IN_2026).context["figures"]
    computed = {f.key: f for f in compute_figures([unit], 2026, standard.doc)[unit.pk]}
    assert figures, "the unit has figures"

    for shown in figures:
        count, total = listed(client, shown.records_href)
        figure = computed[shown.key]
        if shown.key == "education_funds":
            assert Decimal(total) == figure.value, shown.key
        elif shown.key == "lecture_participation_rate":  # the person-times listed over the members
            assert (Decimal(total) / figure.bases["members"]).quantize(Decimal("0.0001")) == figure.value
        else:
            assert count == figure.value, (shown.key, count, figure.value)


def test_a_figure_says_whose_records_it_counts_and_how_its_target_was_reached(client, secondary_cadre, tree, standard):
    client.force_login(secondary_cadre)

    page = unit_page(client, "YX-S1")

    lectures = figure_block(page, "lecture_count")
    assert "含下级" in lectures
    assert "6 = 3 × 2 个基层工会" in lectures
    assert "本单位" in figure_block(page, "office_meetings")
    assert "230 名会员的 80% = 184 人次" in figure_block(page, "lecture_participation_rate")


def test_every_figures_page_names_the_standard_in_force(client, district_admin, standard):
    client.force_login(district_admin)

    for response in (
        client.get(reverse("figures:unit", args=["YX-S1"]), IN_2026),
        client.get(reverse("figures:overview"), IN_2026),
    ):
        page = response.content.decode()
        assert 'id="standard-in-force" data-slug="fangshan-2026-trial" data-version="1" data-by-cycle="false"' in page


def test_a_year_without_records_says_so_instead_of_marking_targets_unmet(client, secondary_cadre, tree, standard):
    client.force_login(secondary_cadre)

    page = unit_page(client, "YX-S1", year=2026)
    assert 'id="empty-year"' in page
    assert 'data-met="false"' not in page
    assert reverse("records:import", args=["activities"]) in page
    overview = client.get(reverse("figures:overview"), IN_2026).content.decode()
    assert 'id="empty-year"' in overview
    assert 'data-met="false"' not in overview

    add_activities(tree["YX-S1-G1"], LECTURE, 1)
    page = unit_page(client, "YX-S1", year=2026)
    assert 'id="empty-year"' not in page
    assert 'data-met="false"' in page


def test_the_overview_shows_each_units_own_meetings_whatever_it_is_sorted_by(client, secondary_cadre, tree, standard):
    add_activities(tree["YX-S1-G1"], ActivityCategory.OFFICE_MEETING, 3)
    add_activities(tree["YX-S1-G2"], ActivityCategory.OFFICE_MEETING, 1)
    add_activities(tree["YX-S1-G2"], LECTURE, 2)
    client.force_login(secondary_cadre)

    for sort in ("code", "lecture_count", "office_meetings"):
        page = client.get(reverse("figures:overview"), {**IN_2026, "sort": sort, "order": "desc"}).content.decode()
        cells = dict(
            re.findall(r'<tr data-unit="([^"]+)".*?data-figure="office_meetings"[^>]*><a [^>]*>(\d+)<', page, re.S)
        )
        assert cells == {"YX-S1": "0", "YX-S1-G1": "3", "YX-S1-G2": "1"}, sort
    assert overview_codes(client, sort="office_meetings", order="desc") == ["YX-S1-G1", "YX-S1-G2", "YX-S1"]


def figures_per_card(page: str) -> dict[str, list[str]]:
    """The phone's cards (below md), unit code → the figures its card shows, in order."""
    cards = page.split('id="figures-cards"', 1)[1].split("</ul>", 1)[0]
    return {
        re.findall(r'data-unit="([^"]+)"', card)[0]: re.findall(r'<dt[^>]*data-figure="([^"]+)"', card)
        for card in cards.split('<li class="card mb-2 figures-card"')[1:]
    }


def test_on_a_phone_the_overview_is_a_card_per_unit_with_only_its_tiers_figures(client, district_admin, tree, standard):
    add_activities(tree["YX-S1-G1"], LECTURE, 5, participants=100)
    client.force_login(district_admin)

    response = client.get(reverse("figures:overview"), IN_2026)

    page = response.content.decode()
    cards = figures_per_card(page)
    rows = {row.unit.code: [cell.figure.key for cell in row.cells if cell] for row in response.context["rows"]}
    assert cards == rows  # every unit of the page, each with the figures counted for its tier and no blanks
    assert set(cards) == {"YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"}
    every_column = {heading.key for heading in response.context["headings"]}
    assert set(cards["YX"]) < every_column  # the district's card leaves out what only units below it count
    assert set(cards["YX-S1-G1"]) < every_column
    assert cards["YX"] != cards["YX-S1-G1"]
    # Cards below md, the table from md up (Bootstrap's display classes); the cards come first, as on a phone.
    assert 'class="list-unstyled d-md-none mb-3" id="figures-cards"' in page
    assert 'class="table-responsive figures-scroll mb-3 d-none d-md-block"' in page
    assert re.search(r'id="figures-sort".*data-sort="lecture_count"', page, re.S)  # sorting, without the table
    assert "{#" not in page  # template comments stay in the template
