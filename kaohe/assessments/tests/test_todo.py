"""The home page: what is mine to do (待办), most urgent first, for each persona; and its query count, the same
for a small district and a grown one."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.accounts.models import Role, User
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all
from kaohe.conftest import make_unit, make_user
from kaohe.organisations.models import Category, Organisation
from kaohe.tests.pins import pins

HOME = "/"
THIS_YEAR = timezone.localdate().year


def days(count: int) -> datetime.date:
    # today read when asked, not when the module was imported: a run that crosses midnight stays right
    return timezone.localdate() + datetime.timedelta(days=count)


@pytest.fixture
def this_year(tree, standard, district_admin) -> Cycle:
    """云溪区's cycle of this year: ten days left to self-assess, a month to review."""
    return actions.open_cycle(
        district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(10), review_deadline=days(30)
    )


@pytest.fixture
def cadres(tree) -> dict[str, User]:
    """Someone to fill in each unit the personas do not fill in themselves."""
    codes = ["YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"]
    return {code: make_user(f"cadre-{code.lower()}", Role.CADRE, tree[code]) for code in codes}


def submit(cycle: Cycle, code: str, cadre: User) -> Assessment:
    assessment = assessment_of(cycle, code)
    fill_in(cadre, assessment)
    return actions.submit_self_assessment(cadre, assessment)


def home(client, user) -> Any:
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def tasks(response) -> list[str]:
    return [task.kind for task in response.context["todo"].tasks]


def part(response, kind: str) -> Any:
    return next(task.part for task in response.context["todo"].tasks if task.kind == kind)


def review_everything(cycle: Cycle, personas: dict[str, User], cadres: dict[str, User]) -> None:
    """Every unit submits and its reviewer scores it: its secondary union's cadre, else the assessor."""
    fillers = {
        "YX": personas["district_admin"],
        "YX-S1": personas["secondary_cadre"],
        "YX-S1-G1": personas["grassroots_cadre"],
        **cadres,
    }
    reviewers = {
        "YX-S1": personas["secondary_cadre"],
        "YX-S2": make_user("jiaowei", Role.CADRE, Organisation.objects.get(code="YX-S2")),
    }
    for code, cadre in fillers.items():
        assessment = submit(cycle, code, cadre)
        above = assessment.organisation.ancestor_codes[-1] if assessment.tier == "grassroots" else None
        review_all(reviewers[above] if above else personas["assessor"], assessment)


# Nobody signed in; nothing open -------------------------------------------------------------------------


def test_someone_not_signed_in_is_sent_to_log_in(client):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_signed_in_person_lands_on_the_home_page(client, grassroots_cadre):
    client.post(reverse("login"), {"username": "shequ", "password": "correct-horse-42"})

    assert client.get(HOME).context["todo"].unit.code == "YX-S1-G1"


def test_without_an_open_cycle_a_cadre_is_told_so_and_pointed_to_the_records_and_figures(client, grassroots_cadre):
    response = home(client, grassroots_cadre)

    page = response.content.decode()
    assert 'id="todo-no-cycle"' in page
    assert "/assessments/open/" not in page
    for place in ("/units/YX-S1-G1/", "/figures/YX-S1-G1/", "/records/activities/?unit=YX-S1-G1&amp;subtree=on"):
        assert f'href="{place}"' in page


def test_without_an_open_cycle_a_district_admin_is_offered_to_open_one(client, district_admin):
    page = home(client, district_admin).content.decode()

    assert 'id="todo-open-cycle"' in page
    assert f'href="{reverse("assessments:open")}"' in page


def test_a_published_cycle_of_a_past_year_is_not_open(client, tree, standard, district_admin, grassroots_cadre):
    rows = [
        (2, {"单位编码": "YX-S1-G1", "条目": row.number, "得分": "0"}) for row in actions.scored_items(standard.doc)
    ]
    actions.import_past_cycle(district_admin, tree["YX"], THIS_YEAR - 1, standard, rows)

    assert home(client, grassroots_cadre).context["todo"].cycle is None


def test_an_unpublished_cycle_of_an_earlier_year_is_open_until_this_years_opens(
    client, tree, standard, district_admin, grassroots_cadre
):
    earlier = actions.open_cycle(district_admin, tree["YX"], THIS_YEAR - 1, standard)
    assert home(client, grassroots_cadre).context["todo"].cycle == earlier

    current = actions.open_cycle(district_admin, tree["YX"], THIS_YEAR, standard)
    assert home(client, grassroots_cadre).context["todo"].cycle == current


def test_another_districts_cycle_is_not_the_outsiders(client, this_year, outsider):
    assert home(client, outsider).context["todo"].cycle is None


def test_someone_whose_account_has_no_unit_sees_a_page_that_says_so(client, db):
    nobody = User.objects.create_user(username="nobody", password="correct-horse-42", role=Role.CADRE)

    response = home(client, nobody)

    assert response.context["todo"].unit is None
    assert "todo-no-cycle" not in response.content.decode()


# A cadre: their own assessment ------------------------------------------------------------------------------


def test_a_grassroots_cadre_sees_the_state_the_deadline_and_the_items_still_missing(
    client, this_year, grassroots_cadre
):
    assessment = assessment_of(this_year, "YX-S1-G1")
    items = list(assessment.items.all())
    actions.save_self_item(grassroots_cadre, items[0], self_score="4", explanation="两次专题学习")
    actions.save_self_item(grassroots_cadre, items[1], self_score="3", explanation="")

    response = home(client, grassroots_cadre)

    assert tasks(response) == ["own"]
    own = response.context["todo"].tasks[0].part
    assert (own.assessment.status, own.deadline.days_left, own.overdue) == (Status.DRAFT, 10, False)
    assert [item.number for item in own.missing][:2] == ["2.1", "2.2"]
    assert len(own.missing) == 14  # 1.1 is complete; 2.1 has a score but no explanation
    page = response.content.decode()
    assert 'data-count="14"' in page
    assert "10 days left" in text(response) or "10 天" in text(response)
    assert f'href="/assessments/{THIS_YEAR}/YX-S1-G1/2.1/"' in page  # the first few, each linked to its page
    assert f'href="/assessments/{THIS_YEAR}/YX-S1-G1/4.3/"' not in page  # the sixth and on are counted only
    assert f'href="/assessments/{THIS_YEAR}/YX-S1-G1/"' in page
    assert "todo-reviews" not in page
    assert "todo-progress" not in page


def test_past_the_deadline_the_cadres_assessment_shows_overdue_in_red(
    client, tree, standard, district_admin, grassroots_cadre
):
    actions.open_cycle(
        district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(-3), review_deadline=days(20)
    )

    response = home(client, grassroots_cadre)

    own = response.context["todo"].tasks[0].part
    assert (own.deadline.days_left, own.overdue) == (-3, True)
    page = response.content.decode()
    assert re.search(r'class="mb-2 todo-deadline text-danger fw-semibold" data-days-left="-3"', page)
    assert 'id="todo-own" data-status="not_started"' in page
    assert "border-danger" in page


def test_a_submitted_assessment_is_no_longer_overdue_nor_lists_missing_items(
    client, tree, standard, district_admin, grassroots_cadre
):
    cycle = actions.open_cycle(district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(-1))
    submit(cycle, "YX-S1-G1", grassroots_cadre)

    response = home(client, grassroots_cadre)

    own = response.context["todo"].tasks[0].part
    assert (own.to_do, own.overdue, own.missing) == (False, False, [])
    assert "todo-missing" not in response.content.decode()
    assert "text-danger" not in response.content.decode()


def test_what_was_returned_shows_with_the_latest_rounds_comments(client, this_year, grassroots_cadre, secondary_cadre):
    assessment = submit(this_year, "YX-S1-G1", grassroots_cadre)
    actions.return_assessment(secondary_cadre, assessment, comment="第一轮意见", item_comments={"1.1": "旧的"})
    fill_in(grassroots_cadre, assessment_of(this_year, "YX-S1-G1"), score="1")
    assessment = actions.submit_self_assessment(grassroots_cadre, assessment_of(this_year, "YX-S1-G1"))
    actions.return_assessment(
        secondary_cadre, assessment, comment="请补充会议纪要", item_comments={"6.1": "缺签到表", "2.2": "无纪要"}
    )

    response = home(client, grassroots_cadre)

    own = response.context["todo"].tasks[0].part
    assert own.assessment.status == Status.RETURNED
    assert own.returned.comment == "请补充会议纪要"
    assert [(number, comment) for number, _url, comment in own.returned_items] == [
        ("2.2", "无纪要"),
        ("6.1", "缺签到表"),
    ]
    page = response.content.decode()
    assert 'id="todo-returned"' in page
    assert "请补充会议纪要" in page
    assert "第一轮意见" not in page
    assert f'href="/assessments/{THIS_YEAR}/YX-S1-G1/6.1/"' in page


def test_the_returned_comments_stay_while_the_unit_works_on_them(client, this_year, grassroots_cadre, secondary_cadre):
    assessment = submit(this_year, "YX-S1-G1", grassroots_cadre)
    actions.return_assessment(secondary_cadre, assessment, comment="请补充", item_comments={})
    item = assessment_of(this_year, "YX-S1-G1").items.get(number="1.1")
    actions.save_self_item(grassroots_cadre, item, self_score="2", explanation="已补充")

    response = home(client, grassroots_cadre)

    own = response.context["todo"].tasks[0].part
    assert (own.assessment.status, own.returned.comment) == (Status.DRAFT, "请补充")


def test_a_unit_added_after_the_cycle_opened_is_told_it_has_no_assessment(client, this_year, tree):
    late = make_unit("YX-S1-G9", "新成立工会", Category.GRASSROOTS, tree["YX-S1"])
    cadre = make_user("xin", Role.CADRE, late)

    response = home(client, cadre)

    assert response.context["todo"].own_missing
    assert 'id="todo-no-assessment"' in response.content.decode()


def test_a_published_assessment_shows_its_total_and_grade(client, this_year, personas, cadres):
    review_everything(this_year, personas, cadres)
    actions.publish_cycle(personas["district_admin"], this_year)

    response = home(client, personas["grassroots_cadre"])

    own = part(response, "own")
    assert (own.assessment.status, own.assessment.final_total, own.assessment.grade) == ("published", 100, "优秀")
    assert "100" in text(response)
    assert "优秀" in text(response)


# A reviewer: what waits for them ----------------------------------------------------------------------------


def test_a_secondary_cadre_sees_its_systems_submitted_units_oldest_first(
    client, this_year, secondary_cadre, grassroots_cadre, cadres
):
    submit(this_year, "YX-S1-G2", cadres["YX-S1-G2"])
    submit(this_year, "YX-S1-G1", grassroots_cadre)
    submit(this_year, "YX-S2-G1", cadres["YX-S2-G1"])  # another system's
    Assessment.objects.filter(organisation__code="YX-S1-G2").update(submitted_at=timezone.now() - datetime.timedelta(1))

    response = home(client, secondary_cadre)

    assert tasks(response) == ["own", "reviews"]  # its own deadline comes first
    reviews = response.context["todo"].tasks[1].part
    assert reviews.count == 2
    assert [w.assessment.organisation.code for w in reviews.first] == ["YX-S1-G2", "YX-S1-G1"]
    assert (reviews.deadline.days_left, reviews.overdue) == (30, False)
    page = response.content.decode()
    assert f'href="/assessments/{THIS_YEAR}/YX-S1-G2/"' in page
    assert "YX-S2-G1" not in page


def test_an_assessor_sees_the_submitted_units_the_district_reviews_and_not_the_grassroots(
    client, this_year, assessor, grassroots_cadre, cadres
):
    submit(this_year, "YX-D1", cadres["YX-D1"])
    submit(this_year, "YX-S2", cadres["YX-S2"])
    submit(this_year, "YX-S1-G1", grassroots_cadre)  # its secondary union reviews it

    response = home(client, assessor)

    assert tasks(response) == ["reviews"]  # assessors fill in nothing of their own
    reviews = response.context["todo"].tasks[0].part
    assert sorted(w.assessment.organisation.code for w in reviews.first) == ["YX-D1", "YX-S2"]


def test_an_assessor_does_not_see_units_given_to_another_assessor(client, this_year, assessor, tree, cadres):
    other = make_user("assessor2", Role.ASSESSOR, tree["YX"])
    submit(this_year, "YX-D1", cadres["YX-D1"])
    submit(this_year, "YX-S2", cadres["YX-S2"])
    actions.assign_reviewer(None, [assessment_of(this_year, "YX-D1")], other)
    actions.assign_reviewer(None, [assessment_of(this_year, "YX-S2")], assessor)

    mine = home(client, assessor).context["todo"].tasks[0].part
    theirs = home(client, other).context["todo"].tasks[0].part

    assert [w.assessment.organisation.code for w in mine.first] == ["YX-S2"]
    assert [w.assessment.organisation.code for w in theirs.first] == ["YX-D1"]


def test_past_the_review_deadline_what_waits_is_overdue_and_comes_first(
    client, tree, standard, district_admin, secondary_cadre, cadres
):
    cycle = actions.open_cycle(
        district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(-20), review_deadline=days(-2)
    )
    submit(cycle, "YX-S1-G2", cadres["YX-S1-G2"])

    response = home(client, secondary_cadre)

    assert tasks(response) == ["own", "reviews"]  # both overdue: its own self-assessment was due first
    reviews = response.context["todo"].tasks[1].part
    assert reviews.overdue
    assert 'id="todo-reviews" data-count="1"' in response.content.decode()


def test_with_nothing_to_review_the_reviewer_is_told_so_below_what_is_still_to_do(client, this_year, secondary_cadre):
    response = home(client, secondary_cadre)

    assert tasks(response) == ["own", "reviews"]
    assert response.context["todo"].tasks[1].part.count == 0


def test_what_is_done_comes_after_what_is_still_to_do(client, tree, standard, district_admin, secondary_cadre, cadres):
    cycle = actions.open_cycle(
        district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(5), review_deadline=days(8)
    )
    submit(cycle, "YX-S1", secondary_cadre)  # its own is done
    submit(cycle, "YX-S1-G2", cadres["YX-S1-G2"])

    assert tasks(home(client, secondary_cadre)) == ["reviews", "own"]


# A district admin: the cycle's progress ----------------------------------------------------------------------


def test_a_district_admin_sees_the_units_per_state_and_the_districts_own_assessment(
    client, this_year, district_admin, grassroots_cadre, secondary_cadre, cadres
):
    submit(this_year, "YX-D1", cadres["YX-D1"])
    submitted = submit(this_year, "YX-S1-G1", grassroots_cadre)
    actions.return_assessment(secondary_cadre, submitted, comment="改")
    fill_in(cadres["YX-S2"], assessment_of(this_year, "YX-S2"))

    response = home(client, district_admin)

    assert tasks(response) == ["own", "progress"]
    progress = response.context["todo"].tasks[1].part
    counts = {state.status: state.count for state in progress.states}
    assert counts == {"not_started": 4, "draft": 1, "submitted": 1, "returned": 1, "reviewed": 0, "published": 0}
    assert (progress.total, progress.overdue, progress.ready_to_publish) == (7, 0, False)
    page = response.content.decode()
    assert f'href="/assessments/{THIS_YEAR}/?status=returned"' in page
    assert "todo-publish" not in page


def test_the_admin_sees_who_is_overdue_with_links_to_the_progress_page(client, tree, standard, district_admin, cadres):
    cycle = actions.open_cycle(
        district_admin, tree["YX"], THIS_YEAR, standard, self_deadline=days(-5), review_deadline=days(-1)
    )
    submit(cycle, "YX-D1", cadres["YX-D1"])

    response = home(client, district_admin)

    progress = response.context["todo"].tasks[1].part
    assert (progress.overdue_self, progress.overdue_review) == (6, 1)
    page = response.content.decode()
    assert f'href="/assessments/{THIS_YEAR}/?overdue=self"' in page
    assert f'href="/assessments/{THIS_YEAR}/?overdue=review"' in page
    assert 'id="todo-overdue-self"' in page
    assert 'id="todo-overdue-review"' in page


def test_once_everything_is_reviewed_the_admin_is_offered_to_publish(client, this_year, personas, cadres):
    review_everything(this_year, personas, cadres)

    response = home(client, personas["district_admin"])

    assert tasks(response) == ["progress", "own"]  # its own is done: publishing is what is left
    assert part(response, "progress").ready_to_publish
    assert f'href="{reverse("assessments:publish", args=[THIS_YEAR])}"' in response.content.decode()

    actions.publish_cycle(personas["district_admin"], this_year)
    response = home(client, personas["district_admin"])
    assert part(response, "progress").published
    assert "todo-publish" not in response.content.decode()


def test_the_page_ignores_whatever_the_address_carries(client, this_year, grassroots_cadre):
    client.force_login(grassroots_cadre)

    assert client.get(HOME, {"year": "abc", "unit": "LQ-S1", "x": "<script>"}).status_code == 200


# Its cost ------------------------------------------------------------------------------------------------


def grow(tree, cycle, cadres, times: int) -> None:
    """More units, each with its assessment, some submitted, returned and reviewed: nothing the page reads
    unit by unit."""
    for number in range(times):
        unit = make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
        Assessment.objects.create(cycle=cycle, organisation=unit, tier="grassroots", column="direct")
        direct = make_unit(f"YX-Z{number}", f"直属扩充{number}", Category.DIRECT, tree["YX"], 10)
        Assessment.objects.create(cycle=cycle, organisation=direct, tier="direct", column="direct")
    Assessment.objects.filter(organisation__code__startswith="YX-").exclude(organisation__code__in=tree).update(
        status=Status.SUBMITTED, submitted_at=timezone.now()
    )


# Session, user with unit and its parents, the open cycle; then per part: one's own assessment, its missing
# items (and the latest return, if returned); the reviews waiting (their first rows, their count); the
# progress (one grouped count). Then the unit at a glance: the standard in force, whether the year has
# records, the unit's own totals, its subtree's, its subtree's size, its records per kind (one query), and for
# a unit with units under it its system per tier (one grouped count).
UNIT_AT_A_GLANCE, SYSTEM = 6, 1
COSTS = {
    "grassroots_cadre": 5 + UNIT_AT_A_GLANCE,
    "secondary_cadre": 7 + UNIT_AT_A_GLANCE + SYSTEM,
    "assessor": 5 + UNIT_AT_A_GLANCE + SYSTEM,  # an assessor belongs to the district federation
    "district_admin": 6 + UNIT_AT_A_GLANCE + SYSTEM,
    "outsider": 3 + UNIT_AT_A_GLANCE + SYSTEM,  # another district's federation: no cycle there
}


@pins("home")
@pytest.mark.parametrize("persona", COSTS)
def test_the_home_page_costs_the_same_queries_for_a_small_and_a_grown_district(
    client, this_year, personas, cadres, tree, django_assert_num_queries, persona
):
    client.force_login(personas[persona])
    with django_assert_num_queries(COSTS[persona]):
        client.get(HOME)

    grow(tree, this_year, cadres, 30)
    with django_assert_num_queries(COSTS[persona]):
        response = client.get(HOME)
    assert response.status_code == 200


@pins("home")
def test_a_returned_assessment_costs_one_query_more_whatever_the_rounds(
    client, this_year, grassroots_cadre, secondary_cadre, django_assert_num_queries
):
    for _round in range(3):
        submitted = submit(this_year, "YX-S1-G1", grassroots_cadre)
        actions.return_assessment(secondary_cadre, submitted, comment="再改", item_comments={"1.1": "补"})
    client.force_login(grassroots_cadre)

    with django_assert_num_queries(COSTS["grassroots_cadre"] + 1):  # the latest return
        client.get(HOME)
