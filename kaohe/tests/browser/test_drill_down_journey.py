"""A secondary cadre checks a figure against its records: from 大讲堂活动次数 to exactly the activities it
counts, then imports the same file twice and reads that the second time added nothing; desktop and phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaohe.figures.tests.test_compute import add_activities
from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVITY_HEADINGS = "单位编码,活动类别,活动日期,活动名称,参加人数"


def lectures_file(folder: Path) -> Path:
    rows = [f"YX-S1-G2,大讲堂,2026-0{month}-10,城关小学大讲堂第{month}讲,30" for month in range(3, 6)]
    path = folder / "城关小学大讲堂.csv"
    path.write_text("\n".join([ACTIVITY_HEADINGS, *rows]) + "\n", encoding="utf-8-sig")
    return path


def test_a_secondary_cadre_follows_a_figure_to_its_records_and_imports_a_file_twice(
    page, secondary_cadre, tree, shipped_standard, tmp_path: Path
):
    add_activities(tree["YX-S1"], ActivityCategory.LECTURE, 2, participants=40)
    add_activities(tree["YX-S1-G1"], ActivityCategory.LECTURE, 2, participants=40)
    add_activities(tree["YX-S1-G1"], ActivityCategory.TRAINING, 4)  # not lectures: not counted
    add_activities(tree["YX-S2-G1"], ActivityCategory.LECTURE, 5)  # another system's
    log_in(page, "chengguan")

    page.goto("/figures/YX-S1/?year=2026")
    lectures = page.locator('[data-figure="lecture_count"]')
    expect(lectures.locator(".figure-value")).to_have_text("4")
    expect(lectures.locator(".figure-scope")).to_have_text("含下级")
    expect(lectures.locator(".figure-basis")).to_contain_text("6 = 3 × 2 个基层工会")
    expect(page.locator("#standard-in-force")).to_contain_text("v1")
    lectures.scroll_into_view_if_needed()
    screenshot(page, "figure")

    lectures.locator(".figure-value").click()
    expect(page.locator("#records-count")).to_have_attribute("data-count", "4")
    expect(page.locator("#records-total")).to_have_attribute("data-total", "80")
    screenshot(page, "records")

    page.goto("/records/activities/import/")
    for attempt in ("first", "second"):
        page.locator("input[type=file]").set_input_files(lectures_file(tmp_path))
        page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
        if attempt == "first":
            expect(page.locator(".alert-success, #import-result").first).to_contain_text("3")
            page.goto("/records/activities/import/")
    expect(page.locator("#import-result")).to_contain_text("0")
    expect(page.locator("#skipped-rows tbody tr")).to_have_count(3)
    screenshot(page, "imported-twice")
    assert Activity.objects.filter(organisation=tree["YX-S1-G2"]).count() == 3

    page.goto("/figures/YX-S1/?year=2026")
    expect(page.locator('[data-figure="lecture_count"] .figure-value')).to_have_text("7")
    expect(page.locator('[data-figure="lecture_count"] [data-met]')).to_have_attribute("data-met", "true")
