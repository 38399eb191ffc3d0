"""A grassroots cadre reads the standard: the whole table, then one tier's column alone, on a desktop and a phone."""

from __future__ import annotations

import re

import pytest
import yaml
from playwright.sync_api import expect

from kaohe.standard.document import to_data
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADINGS = ["工作组（区总工会）", "二级工会（乡镇街道、委局公司）", "区直属基层工作"]
REWORDED = "汇总工会年度职工素质教育大讲堂活动开展情况，活动次数不低于6次。参培人数不低于工会会员总数的80%。"


def open_from_navigation(page, href: str) -> None:
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # on a phone the menu is folded away
        toggler.click()
    page.locator(f"nav a.nav-link[href='{href}']").click()


def test_a_grassroots_cadre_reads_the_standard_then_the_secondary_column_alone(
    page, grassroots_cadre, shipped_standard
):
    log_in(page, "shequ")
    open_from_navigation(page, "/standard/")
    expect(page.get_by_role("heading", name="房山区总工会学习型工会创建工作评估考核标准及细则（试行）")).to_be_visible()
    screenshot(page, "list")

    page.get_by_role("link", name="v1", exact=True).click()

    table = page.locator("table.standard-table")  # first the column a grassroots union is assessed against
    expect(table.locator("thead th")).to_have_count(5)
    expect(table.get_by_role("columnheader", name="区直属基层工作")).to_be_visible()
    expect(page.locator("#own-column")).to_have_attribute("aria-current", "page")
    screenshot(page, "own-column")

    page.locator(".tier-filter").get_by_role("link", name="全部层级").click()

    expect(table.locator("thead th")).to_have_count(7)
    for heading in HEADINGS:
        expect(table.get_by_role("columnheader", name=heading)).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(19)
    expect(table.get_by_text("创建激发了工会组织的活力，提升了会员学习和工作的热情。")).to_be_visible()
    screenshot(page, "table")

    page.locator(".tier-filter").get_by_role("link", name="二级工会（乡镇街道、委局公司）").click()

    expect(page).to_have_url(re.compile(rf"/standard/{shipped_standard.slug}/1/\?tier=secondary$"))
    expect(table.locator("thead th")).to_have_count(5)
    expect(table.get_by_role("columnheader", name="二级工会（乡镇街道、委局公司）")).to_be_visible()
    expect(table.get_by_role("columnheader", name="工作组（区总工会）")).to_have_count(0)
    expect(table.get_by_role("columnheader", name="区直属基层工作")).to_have_count(0)
    expect(table.get_by_text("成立区级志愿者队伍，并形成一定规模。")).to_have_count(0)  # the district's own
    screenshot(page, "secondary")

    page.emulate_media(media="print")
    expect(page.locator(".tier-filter")).to_be_hidden()
    screenshot(page, "print")


def test_a_district_admin_imports_a_revision_and_reads_what_changed(page, district_admin, shipped_standard, tmp_path):
    revision = to_data(shipped_standard.doc)
    revision["version"] = 2
    revision["categories"][3]["items"][0]["points"] = 6  # 4.1: 5 → 6, so category 4 adds up to 21 at first
    revision["categories"][5]["items"][0]["requirements"]["direct"][1]["text"] = REWORDED
    revision_file = tmp_path / "fangshan-2026-trial-v2.yaml"
    revision_file.write_text(yaml.safe_dump(revision, allow_unicode=True), encoding="utf-8")

    log_in(page, "admin")
    page.goto("/standard/")
    page.locator("a[href='/standard/import/']").first.click()
    page.locator("input[type=file]").set_input_files(revision_file)
    page.locator("main form button[type=submit]").click()

    expect(page.locator("#import-errors")).to_contain_text("categories[3].points")
    screenshot(page, "import-errors")

    revision["categories"][3]["items"][1]["points"] = 4  # 4.2: 5 → 4, and category 4 is 20 again
    revision_file.write_text(yaml.safe_dump(revision, allow_unicode=True), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(revision_file)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/standard/fangshan-2026-trial/2/$"))
    expect(page.locator("main .alert-success")).to_contain_text("fangshan-2026-trial-v2.yaml")
    screenshot(page, "imported")

    page.locator(".standard-toolbar a[href*='/compare/']").click()

    expect(page.locator("#items-repointed")).to_contain_text("出台系列创建相关政策文件等。")
    expect(page.locator("#items-repointed")).to_contain_text("5 → 6")
    expect(page.locator("#requirements-changed")).to_contain_text(REWORDED)
    expect(page.locator("#requirements-changed")).to_contain_text("区直属基层工作")
    screenshot(page, "compared")

    page.goto("/standard/")
    expect(page.locator(".compare-form select")).to_have_count(2)
    screenshot(page, "list-of-two-versions")
