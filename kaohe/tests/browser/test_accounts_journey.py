"""Giving units their accounts, in a real browser: the administrator imports a file and prints the login
slips; a new cadre logs in with a slip's password and is made to choose their own before anything else."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from kaohe.accounts.importing import COLUMNS
from kaohe.accounts.models import User
from kaohe.organisations.tests.files import csv_bytes
from kaohe.tests.browser.conftest import SCREENSHOTS, log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = [
    ["YX-S1-G2", "李晓", "lixiao", "单位干部", "13800138000"],
    ["YX-S2-G1", "王芳", "wangfang", "单位干部", ""],
    ["YX-D1", "孙丽", "sunli", "单位干部", ""],
    ["YX-S2", "周强", "zhouqiang", "单位干部", ""],
    ["YX", "赵敏", "zhaomin", "考核组成员", ""],
    *[["YX-S1-G1", f"干部{n}", f"cadre{n}", "单位干部", ""] for n in range(5)],
]


def import_accounts(page, tmp_path: Path, rows) -> None:
    accounts_file = tmp_path / "账号.csv"
    accounts_file.write_bytes(csv_bytes(rows, COLUMNS))
    page.goto("/accounts/people/import/")
    page.locator("main input[type=file]").set_input_files(accounts_file)
    page.locator("main form button[type=submit]").click()


def test_an_admin_imports_accounts_and_a_new_cadre_changes_the_slips_password(page, district_admin, tmp_path: Path):
    log_in(page, "admin")
    import_accounts(page, tmp_path, ROWS)

    slips = page.locator("#slips .slip")
    expect(slips).to_have_count(10)
    expect(page.locator("#shown-once")).to_be_visible()
    screenshot(page, "slips")
    slip = slips.filter(has_text="lixiao")
    password = slip.locator(".slip-password").inner_text().strip()
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)

    with page.expect_download() as download:
        page.locator("#slips-xlsx").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    if page.viewport_size["width"] > 1000:
        # Printed on A4: eight slips a page, so ten slips make two pages.
        page.emulate_media(media="print")
        pdf = page.pdf(format="A4", print_background=False, prefer_css_page_size=True)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{page.screenshot_name}-slips.pdf").write_bytes(pdf)
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 2
        page.emulate_media(media="screen")

    # The slips are gone once the page is left.
    page.goto("/accounts/people/import/")
    expect(page.get_by_text(password)).to_have_count(0)

    page.context.clear_cookies()
    log_in(page, "lixiao", password)
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))
    expect(page.locator("#must-change-password")).to_be_visible()
    screenshot(page, "must-change")
    page.goto("/units/")
    expect(page).to_have_url(re.compile(r"/accounts/password/$"))

    page.locator("#id_old_password").fill(password)
    page.locator("#id_new_password1").fill("river-lake-2027")
    page.locator("#id_new_password2").fill("river-lake-2027")
    page.locator("main form button[type=submit]").click()

    expect(page).not_to_have_url(re.compile(r"/accounts/password/$"))
    page.goto("/units/")
    expect(page).to_have_url(re.compile(r"/units/$"))
    assert not User.objects.get(username="lixiao").must_change_password


def test_a_file_with_a_bad_row_shows_its_fault_first(page, secondary_cadre, tmp_path: Path):
    log_in(page, "chengguan")

    rows = [["YX-S1-G2", "周强", "zhouqiang", "单位干部", ""], ["YX-S2-G1", "王芳", "wangfang", "单位干部", ""]]
    import_accounts(page, tmp_path, rows)

    errors = page.locator("#import-errors")
    expect(errors).to_contain_text("YX-S2-G1")
    expect(errors.get_by_role("row").nth(1)).to_contain_text("单位编码")
    box, guide = errors.bounding_box(), page.locator("#import-columns").bounding_box()
    assert box["y"] < guide["y"]
    screenshot(page, "errors")
    assert not User.objects.filter(username="zhouqiang").exists()
