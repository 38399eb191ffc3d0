"""A whole round in a real Chromium, at desktop and phone width: a grassroots cadre self-assesses with a photo
taken on the phone, its secondary union returns it, the cadre fixes and resubmits, the secondary union
scores it; an assessor scores a secondary union, and the district administrator publishes the cycle.

The fourteen items nobody needs to watch being typed are filled in through the same action functions the
pages call; every step a person takes on the pages here is one the issue names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Item, Status
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cycle(tree: Any, shipped_standard: Any, district_admin: Any) -> Any:
    return actions.open_cycle(district_admin, tree["YX"], 2026, shipped_standard)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def assessment(code: str) -> Assessment:
    return Assessment.objects.select_related("cycle", "organisation").get(organisation__code=code)


def fill_all_but(actor: Any, code: str, skip: str = "") -> None:
    for item in assessment(code).items.exclude(number=skip):
        actions.save_self_item(actor, item, self_score=item.points, explanation="见佐证材料")


def review_all_but(actor: Any, code: str, skip: str = "") -> None:
    for item in assessment(code).items.exclude(number=skip):
        reason = "按材料评定" if actions.needs_reason(item, item.self_score) else ""
        actions.review_item(actor, item, final_score=item.self_score, reason=reason)


def switch_to(page: Any, username: str) -> None:
    page.context.clear_cookies()
    log_in(page, username)


def a_photo(page: Any, folder: Path) -> Path:
    path = folder / "IMG_2001.jpg"
    page.set_content("<body style='margin:0;background:#36c'><h1 style='color:#fff'>大讲堂签到</h1></body>")
    page.screenshot(path=path, type="jpeg")
    return path


def test_a_whole_round_from_self_assessment_to_publication(page, cycle, personas, media):
    grassroots, secondary = personas["grassroots_cadre"], personas["secondary_cadre"]
    assessor, admin = personas["assessor"], personas["district_admin"]
    photo = a_photo(page, media)

    # The grassroots cadre: 6.1 on the page, with a photo from the camera input, then submits.
    fill_all_but(grassroots, "YX-S1-G1", skip="6.1")
    log_in(page, "shequ")
    page.goto("/assessments/2026/YX-S1-G1/6.1/")
    page.locator("#id_self-self_score").fill("12")
    page.locator("#id_self-explanation").fill("全年举办大讲堂五讲")
    page.locator("#self-form button[type=submit]").click()
    expect(page.locator("#saved-at")).to_be_visible()
    page.locator("#id_upload-photo").set_input_files(photo)
    page.locator("#upload-form button[type=submit]").click()
    expect(page.locator(".evidence-file").first).to_have_text("IMG_2001.jpg")
    screenshot(page, "self-assessed")
    page.goto("/assessments/2026/YX-S1-G1/")
    page.locator("#submit-assessment").click()
    expect(page.locator("#assessment")).to_have_attribute("data-status", "submitted")

    # Its secondary union returns it with a comment on 6.1.
    switch_to(page, "chengguan")
    page.goto("/assessments/2026/YX-S1-G1/")
    page.locator("#return-assessment").click()
    page.locator("[data-item='6.1'] textarea").fill("请补充参加人数的签到表")
    page.locator("#return-form button[type=submit]").click()
    expect(page.locator("#assessment")).to_have_attribute("data-status", "returned")

    # The cadre sees the comment, fixes 6.1 and submits again.
    switch_to(page, "shequ")
    page.goto("/assessments/2026/YX-S1-G1/6.1/")
    expect(page.locator("#returned-comments")).to_contain_text("请补充参加人数的签到表")
    page.locator("#id_self-explanation").fill("全年举办大讲堂五讲，已补充签到表")
    page.locator("#self-form button[type=submit]").click()
    expect(page.locator("#saved-at")).to_be_visible()
    page.goto("/assessments/2026/YX-S1-G1/")
    expect(page.locator("#returns")).to_contain_text("请补充参加人数的签到表")  # the earlier round stays
    page.locator("#submit-assessment").click()
    expect(page.locator("#assessment")).to_have_attribute("data-status", "submitted")

    # The secondary union scores it: 6.1 on the page, below the self-score, so with a reason.
    switch_to(page, "chengguan")
    review_all_but(secondary, "YX-S1-G1", skip="6.1")
    page.goto("/assessments/2026/YX-S1-G1/6.1/")
    page.locator("#id_review-final_score").fill("10")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#review-form .invalid-feedback")).to_be_visible()  # no reason: refused
    page.locator("#id_review-reason").fill("参加人数未达会员的80%")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#saved-at")).to_be_visible()
    page.goto("/assessments/2026/YX-S1-G1/")
    page.locator("#complete-review").click()
    expect(page.locator("#assessment")).to_have_attribute("data-status", "reviewed")
    screenshot(page, "grassroots-reviewed")

    # An assessor scores the secondary union itself.
    fill_all_but(secondary, "YX-S1")
    actions.submit_self_assessment(secondary, assessment("YX-S1"))
    review_all_but(assessor, "YX-S1", skip="1.1")
    switch_to(page, "assessor")
    page.goto("/assessments/2026/YX-S1/1.1/")
    page.locator("#id_review-final_score").fill("4")
    page.locator("#id_review-reason").fill("两次专题学习，材料齐全")
    page.locator("#review-form button[type=submit]").click()
    expect(page.locator("#saved-at")).to_be_visible()
    page.goto("/assessments/2026/YX-S1/")
    page.locator("#complete-review").click()
    expect(page.locator("#assessment")).to_have_attribute("data-status", "reviewed")

    # Everyone else is reviewed too; the administrator publishes.
    for other in Assessment.objects.exclude(organisation__code__in=["YX-S1", "YX-S1-G1"]):
        code = other.organisation.code
        filler = admin if code == "YX" else grassroots
        fill_all_but(filler, code)
        actions.submit_self_assessment(filler, assessment(code))
        review_all_but(assessor if other.tier != "grassroots" else secondary, code)
        actions.complete_review(assessor, assessment(code))
    switch_to(page, "admin")
    page.goto("/assessments/2026/publish/")
    page.locator("#publish-form button[type=submit]").click()
    page.goto("/assessments/2026/YX-S1-G1/")
    expect(page.locator("#assessment")).to_have_attribute("data-status", "published")
    expect(page.locator("#final-total")).to_contain_text("95")  # 100, with 6.1 at 10 of 15
    screenshot(page, "published")
    assert Item.objects.get(assessment__organisation__code="YX-S1-G1", number="6.1").final_score == 10
    assert assessment("YX-S1-G1").status == Status.PUBLISHED
