"""The home page (待办) of each persona in the middle of a round, on a desktop and a phone: what is theirs to
do shows first, and nothing is wider than the screen."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment
from kaohe.conftest import make_user
from kaohe.tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill(cadre, code: str, cycle, numbers: list[str] | None = None) -> Assessment:
    assessment = Assessment.objects.select_related("cycle", "organisation").get(cycle=cycle, organisation__code=code)
    entries = {
        item.number: (item.points, "见佐证材料")
        for item in assessment.items.all()
        if numbers is None or item.number in numbers
    }
    actions.save_self_items(cadre, assessment, entries)
    return assessment


@pytest.fixture
def mid_round(tree, personas, shipped_standard):
    """This year's cycle, ten days before the self-assessment deadline: the grassroots union drafting, its
    secondary union's own assessment returned, a neighbour waiting for the secondary union, two units
    waiting for the assessor."""
    cycle = actions.open_cycle(
        personas["district_admin"],
        tree["YX"],
        timezone.localdate().year,
        shipped_standard,
        self_deadline=timezone.localdate() + datetime.timedelta(days=10),
        review_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    fill(personas["grassroots_cadre"], "YX-S1-G1", cycle, ["1.1", "2.1", "2.2", "3.1"])
    own = actions.submit_self_assessment(personas["secondary_cadre"], fill(personas["secondary_cadre"], "YX-S1", cycle))
    actions.return_assessment(
        personas["assessor"], own, comment="请补充会议纪要和签到表。", item_comments={"2.2": "缺少办公室会议纪要。"}
    )
    for code in ("YX-S1-G2", "YX-D1", "YX-S2"):
        cadre = make_user(f"cadre-{code.lower()}", Role.CADRE, tree[code])
        actions.submit_self_assessment(cadre, fill(cadre, code, cycle))
    fill(personas["district_admin"], "YX", cycle, ["1.1"])
    return cycle


@pytest.mark.parametrize(
    ("username", "first"),
    [("shequ", "todo-own"), ("chengguan", "todo-own"), ("assessor", "todo-reviews"), ("admin", "todo-own")],
)
def test_each_persona_sees_what_is_theirs_to_do_first(page, mid_round, username, first):
    log_in(page, username)

    expect(page.locator("#todo")).to_be_visible()
    assert page.locator("#todo section").first.get_attribute("id") == first
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    screenshot(page, username)


def test_the_secondary_cadre_reads_what_came_back_and_opens_a_unit_waiting_for_it(page, mid_round):
    log_in(page, "chengguan")

    expect(page.locator("#todo-returned")).to_contain_text("请补充会议纪要和签到表。")
    expect(page.locator("#todo-returned")).to_contain_text("缺少办公室会议纪要。")
    expect(page.locator("#todo-reviews .todo-waiting")).to_have_count(1)
    page.locator("#todo-reviews .todo-waiting a").click()
    page.wait_for_url(f"**/assessments/{timezone.localdate().year}/YX-S1-G2/")
    screenshot(page, "opened-from-home")


def test_outside_a_round_the_outsider_is_pointed_to_its_records_and_figures(page, mid_round):
    log_in(page, "linqu")

    expect(page.locator("#todo-no-cycle")).to_be_visible()
    expect(page.locator("#my-places a")).to_have_count(4)
    screenshot(page, "linqu")
