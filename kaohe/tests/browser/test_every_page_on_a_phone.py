"""Every page of kaohe, opened at 390 px wide by someone allowed to see it (issue 11, "Use it on a phone"):
it answers, shows its heading, and nothing sticks out sideways (wide tables scroll inside their own box).

`PHONE_PAGES` names a page of every URL that shows one; a test without the browser checks that no page is
missing from it, so that a new page is looked at on a phone from the day it is added."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kaohe.assessments import actions
from kaohe.assessments.tests.conftest import assessment_of, fill_in
from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.browser.conftest import log_in, screenshot
from kaohe.tests.test_every_url_pinned import EXEMPT, url_names

THIS_YEAR = timezone.localdate().year
PHONE = {"width": 390, "height": 844}

# URL name → (who opens it, the address). {activity}: a record of the fixture below.
PHONE_PAGES: dict[str, tuple[str | None, str]] = {
    "home": ("shequ", "/"),
    "login": (None, "/accounts/login/"),
    "password_change": ("shequ", "/accounts/password/"),
    "profile": ("shequ", "/accounts/profile/"),
    "people": ("chengguan", "/accounts/people/"),
    "people_create": ("chengguan", "/accounts/people/new/"),
    "people_import": ("admin", "/accounts/people/import/"),
    "people_edit": ("admin", "/accounts/people/shequ/edit/"),
    "people_password": ("admin", "/accounts/people/shequ/password/"),
    "organisations:tree": ("admin", "/units/"),
    "organisations:import": ("admin", "/units/import/"),
    "organisations:detail": ("chengguan", "/units/YX-S1/"),
    "organisations:create": ("admin", "/units/YX-S1/new/"),
    "organisations:edit": ("admin", "/units/YX-S1-G1/edit/"),
    "organisations:move": ("admin", "/units/YX-S1-G1/move/"),
    "standard:list": ("admin", "/standard/"),
    "standard:import": ("admin", "/standard/import/"),
    "standard:compare": ("admin", "/standard/fangshan-2026-trial/compare/?from=1&to=1"),
    "standard:detail": ("shequ", "/standard/fangshan-2026-trial/1/"),
    "standard:make_default": ("admin", "/standard/fangshan-2026-trial/1/make-default/"),
    "records:list": ("chengguan", "/records/activities/"),
    "records:create": ("shequ", "/records/activities/new/"),
    "records:import": ("chengguan", "/records/activities/import/"),
    "records:edit": ("shequ", "/records/activities/{activity}/edit/"),
    "records:delete": ("shequ", "/records/activities/{activity}/delete/"),
    "figures:overview": ("chengguan", "/figures/"),
    "figures:unit": ("shequ", "/figures/YX-S1-G1/"),
    "assessments:cycles": ("admin", "/assessments/"),
    "assessments:open": ("admin", "/assessments/open/"),
    "assessments:import_past": ("admin", "/assessments/import/"),
    "assessments:progress": ("admin", f"/assessments/{THIS_YEAR}/"),
    "assessments:assign": ("admin", f"/assessments/{THIS_YEAR}/assign/"),
    "assessments:publish": ("admin", f"/assessments/{THIS_YEAR}/publish/"),
    "assessments:review_sheet_upload": ("assessor", f"/assessments/{THIS_YEAR}/review-sheet/"),
    "assessments:assessment": ("chengguan", f"/assessments/{THIS_YEAR}/YX-S1-G1/"),
    "assessments:assessment_return": ("chengguan", f"/assessments/{THIS_YEAR}/YX-S1-G1/return/"),
    "assessments:assessment_reopen": ("admin", f"/assessments/{THIS_YEAR}/YX-S1-G1/reopen/"),
    "assessments:assessment_history": ("shequ", f"/assessments/{THIS_YEAR}/YX-S1-G1/history/"),
    "assessments:assessment_item": ("chengguan", f"/assessments/{THIS_YEAR}/YX-S1-G1/6.1/"),
    "results:cycles": ("shequ", "/results/"),
    "results:ranking": ("admin", f"/results/{THIS_YEAR}/"),  # not published yet: says so
    "results:sheet": ("chengguan", f"/results/{THIS_YEAR}/YX-S1-G1/"),
    "results:dashboard": ("admin", "/results/dashboard/"),
    "results:unit": ("shequ", "/results/unit/YX-S1-G1/"),
}

# Not pages a person reads: files, and the fragments htmx puts into a page that is on the list.
NOT_A_PAGE = {
    "people_import_template": "an xlsx file",
    "people_import_template_for_units": "an xlsx file",
    "organisations:suggest": "a fragment: the picker's suggestions, seen on records:list",
    "organisations:children": "a fragment: the next units of the tree, seen on organisations:tree",
    "organisations:import_template": "an xlsx file",
    "organisations:export": "an xlsx file",
    "standard:export": "an xlsx file",
    "records:export": "an xlsx file",
    "records:import_template": "an xlsx file",
    "figures:export": "an xlsx file",
    "assessments:progress_export": "an xlsx file",
    "assessments:review_sheet": "an xlsx file",
    "assessments:assessment_evidence": "a file: the evidence itself",
    "results:ranking_export": "an xlsx file",
    "results:sheet_export": "an xlsx file",
    "results:ranking_pdf": "a PDF file",
    "results:sheet_pdf": "a PDF file",
    "results:sheets_pdf": "a PDF file",
    "results:dashboard_export": "an xlsx file",
    "results:unit_export": "an xlsx file",
}


def test_every_page_is_on_the_phone_list():
    # The API's endpoints answer JSON to programs, and its documentation is Swagger UI's own page.
    pages = {name for name, _route in url_names() if not name.startswith("api:")}
    names = pages - set(EXEMPT) - set(NOT_A_PAGE)
    assert sorted(names - set(PHONE_PAGES)) == []
    assert sorted(set(PHONE_PAGES) - names) == []


@pytest.fixture
def district(tree, personas, shipped_standard) -> dict[str, Any]:
    """This year's cycle, 城关社区工会's self-assessment submitted for its street to review, an activity."""
    admin, cadre = personas["district_admin"], personas["grassroots_cadre"]
    day = timezone.localdate()
    cycle = actions.open_cycle(
        admin,
        tree["YX"],
        THIS_YEAR,
        shipped_standard,
        self_deadline=day + datetime.timedelta(days=10),
        review_deadline=day + datetime.timedelta(days=30),
    )
    assessment = assessment_of(cycle, "YX-S1-G1")
    fill_in(cadre, assessment)
    actions.submit_self_assessment(cadre, assessment)
    activity = Activity.objects.create(
        organisation=tree["YX-S1-G1"],
        category=ActivityCategory.LECTURE,
        name="职工大讲堂：劳模进社区讲述奋斗故事",
        date=day.replace(month=1, day=5),
        participants=40,
    )
    return {"activity": activity.pk}


pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(plain_http: None, chromium: Any, live_server: Any) -> Any:
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.mark.browser
def test_every_page_reads_on_a_phone(phone, district):
    page = phone.new_page()
    page.screenshot_name = "phone-page"
    signed_in_as: str | None = None
    too_wide: list[str] = []
    for name, (username, address) in PHONE_PAGES.items():
        if username != signed_in_as:
            phone.clear_cookies()
            if username:
                log_in(page, username)
            signed_in_as = username
        url = address.format(**district)
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, f"{name} {url}: {response.status}"
        expect(page.locator("h1").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{name} {url}: {width} px")
        screenshot(page, name.replace(":", "-"))
    assert too_wide == [], "pages wider than the phone: " + "; ".join(too_wide)
