"""Journeys through the organisation tree, in Chinese, on a desktop and a phone."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import csv_bytes
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_secondary_cadre_sees_their_system_and_reads_why_an_import_failed(page, secondary_cadre, tmp_path: Path):
    log_in(page, "chengguan")
    expect(page.locator("#todo")).to_be_visible()  # signing in lands on 待办; the tree is one page on
    page.goto("/units/")
    expect(page.get_by_role("heading", name="城关街道总工会")).to_be_visible()
    expect(page.get_by_role("link", name="城关社区工会")).to_be_visible()
    expect(page.get_by_role("link", name="城关小学工会")).to_be_visible()
    expect(page.get_by_text("区教委工会")).to_have_count(0)
    screenshot(page, "tree")

    units_file = tmp_path / "城关新单位.csv"
    units_file.write_bytes(
        csv_bytes(
            [["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45], ["YX-S1-G4", "错挂工会", "YX-S2", "基层工会", 12]]
        )
    )
    page.get_by_role("link", name="导入单位").click()
    page.get_by_label("单位文件（.xlsx 或 .csv）").set_input_files(units_file)
    page.get_by_role("button", name="导入", exact=True).click()

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("未导入任何数据：文件中有 1 处错误。")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("3")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("上级单位编码")
    expect(errors).to_contain_text("文件中和您的系统中都没有编码为 YX-S2 的单位。")
    screenshot(page, "import-errors")
    assert not Organisation.objects.filter(code="YX-S1-G3").exists()


def test_a_district_admin_opens_a_branch_of_the_tree(page, district_admin):
    log_in(page, "admin")
    expect(page.locator("#todo")).to_be_visible()
    page.goto("/units/")
    expect(page.get_by_role("link", name="城关社区工会")).to_have_count(0)

    page.locator("summary", has_text="城关街道总工会").click()

    expect(page.get_by_role("link", name="城关社区工会")).to_be_visible()
    screenshot(page, "branch-open")
