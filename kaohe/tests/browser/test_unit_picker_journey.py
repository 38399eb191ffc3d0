"""A secondary cadre narrows the activities to one unit by typing part of its name, on a desktop and a phone:
with the mouse, with the keyboard alone, and with JavaScript switched off."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from playwright.sync_api import expect

from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def activities(tree: dict[str, Any]) -> None:
    for code in ("YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2-G1"):
        Activity.objects.create(
            organisation=tree[code],
            category=ActivityCategory.LECTURE,
            name=f"活动-{code}",
            date=datetime.date(2026, 3, 1),
            participants=10,
        )


def test_a_cadre_picks_a_unit_by_part_of_its_name(page, secondary_cadre, activities):
    log_in(page, "chengguan")
    page.goto("/records/activities/")
    field = page.locator("#id_unit")
    expect(field).to_have_value("YX-S1")

    field.fill("城关")
    suggestions = page.locator("#id_unit-suggestions [data-unit-code]")
    expect(suggestions).to_have_count(3)
    expect(suggestions.first).to_contain_text("城关街道总工会")
    expect(page.locator("#id_unit-suggestions")).not_to_contain_text("云溪中学工会")  # another system's
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sticks out on a phone
    box = suggestions.first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= width
    screenshot(page, "suggestions")

    page.locator('#id_unit-suggestions [data-unit-code="YX-S1-G2"]').click()
    expect(field).to_have_value("YX-S1-G2")
    expect(suggestions).to_have_count(0)
    expect(page.locator("#id_unit-chosen")).to_contain_text("城关小学工会")
    page.get_by_role("button", name="筛选").click()

    expect(page.locator("#records-summary")).to_contain_text("城关小学工会")
    expect(page.locator("#records-count")).to_have_attribute("data-count", "1")
    screenshot(page, "filtered")

    # The same picker wherever a unit is entered: a record's form, the people list.
    for url in ("/records/activities/new/", "/accounts/people/"):
        page.goto(url)
        page.locator("#id_unit").fill("社区")
        expect(page.locator('#id_unit-suggestions [data-unit-code="YX-S1-G1"]')).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, url.strip("/").replace("/", "-"))


def test_the_keyboard_alone_picks_a_unit(page, secondary_cadre, activities):
    log_in(page, "chengguan")
    page.goto("/records/activities/")
    field = page.locator("#id_unit")

    field.fill("社区")
    expect(page.locator("#id_unit-suggestions [data-unit-code]")).to_have_count(1)
    page.keyboard.press("Tab")  # into the list
    expect(page.locator('[data-unit-code="YX-S1-G1"]')).to_be_focused()
    page.keyboard.press("Enter")

    expect(field).to_have_value("YX-S1-G1")
    expect(field).to_be_focused()
    page.keyboard.press("Enter")  # sends the filter
    expect(page.locator("#records-count")).to_have_attribute("data-count", "1")

    field.fill("城关")
    expect(page.locator("#id_unit-suggestions [data-unit-code]")).to_have_count(3)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator('[data-unit-code="YX-S1-G1"]')).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#id_unit-suggestions [data-unit-code]")).to_have_count(0)
    expect(field).to_be_focused()


def test_a_name_typed_matching_nothing_is_said_on_the_page(page, secondary_cadre, activities):
    log_in(page, "chengguan")
    page.goto("/records/activities/?unit=教委")

    expect(page.locator("#filter-refused")).to_be_visible()
    expect(page.locator(".invalid-feedback")).to_contain_text("教委")
    screenshot(page, "nothing-found")


def test_without_javascript_the_field_still_takes_a_name(
    chromium, live_server, plain_http, secondary_cadre, activities
):
    context = chromium.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.screenshot_name = "test_without_javascript_the_field_still_takes_a_name"
    try:
        log_in(page, "chengguan")
        page.goto("/records/activities/")
        page.locator("#id_unit").fill("小学")
        page.get_by_role("button", name="筛选").click()

        expect(page.locator("#records-summary")).to_contain_text("城关小学工会")
        expect(page.locator("#records-count")).to_have_attribute("data-count", "1")
        screenshot(page, "filtered")
    finally:
        context.close()
