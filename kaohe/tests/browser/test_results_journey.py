"""Results in a real browser, at desktop and phone width: the district administrator opens the dashboard,
sees every chart drawn (an SVG with a size), reads the same numbers in the table beside it, and downloads a
ranking; a grassroots cadre opens its own results."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from kaohe.results.tests.conftest import TOTALS, publish_past_year
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(district_admin, grassroots_cadre, tree, shipped_standard):
    publish_past_year(district_admin, tree["YX"], 2024, shipped_standard, {code: "70" for code in TOTALS})
    return publish_past_year(district_admin, tree["YX"], 2025, shipped_standard, TOTALS)


def test_the_dashboard_draws_its_charts_and_the_ranking_downloads(page, published):
    log_in(page, "admin")
    page.goto("/results/")
    page.locator("#to-dashboard").click()

    charts = page.locator(".kaohe-chart")
    expect(charts.first).to_have_attribute("data-drawn", "true")
    for index in range(charts.count()):
        svg = charts.nth(index).locator("svg")
        expect(svg).to_have_count(1)
        box = svg.bounding_box()
        assert box is not None
        assert box["width"] > 100
        assert box["height"] > 100
    # the distribution's numbers: in the chart's data and in its table
    part = page.locator("#part-distribution")
    expect(part.locator("tbody tr").last).to_contain_text("90–100")
    expect(part.locator("tbody tr").last.locator("td")).to_have_text("2")
    expect(part.locator("svg text", has_text="2").first).to_be_attached()  # the bar's label
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, "dashboard")

    page.goto("/results/2025/?group=secondary")
    expect(page.locator("#ranking-table tbody tr").first).to_have_attribute("data-unit", "YX-S1")
    with page.expect_download() as download:
        page.locator("#ranking-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert [row[1] for row in sheet.iter_rows(min_row=3, values_only=True)] == ["YX-S1", "YX-S2"]
    screenshot(page, "ranking")


def test_a_grassroots_cadre_reads_its_own_results(page, published):
    log_in(page, "shequ")
    page.goto("/results/dashboard/")

    expect(page).to_have_url(re.compile(r"/results/unit/YX-S1-G1/$"))
    expect(page.locator("#part-unit .kaohe-chart svg")).to_have_count(1)
    expect(page.locator("#part-unit tbody tr").last.locator("td").first).to_have_text("80")
    screenshot(page, "own-results")
