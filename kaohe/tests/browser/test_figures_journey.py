"""A grassroots cadre watches a target turn met: their empty year, an import of lecture-hall records, the
figures again; on a desktop and a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaohe.figures.tests.test_compute import add_activities
from kaohe.records.models import ActivityCategory
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIGURES = "/figures/YX-S1-G1/?year=2026"
ACTIVITY_HEADINGS = "单位编码,活动类别,活动日期,活动名称,参加人数"


def lectures_file(folder: Path) -> Path:
    """Five lecture-hall sessions of 城关社区工会 in 2026, 20 person-times each: 100 of its 120 members."""
    rows = [f"YX-S1-G1,大讲堂,2026-0{month}-15,职工素质教育大讲堂第{month}讲,20" for month in range(3, 8)]
    path = folder / "大讲堂.csv"
    path.write_text("\n".join([ACTIVITY_HEADINGS, *rows]) + "\n", encoding="utf-8-sig")
    return path


def met_badge(page, key: str):
    return page.locator(f'[data-figure="{key}"] [data-met]')


def test_a_grassroots_cadre_imports_lectures_and_sees_the_targets_met(
    page, grassroots_cadre, shipped_standard, tmp_path: Path
):
    log_in(page, "shequ")
    page.goto(FIGURES)
    expect(page.get_by_role("heading", name="城关社区工会")).to_be_visible()
    # Nothing recorded yet: the page says so and links to the import, rather than marking every target unmet.
    expect(page.locator("#empty-year")).to_be_visible()
    expect(met_badge(page, "lecture_count")).to_have_count(0)
    screenshot(page, "before")

    page.goto("/records/activities/import/")
    page.locator("input[type=file]").set_input_files(lectures_file(tmp_path))
    screenshot(page, "import")
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page.locator("#import-errors")).to_have_count(0)
    screenshot(page, "imported")

    page.goto(FIGURES)
    expect(met_badge(page, "lecture_count")).to_have_attribute("data-met", "true")
    expect(page.locator('[data-figure="lecture_count"] .figure-value')).to_have_text("5")
    expect(met_badge(page, "lecture_participation_rate")).to_have_attribute("data-met", "true")  # 100 ÷ 120
    expect(page.locator('[data-figure="lecture_participation_rate"] .figure-value')).to_have_text("83.3%")
    page.locator('[data-figure="lecture_count"]').scroll_into_view_if_needed()
    screenshot(page, "after")


def test_a_secondary_cadre_sorts_the_overview_of_their_system(page, secondary_cadre, tree, shipped_standard):
    add_activities(tree["YX-S1-G2"], ActivityCategory.LECTURE, 3, participants=60)
    log_in(page, "chengguan")
    page.goto("/figures/?year=2026")
    if page.viewport_size["width"] < 768:  # a phone: one card per unit, sorted from the list above them
        cards = page.locator("#figures-cards > li")
        expect(cards).to_have_count(3)
        expect(page.locator("#figures-table")).to_be_hidden()
        screenshot(page, "overview")
        page.locator("#figures-sort summary").click()
        page.locator('#figures-sort a[data-sort="lecture_count"]').click()
        expect(cards.first).to_have_attribute("data-unit", "YX-S1-G1")  # no lectures
        screenshot(page, "overview-sorted")
        return
    rows = page.locator("#figures-table tbody tr")
    expect(rows).to_have_count(3)
    screenshot(page, "overview")

    page.locator('#figures-table thead a[data-sort="lecture_count"]').click()
    expect(page.locator('#figures-table thead th[aria-sort="ascending"] a[data-sort="lecture_count"]')).to_be_visible()
    expect(rows.first).to_have_attribute("data-unit", "YX-S1-G1")  # no lectures
    page.locator('#figures-table thead a[data-sort="lecture_count"]').click()
    expect(page.locator('#figures-table thead th[aria-sort="descending"] a[data-sort="lecture_count"]')).to_be_visible()
    expect(rows.first).to_have_attribute("data-unit", "YX-S1")  # its system's 3 lectures, before YX-S1-G2's 3
    screenshot(page, "overview-sorted")
