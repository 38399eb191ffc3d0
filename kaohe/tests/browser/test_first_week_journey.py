"""A real federation's first week, on a phone (issue 11): the administrator gives a street federation's new
cadre an account; the cadre logs in with the slip's password, is made to choose their own, lands on their
unit, picks a unit of the street by typing part of its name, and imports a file with a bad row, whose fault
is the first thing on the screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kaohe.accounts.importing import COLUMNS
from kaohe.organisations.tests.files import csv_bytes
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(plain_http: None, chromium: Any, live_server: Any) -> Any:
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.screenshot_name = "first-week-phone"
    yield page
    context.close()


def fits_the_screen(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def test_a_new_cadre_starts_on_a_phone(phone, district_admin, shipped_standard, tmp_path: Path):
    page = phone
    # The administrator imports the account and reads the slip.
    log_in(page, "admin")
    accounts = tmp_path / "账号.csv"
    accounts.write_bytes(csv_bytes([["YX-S1", "陈新", "chenxin", "单位干部", ""]], COLUMNS))
    page.goto("/accounts/people/import/")
    page.locator("main input[type=file]").set_input_files(accounts)
    page.locator("main form button[type=submit]").click()
    password = page.locator("#slips .slip").filter(has_text="chenxin").locator(".slip-password").inner_text().strip()
    fits_the_screen(page)
    screenshot(page, "1-slip")
    page.context.clear_cookies()

    # The cadre logs in with it and must choose a password of their own first.
    log_in(page, "chenxin", password)
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    fits_the_screen(page)
    screenshot(page, "2-must-change")
    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("river-lake-2027")
    page.locator("#id_new_password2").fill("river-lake-2027")
    page.locator("main form button[type=submit]").click()

    # … and lands on their own unit: its to-do, figures, records and system.
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("#home-unit")).to_have_text("城关街道总工会")
    expect(page.locator("#figures-summary")).to_be_visible()
    expect(page.locator("#home-system [data-tier=grassroots]")).to_contain_text("2")
    fits_the_screen(page)
    screenshot(page, "3-landed")

    # Their records, then one unit of the street, picked by typing part of its name.
    page.locator('#home-records [data-kind="activities"] a').first.click()
    expect(page).to_have_url(re.compile(r"/records/activities/\?unit=YX-S1"))
    field = page.locator("#id_unit")
    field.fill("小学")
    page.locator('#id_unit-suggestions [data-unit-code="YX-S1-G2"]').click()
    expect(field).to_have_value("YX-S1-G2")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("#records-summary")).to_contain_text("城关小学工会")
    fits_the_screen(page)
    screenshot(page, "4-picked")

    # An import with a bad row: refused whole, and the fault is on the screen before anything else.
    activities = tmp_path / "活动.csv"
    rows = [
        ["YX-S1-G2", "大讲堂", "2026-03-05", "劳模讲党史", "40", "", "", ""],
        ["YX-S1-G2", "大讲堂", "2026-13-40", "读书会", "25", "", "", ""],
    ]
    activities.write_bytes(csv_bytes(rows, KINDS["activities"].headings))
    page.goto("/records/activities/import/")
    page.locator("main input[type=file]").set_input_files(activities)
    page.locator("main form button[type=submit]").click()
    errors = page.locator("#import-errors")
    expect(errors).to_be_visible()
    expect(errors).to_contain_text("活动日期")
    top = errors.bounding_box()
    assert top is not None
    assert top["y"] < PHONE["height"] / 2, "the fault is not the first thing on the screen"
    guide = page.locator("#import-columns")
    if guide.count():
        assert guide.bounding_box()["y"] > top["y"]
    fits_the_screen(page)
    screenshot(page, "5-import-refused")
    assert not Activity.objects.filter(name="劳模讲党史").exists()
