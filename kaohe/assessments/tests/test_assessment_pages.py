"""One unit's assessment page, and who may open each page of it: the unit's own people fill it in, the unit
above reviews it, the district's administrators reopen it, everyone else who sees the unit reads it, and to
anyone outside the unit's subtree none of it exists (404).

Checks look at ids and data attributes rather than wording: the page's language is the reader's.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(code: str, rest: str = "", year: int = 2026) -> str:
    return f"/assessments/{year}/{code}/{rest}"


def main_of(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def ids_in(response: Any) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', main_of(response)))


# Who may open which page ------------------------------------------------------------------------------------

# persona, unit, (assessment page, item page, history, return form, reopen form)
MATRIX = [
    ("district_admin", "YX", (OK, OK, OK, FORBIDDEN, OK)),  # reopening is refused by state, not by right
    ("district_admin", "YX-S1-G1", (OK, OK, OK, FORBIDDEN, OK)),  # administrators never review
    ("assessor", "YX-S1", (OK, OK, OK, OK, FORBIDDEN)),  # the district's team reviews the secondary unions
    ("assessor", "YX-D1", (OK, OK, OK, OK, FORBIDDEN)),  # … the direct ones
    ("assessor", "YX", (OK, OK, OK, OK, FORBIDDEN)),  # … and the district's own
    ("assessor", "YX-S1-G1", (OK, OK, OK, FORBIDDEN, FORBIDDEN)),  # a grassroots union is its secondary's
    ("secondary_cadre", "YX-S1", (OK, OK, OK, FORBIDDEN, FORBIDDEN)),  # never reviews its own
    ("secondary_cadre", "YX-S1-G1", (OK, OK, OK, OK, FORBIDDEN)),  # reviews its system's grassroots unions
    ("secondary_cadre", "YX-S2-G1", (NOT_FOUND,) * 5),  # another system
    ("secondary_cadre", "YX", (NOT_FOUND,) * 5),  # the unit above
    ("grassroots_cadre", "YX-S1-G1", (OK, OK, OK, FORBIDDEN, FORBIDDEN)),
    ("grassroots_cadre", "YX-S1-G2", (NOT_FOUND,) * 5),  # a neighbour
    ("grassroots_cadre", "YX-S1", (NOT_FOUND,) * 5),
    ("outsider", "YX-S1-G1", (NOT_FOUND,) * 5),
    ("outsider", "LQ-S1", (NOT_FOUND,) * 5),  # its own unit, but its district has no cycle for the year
]
PAGES = ("", "6.1/", "history/", "return/", "reopen/")


@pytest.mark.parametrize(("persona", "code", "expected"), MATRIX)
def test_who_may_open_which_page(client, cycle, personas, persona, code, expected):
    client.force_login(personas[persona])

    statuses = tuple(client.get(url(code, page)).status_code for page in PAGES)

    assert statuses == expected


def test_another_years_assessment_does_not_exist(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    assert client.get(url("YX-S1-G1", year=2025)).status_code == NOT_FOUND
    assert client.get(url("YX-S1-G1", "9.9/")).status_code == NOT_FOUND  # no such item


def test_signed_out_visitors_are_sent_to_log_in(client, cycle):
    response = client.get(url("YX-S1-G1"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# What the page shows ----------------------------------------------------------------------------------------


def test_the_unit_sees_its_state_deadlines_totals_and_what_is_missing(client, cycle, grassroots_cadre):
    item = assessment_of(cycle, "YX-S1-G1").items.get(number="1.1")
    actions.save_self_item(grassroots_cadre, item, self_score="3.5", explanation="两次专题学习")
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1"))

    page = main_of(response)
    assert 'data-status="draft"' in page
    assert 'data-deadline="2026-11-30"' in page
    assert 'data-deadline="2026-12-20"' in page
    assert re.search(r'id="self-total">3\.5 ', page)
    assert 'id="final-total"' not in page  # final scores are the reviewer's until publication
    assert len(response.context["missing"]) == 14  # every item but 1.1
    assert {"submit-assessment", "missing", "history-link", "score-sheet-link"} <= ids_in(response)
    numbers = re.findall(r'<tr data-item="([^"]+)"', page)
    assert numbers == [
        "1.1",
        "2.1",
        "2.2",
        "3.1",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "5.1",
        "6.1",
        "6.2",
        "6.3",
        "6.4",
        "7.1",
        "8",
    ]
    assert "创建成效与特色创新" in page  # the pooled category shown by its title


def test_days_left_count_down_to_each_deadline(client, cycle, grassroots_cadre, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: datetime.date(2026, 11, 28))
    client.force_login(grassroots_cadre)

    deadlines = client.get(url("YX-S1-G1")).context["deadlines"]

    assert [(d.day.isoformat(), d.days_left) for d in deadlines] == [("2026-11-30", 2), ("2026-12-20", 22)]


def test_readers_who_may_not_act_see_no_buttons(client, cycle, personas):
    client.force_login(personas["assessor"])  # a grassroots union is not the district team's to review

    response = client.get(url("YX-S1-G1"))

    assert not {"submit-assessment", "complete-review", "return-assessment", "reopen-assessment"} & ids_in(response)


# Submitting -------------------------------------------------------------------------------------------------


def test_submitting_an_incomplete_assessment_is_refused_with_the_list_of_what_is_missing(
    client, cycle, grassroots_cadre
):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1"))
    version = page.context["confirm_form"]["version"].value()

    response = client.post(url("YX-S1-G1", "submit/"), {"version": version})

    assert response.status_code == OK
    assert len(response.context["refused_missing"]) == 15
    assert "refusal" in ids_in(response)
    assert any("6.1" in line for line in response.context["refused_missing"])
    assert assessment_of(cycle, "YX-S1-G1").status == Status.NOT_STARTED


def test_a_complete_assessment_is_submitted(client, cycle, grassroots_cadre):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    client.force_login(grassroots_cadre)
    version = client.get(url("YX-S1-G1")).context["confirm_form"]["version"].value()

    response = client.post(url("YX-S1-G1", "submit/"), {"version": version})

    assert response.status_code == 302
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED
    after = client.get(url("YX-S1-G1"))
    assert "submit-assessment" not in ids_in(after)


def test_submitting_from_a_page_opened_before_a_change_is_refused(client, cycle, grassroots_cadre):
    assessment = assessment_of(cycle, "YX-S1-G1")
    fill_in(grassroots_cadre, assessment)
    client.force_login(grassroots_cadre)
    stale = assessment_of(cycle, "YX-S1-G1").version - 1

    response = client.post(url("YX-S1-G1", "submit/"), {"version": stale})

    assert "refusal" in ids_in(response)
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


@pytest.mark.parametrize(
    ("persona", "expected"), [("secondary_cadre", FORBIDDEN), ("assessor", FORBIDDEN), ("outsider", NOT_FOUND)]
)
def test_only_the_units_own_people_submit_it(client, cycle, personas, grassroots_cadre, persona, expected):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    client.force_login(personas[persona])

    response = client.post(url("YX-S1-G1", "submit/"), {"version": assessment_of(cycle, "YX-S1-G1").version})

    assert response.status_code == expected
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


def test_a_secondary_cadre_submits_its_own_assessment(client, cycle, secondary_cadre):
    fill_in(secondary_cadre, assessment_of(cycle, "YX-S1"))
    client.force_login(secondary_cadre)

    client.post(url("YX-S1", "submit/"), {"version": assessment_of(cycle, "YX-S1").version})

    assert assessment_of(cycle, "YX-S1").status == Status.SUBMITTED


def test_submitting_twice_is_refused_with_a_message(client, cycle, grassroots_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "submit/"), {"version": assessment.version})

    assert response.status_code == OK
    assert "refusal" in ids_in(response)


def test_a_submit_without_the_version_is_refused(client, cycle, grassroots_cadre):
    fill_in(grassroots_cadre, assessment_of(cycle, "YX-S1-G1"))
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "submit/"), {})

    assert "refusal" in ids_in(response)
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


# Reviewing: the list, marking reviewed, returning ------------------------------------------------------------


def test_the_reviewer_sees_final_scores_so_far_and_the_review_buttons(client, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="4")
    client.force_login(secondary_cadre)

    response = client.get(url("YX-S1-G1"))

    assert {"complete-review", "return-assessment", "final-total"} <= ids_in(response)
    assert 'data-final="4.0"' in main_of(response)
    assert (response.context["final_total"], response.context["grade"]) == (4, "")  # no band for one item of 15
    client.force_login(grassroots_cadre)
    assert "data-final=" not in main_of(client.get(url("YX-S1-G1")))  # not to the unit, before publication


def test_marking_reviewed_with_items_unscored_is_refused_with_a_list(client, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="4")
    client.force_login(secondary_cadre)

    response = client.post(url("YX-S1-G1", "review-complete/"), {"version": assessment_of(cycle, "YX-S1-G1").version})

    assert len(response.context["refused_missing"]) == 14
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED


def test_marking_reviewed_once_every_item_is_scored(client, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    for item in assessment.items.all():
        reason = "与提议不同" if actions.needs_reason(item, item.self_score) else ""
        actions.review_item(secondary_cadre, item, final_score=item.self_score, reason=reason)
    client.force_login(secondary_cadre)

    response = client.post(url("YX-S1-G1", "review-complete/"), {"version": assessment_of(cycle, "YX-S1-G1").version})

    assert response.status_code == 302
    assert assessment_of(cycle, "YX-S1-G1").status == Status.REVIEWED


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("grassroots_cadre", FORBIDDEN), ("assessor", FORBIDDEN), ("district_admin", FORBIDDEN), ("outsider", NOT_FOUND)],
)
def test_only_the_reviewer_marks_reviewed(client, cycle, personas, grassroots_cadre, persona, expected):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(personas[persona])

    response = client.post(url("YX-S1-G1", "review-complete/"), {"version": assessment.version})

    assert response.status_code == expected


def test_an_assessor_reviews_only_the_units_given_to_them(client, cycle, personas, secondary_cadre):
    from kaohe.conftest import make_user

    other = make_user("assessor2", "assessor", cycle.district)
    actions.assign_reviewer(personas["district_admin"], [assessment_of(cycle, "YX-S1")], other)
    submitted(secondary_cadre, cycle, "YX-S1")
    client.force_login(personas["assessor"])

    assert client.get(url("YX-S1", "return/")).status_code == FORBIDDEN
    assert client.get(url("YX-D1", "return/")).status_code == OK  # not given to anyone: any assessor's
    client.force_login(other)
    assert client.get(url("YX-S1", "return/")).status_code == OK


def test_returning_with_comments_sends_it_back_and_the_unit_sees_them(client, cycle, grassroots_cadre, secondary_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(secondary_cadre)
    form = client.get(url("YX-S1-G1", "return/")).context["form"]

    response = client.post(
        url("YX-S1-G1", "return/"),
        {"version": form["version"].value(), "comment": "请补充材料", "item_6.1": "缺少签到表", "item_2.1": ""},
    )

    assert response.status_code == 302
    returned = assessment_of(cycle, "YX-S1-G1")
    assert returned.status == Status.RETURNED
    assert list(returned.returns.values_list("comment", "item_comments")) == [("请补充材料", {"6.1": "缺少签到表"})]
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1"))
    assert 'data-round="1"' in main_of(page)
    assert "缺少签到表" in main_of(page)
    assert "submit-assessment" in ids_in(page)  # the unit fills it in again
    item_page = client.get(url("YX-S1-G1", "6.1/"))
    assert "returned-comments" in ids_in(item_page)
    assert "缺少签到表" in main_of(item_page)


def test_returning_without_any_comment_is_refused(client, cycle, grassroots_cadre, secondary_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(secondary_cadre)
    form = client.get(url("YX-S1-G1", "return/")).context["form"]

    response = client.post(url("YX-S1-G1", "return/"), {"version": form["version"].value(), "comment": "  "})

    assert response.status_code == OK
    assert response.context["form"].errors
    assert assessment_of(cycle, "YX-S1-G1").status == Status.SUBMITTED


def test_returning_a_draft_is_refused(client, cycle, secondary_cadre):
    client.force_login(secondary_cadre)
    form = client.get(url("YX-S1-G1", "return/")).context["form"]

    response = client.post(url("YX-S1-G1", "return/"), {"version": form["version"].value(), "comment": "改"})

    assert response.context["form"].non_field_errors()
    assert assessment_of(cycle, "YX-S1-G1").status == Status.NOT_STARTED


def test_the_grassroots_cadre_cannot_return_its_own(client, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "return/"), {"version": 3, "comment": "自己退回"})

    assert response.status_code == FORBIDDEN


# Publication and reopening ----------------------------------------------------------------------------------


@pytest.fixture
def published(cycle, personas) -> Any:
    """Every unit filled in, reviewed as self-assessed and published (actions do not ask who acts)."""
    admin = personas["district_admin"]
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(admin, assessment)
        actions.submit_self_assessment(admin, assessment)
        review_all(personas["assessor"], assessment)
    actions.publish_cycle(admin, cycle)
    return cycle


def test_after_publication_the_unit_sees_its_final_total_and_grade(client, published, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1"))

    assert {"final-total", "grade"} <= ids_in(response)
    assert response.context["final_total"] == 100
    assert response.context["grade"] == "优秀"
    assert "submit-assessment" not in ids_in(response)


def test_a_district_admin_reopens_a_published_assessment_with_a_reason(client, published, district_admin):
    client.force_login(district_admin)
    assert "reopen-assessment" in ids_in(client.get(url("YX-S1-G1")))
    form = client.get(url("YX-S1-G1", "reopen/")).context["form"]

    refused = client.post(url("YX-S1-G1", "reopen/"), {"version": form["version"].value(), "reason": ""})
    assert refused.context["form"].errors["reason"]
    assert assessment_of(published, "YX-S1-G1").status == Status.PUBLISHED

    response = client.post(url("YX-S1-G1", "reopen/"), {"version": form["version"].value(), "reason": "计分有误"})
    assert response.status_code == 302
    reopened = assessment_of(published, "YX-S1-G1")
    assert reopened.status == Status.SUBMITTED
    assert reopened.final_total is None


@pytest.mark.parametrize("persona", ["assessor", "secondary_cadre", "grassroots_cadre"])
def test_only_a_district_admin_reopens(client, published, personas, persona):
    client.force_login(personas[persona])

    response = client.post(url("YX-S1-G1", "reopen/"), {"version": 1, "reason": "改"})

    assert response.status_code == FORBIDDEN
    assert assessment_of(published, "YX-S1-G1").status == Status.PUBLISHED


def test_reopening_an_assessment_not_published_is_refused(client, cycle, district_admin):
    client.force_login(district_admin)
    form = client.get(url("YX-S1-G1", "reopen/")).context["form"]

    response = client.post(url("YX-S1-G1", "reopen/"), {"version": form["version"].value(), "reason": "改"})

    assert response.context["form"].errors
    assert assessment_of(cycle, "YX-S1-G1").status == Status.NOT_STARTED
