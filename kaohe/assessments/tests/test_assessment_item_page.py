"""An item of a unit's assessment: its requirements, live figures and proposal; the unit's self-assessment
saved as a draft (htmx or a plain form), refused while not the unit's to change or when someone else saved
first; the reviewer's final score and the reason it needs."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Item, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.records.models import Activity, ActivityCategory

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def url(code: str, rest: str = "") -> str:
    return f"/assessments/2026/{code}/{rest}"


def item_of(cycle: Any, code: str, number: str) -> Item:
    return Item.objects.get(assessment__cycle=cycle, assessment__organisation__code=code, number=number)


def main_of(response: Any) -> str:
    page = response.content.decode()
    return page[page.index("<main") : page.index("</main>")]


def self_form_sent(page: Any, **changes: Any) -> dict[str, Any]:
    form = page.context["self_form"]
    sent = {field.html_name: field.value() for field in form}
    return {**sent, **{f"self-{name}": value for name, value in changes.items()}}


def review_form_sent(page: Any, **changes: Any) -> dict[str, Any]:
    form = page.context["review_form"]
    sent = {field.html_name: field.value() for field in form}
    return {**sent, **{f"review-{name}": value for name, value in changes.items()}}


# What the item page shows -------------------------------------------------------------------------------


def test_the_item_page_shows_the_columns_requirements_figures_and_both_proposals(client, cycle, tree, grassroots_cadre):
    for day in range(1, 8):
        Activity.objects.create(
            organisation=tree["YX-S1-G1"],
            category=ActivityCategory.LECTURE,
            name=f"讲堂{day}",
            date=datetime.date(2026, 3, day),
            participants=12,
        )
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "6.1/"))

    page = main_of(response)
    # A grassroots union is assessed against the direct column: 6.1 has its requirements 1 and 4 there.
    assert [(r.number, r.position) for r in response.context["requirements"]] == [(1, 1), (4, 2)]
    assert 'data-figure="lecture_count"' in page
    assert 'data-figure="lecture_participation_rate"' in page
    assert "figure-scope" in page
    # 7 lectures of 4 (met), 84 person-times of 120 members: 70 % of 80 % → 15 × (1 + 0.875) ÷ 2 = 14.06 → 14
    assert response.context["live_proposal"] == Decimal(14)
    assert response.context["item"].proposed == Decimal(0)  # stored at opening, before the records came
    assert 'id="self-form"' in page
    assert 'step="0.5"' in page
    assert 'inputmode="decimal"' in page
    assert 'max="15"' in page
    assert "/assessments/2026/YX-S1-G1/history/?item=6.1" in page


def test_the_pooled_category_shows_the_requirements_of_each_of_its_items(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "8/"))

    requirements = response.context["requirements"]
    assert sorted({row.item for row in requirements}) == ["8.1", "8.2", "8.3", "8.4", "8.5"]
    assert [row.position for row in requirements] == list(range(1, len(requirements) + 1))
    assert 'data-figure="honours_district"' in main_of(response)


def test_an_item_of_the_pooled_category_leads_to_the_category(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "8.2/"))

    assert response.status_code == 302
    assert response["Location"] == url("YX-S1-G1", "8/")


def test_an_item_without_rules_says_it_is_scored_on_its_evidence(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(url("YX-S1-G1", "3.1/"))

    assert response.context["figures"] == []
    assert response.context["live_proposal"] is None


# Saving the self-assessment -----------------------------------------------------------------------------


def test_a_draft_saves_with_htmx_and_the_form_comes_back_at_its_new_version(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "6.1/"))

    response = client.post(
        url("YX-S1-G1", "6.1/self/"), self_form_sent(page, self_score="12.5", explanation="三讲"), headers=HTMX
    )

    assert response.status_code == OK
    fragment = response.content.decode()
    assert fragment.lstrip().startswith("<form")  # only the form, swapped in place
    assert 'id="saved-at"' in fragment
    saved = item_of(cycle, "YX-S1-G1", "6.1")
    assert (saved.self_score, saved.explanation, saved.version) == (Decimal("12.5"), "三讲", 2)
    assert 'name="self-version" value="2"' in fragment
    assert assessment_of(cycle, "YX-S1-G1").status == Status.DRAFT


def test_a_draft_saves_without_javascript_too(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))

    response = client.post(url("YX-S1-G1", "1.1/self/"), self_form_sent(page, self_score="4", explanation="两次"))

    assert response.status_code == 302
    assert response["Location"] == url("YX-S1-G1", "1.1/")
    assert item_of(cycle, "YX-S1-G1", "1.1").self_score == 4


@pytest.mark.parametrize(
    ("score", "fault"),
    [
        ("4.5", r"0 (到|to) 4"),  # above the item's points
        ("-1", r"0 (到|to) 4"),
        ("2.3", r"0\.5"),  # off the step
        ("abc", "abc"),  # not a number
        ("1e400", ""),
        ("NaN", ""),
    ],
)
def test_a_bad_self_score_is_refused_on_its_field(client, cycle, grassroots_cadre, score, fault):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))

    response = client.post(url("YX-S1-G1", "1.1/self/"), self_form_sent(page, self_score=score, explanation="x"))

    errors = response.context["self_form"].errors["self_score"]
    assert re.search(fault, " ".join(errors))
    assert item_of(cycle, "YX-S1-G1", "1.1").self_score is None


def test_a_refused_draft_comes_back_as_the_form_with_its_error(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))

    response = client.post(
        url("YX-S1-G1", "1.1/self/"), self_form_sent(page, self_score="9", explanation="x"), headers=HTMX
    )

    fragment = response.content.decode()
    assert fragment.lstrip().startswith("<form")
    assert 'class="invalid-feedback d-block"' in fragment
    assert 'id="saved-at"' not in fragment


def test_the_later_of_two_saves_is_refused_and_says_what_changed(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))  # opened at version 1
    colleague = item_of(cycle, "YX-S1-G1", "1.1")
    actions.save_self_item(grassroots_cadre, colleague, self_score="3", explanation="同事先存", read_version=1)

    response = client.post(
        url("YX-S1-G1", "1.1/self/"), self_form_sent(page, self_score="4", explanation="我的"), headers=HTMX
    )

    fragment = response.content.decode()
    message = re.search(r'<div class="alert alert-danger[^>]*>(.*?)</div>', fragment, re.S).group(1)
    assert "3" in message
    assert "同事先存" in message
    stored = item_of(cycle, "YX-S1-G1", "1.1")
    assert (stored.self_score, stored.explanation) == (3, "同事先存")
    assert 'name="self-version" value="2"' in fragment  # the form now holds the stored values, at their version
    assert "同事先存" in fragment


def test_a_self_assessment_without_the_version_is_refused_and_shows_the_stored_one(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.post(url("YX-S1-G1", "1.1/self/"), {"self-self_score": "4", "self-explanation": "x"})

    assert response.context["self_form"].non_field_errors()
    assert item_of(cycle, "YX-S1-G1", "1.1").self_score is None


def test_after_submitting_the_unit_reads_its_item_and_a_save_is_refused(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    version = item_of(cycle, "YX-S1-G1", "1.1").version

    response = client.post(
        url("YX-S1-G1", "1.1/self/"), self_form_sent(page, self_score="0", explanation="改", version=version)
    )

    assert response.context["self_form"].non_field_errors()
    assert item_of(cycle, "YX-S1-G1", "1.1").self_score == 4
    read_only = client.get(url("YX-S1-G1", "1.1/"))
    assert "self_form" not in read_only.context
    assert 'id="self-score"' in main_of(read_only)


def test_after_publication_nothing_is_saved(client, cycle, personas, grassroots_cadre):
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(grassroots_cadre, assessment)
        actions.submit_self_assessment(grassroots_cadre, assessment)
        review_all(personas["assessor"], assessment)
    actions.publish_cycle(personas["district_admin"], cycle)
    client.force_login(grassroots_cadre)
    version = item_of(cycle, "YX-S1-G1", "1.1").version

    response = client.post(
        url("YX-S1-G1", "1.1/self/"),
        {"self-self_score": "0", "self-explanation": "改", "self-version": version},
    )

    assert response.context["self_form"].non_field_errors()
    assert item_of(cycle, "YX-S1-G1", "1.1").self_score == 4
    page = client.get(url("YX-S1-G1", "1.1/"))
    assert 'id="final-score"' in main_of(page)  # published: the unit sees its final scores


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("secondary_cadre", "YX-S1-G1", FORBIDDEN),  # its reviewer, not its author
        ("assessor", "YX-S1-G1", FORBIDDEN),
        ("district_admin", "YX-S1-G1", FORBIDDEN),
        ("grassroots_cadre", "YX-S1-G2", NOT_FOUND),
        ("outsider", "YX-S1-G1", NOT_FOUND),
        ("secondary_cadre", "YX-S1", 302),  # its own
        ("district_admin", "YX", 302),  # the district federation's own assessment is its administrators'
    ],
)
def test_only_the_units_own_people_save_its_self_assessment(client, cycle, personas, persona, code, expected):
    client.force_login(personas[persona])

    response = client.post(url(code, "1.1/self/"), {"self-self_score": "4", "self-explanation": "x", "self-version": 1})

    assert response.status_code == expected


def test_the_page_of_someone_who_may_not_change_it_has_no_forms(client, cycle, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.get(url("YX-S1-G1", "6.1/"))  # still a draft: nothing to review yet

    assert not {"self_form", "review_form", "upload_form", "link_form"} & set(response.context.keys())
    assert 'id="explanation"' in main_of(response)


# Reviewing ------------------------------------------------------------------------------------------------


def test_the_reviewer_reads_the_self_assessment_and_gives_a_final_score(
    client, cycle, grassroots_cadre, secondary_cadre
):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(secondary_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))
    assert 'id="explanation"' in main_of(page)
    assert 'id="reason-rule"' in main_of(page)

    response = client.post(
        url("YX-S1-G1", "1.1/review/"), review_form_sent(page, final_score="4", comment="很好"), headers=HTMX
    )

    assert 'id="saved-at"' in response.content.decode()
    item = item_of(cycle, "YX-S1-G1", "1.1")
    assert (item.final_score, item.comment) == (4, "很好")


def test_a_final_score_that_differs_needs_a_reason(client, cycle, grassroots_cadre, secondary_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(secondary_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))

    refused = client.post(url("YX-S1-G1", "1.1/review/"), review_form_sent(page, final_score="3"))

    assert refused.context["review_form"].errors["reason"]
    assert item_of(cycle, "YX-S1-G1", "1.1").final_score is None
    given = client.post(url("YX-S1-G1", "1.1/review/"), review_form_sent(page, final_score="3", reason="只开展一次"))
    assert given.status_code == 302
    assert item_of(cycle, "YX-S1-G1", "1.1").final_score == 3


@pytest.mark.parametrize("score", ["5", "3.3", "x"])
def test_a_bad_final_score_is_refused(client, cycle, grassroots_cadre, secondary_cadre, score):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    client.force_login(secondary_cadre)
    page = client.get(url("YX-S1-G1", "1.1/"))

    response = client.post(url("YX-S1-G1", "1.1/review/"), review_form_sent(page, final_score=score, reason="r"))

    assert response.context["review_form"].errors["final_score"]
    assert item_of(cycle, "YX-S1-G1", "1.1").final_score is None


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("grassroots_cadre", "YX-S1-G1", FORBIDDEN),  # never sets its own final score
        ("assessor", "YX-S1-G1", FORBIDDEN),  # a grassroots union is its secondary union's to review
        ("secondary_cadre", "YX-S1", FORBIDDEN),  # never its own
        ("district_admin", "YX-S1", FORBIDDEN),
        ("outsider", "YX-S1-G1", NOT_FOUND),
        ("assessor", "YX-S1", 302),
    ],
)
def test_only_the_reviewer_sets_a_final_score(client, cycle, personas, grassroots_cadre, persona, code, expected):
    submitted(grassroots_cadre, cycle, code)
    client.force_login(personas[persona])
    version = item_of(cycle, code, "1.1").version

    response = client.post(url(code, "1.1/review/"), {"review-final_score": "4", "review-version": version})

    assert response.status_code == expected
    assert (item_of(cycle, code, "1.1").final_score is not None) == (expected == 302)


def test_a_draft_is_not_reviewed(client, cycle, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(url("YX-S1-G1", "1.1/review/"), {"review-final_score": "4", "review-version": 1})

    assert response.context["review_form"].non_field_errors()
    assert item_of(cycle, "YX-S1-G1", "1.1").final_score is None


def test_before_publication_the_unit_does_not_see_its_final_scores(client, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="3", reason="只一次")
    client.force_login(grassroots_cadre)

    page = main_of(client.get(url("YX-S1-G1", "1.1/")))

    assert 'id="final-score"' not in page
    assert "只一次" not in page
