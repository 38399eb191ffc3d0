"""A district's cycles through the API, as the personas use them: the list, opening a year, a cycle's
progress and its assessments, giving units to assessors, publishing. The same access, forms, actions and
history as the cycle's pages (kaohe/assessments/tests/test_cycle_pages.py)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.conftest import make_unit, make_user
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Category
from kaohe.tests.pins import pins

CYCLES = "/api/cycles/"
YX_UNITS = ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"]  # by their place in the tree
OTHERS = ("assessor", "secondary_cadre", "grassroots_cadre")


def cycle_url(rest: str = "", year: int | str = 2026) -> str:
    return f"/api/cycles/{year}/{rest}"


def fields_at_fault(response: Any) -> list[str | None]:
    assert response.status_code == 400, response.content
    return [error["field"] for error in response.json()["errors"]]


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def everything_reviewed(cycle: Cycle, personas: dict[str, Any], tree: dict[str, Any]) -> None:
    """Every unit self-assessed, submitted and reviewed by whoever reviews it (a cadre of YX-S2 for its own)."""
    reviewers = {"YX-S1": personas["secondary_cadre"], "YX-S2": make_user("jiaowei", Role.CADRE, tree["YX-S2"])}
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(personas["district_admin"], assessment)
        actions.submit_self_assessment(personas["district_admin"], assessment)
        above = assessment.organisation.ancestor_codes[-1] if assessment.tier == "grassroots" else ""
        review_all(reviewers.get(above, personas["assessor"]), assessment)


# The list of cycles -----------------------------------------------------------------------------------------


def test_the_district_sees_its_cycles_each_counting_what_the_person_sees(api, cycle):
    admin = api["district_admin"].get(CYCLES).json()
    [row] = admin["results"]
    assert (row["year"], row["state"], row["district"]["code"]) == (2026, "open", "YX")
    assert row["counts"] == {"units": 7, "with_units": 7, "submitted": 0, "reviewed": 0, "published": 0}
    assert row["standard"]["slug"] == "fangshan-2026-trial"
    assert row["self_deadline"] == "2026-11-30"
    assert [band["grade"] for band in row["bands"]] == ["优秀", "良好", "合格", "不合格"]
    assert row["version"] == cycle.version

    assert api["secondary_cadre"].get(CYCLES).json()["results"][0]["counts"]["units"] == 3
    assert api["grassroots_cadre"].get(CYCLES).json()["results"][0]["counts"]["units"] == 1
    assert api["outsider"].get(CYCLES).json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_without_a_key_no_cycle_is_listed(anonymous, cycle):
    assert anonymous.get(CYCLES).status_code == 401


@pins("api:cycles")
def test_listing_cycles_costs_the_same_for_more_years_and_units(
    api, tree, standard, district_admin, django_assert_num_queries
):
    client = api["district_admin"]
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    # The key and its use (2); the count and the page of cycles (2); the counts of what the person sees (1).
    with django_assert_num_queries(5):
        assert client.get(CYCLES).json()["count"] == 1
    for number in range(5):
        make_unit(f"YX-S1-Q{number}", f"新增工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    for year in (2024, 2025, 2027):
        actions.open_cycle(district_admin, tree["YX"], year, standard)
    with django_assert_num_queries(5):
        assert [row["year"] for row in client.get(CYCLES).json()["results"]] == [2027, 2026, 2025, 2024]


# Opening a year ---------------------------------------------------------------------------------------------


def test_the_admin_opens_a_year_and_every_active_unit_assesses_itself(api, tree, standard):
    response = api["district_admin"].post(
        CYCLES, {"year": 2027, "self_deadline": "2027-11-30", "review_deadline": "2027-12-20"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["year"], body["state"], body["progress"]["total"]) == (2027, "open", 7)
    assert body["standard"]["id"] == standard.pk  # the default version, as the page offers it
    assert [band["lowest"] for band in body["bands"]] == [90, 80, 60, 0]  # READING.md's, as the page offers them
    cycle = Cycle.objects.get(year=2027)
    assert cycle.assessments.count() == 7
    assert (cycle.self_deadline, cycle.review_deadline) == (datetime.date(2027, 11, 30), datetime.date(2027, 12, 20))
    assert Event.objects.filter(action=Action.CYCLE_OPENED, details__year=2027).count() == 1


def test_a_year_opened_with_its_own_grade_bands(api, tree, standard):
    bands = {"band_1_name": "甲", "band_1_lowest": 85, "band_2_name": "乙", "band_2_lowest": "70.5"}

    response = api["district_admin"].post(CYCLES, {"year": 2028, **bands}, format="json")

    assert response.status_code == 201, response.content
    assert Cycle.objects.get(year=2028).bands == [["甲", "85"], ["乙", "70.5"], ["合格", "60"], ["不合格", "0"]]


def test_opening_a_year_twice_is_refused_with_the_pages_message(api, cycle):
    response = api["district_admin"].post(CYCLES, {"year": 2026}, format="json")

    assert fields_at_fault(response) == [None]
    assert "2026" in response.json()["detail"]
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"year": "abc"}, "year"),
        ({"year": 1900}, "year"),
        ({"year": 10**12}, "year"),
        ({"year": 2027, "standard": 999999}, "standard"),
        ({"year": 2027, "self_deadline": "2027-02-30"}, "self_deadline"),
        ({"year": 2027, "self_deadline": "2027-12-01", "review_deadline": "2027-11-01"}, "review_deadline"),
        ({"year": 2027, "band_1_lowest": 120}, "band_1_lowest"),
        ({"year": 2027, "band_1_lowest": "1e400"}, "band_1_lowest"),
        ({"year": 2027, "band_1_name": "优\x00秀"}, "band_1_name"),
        ({"year": 2027, "band_2_lowest": 95}, "bands"),  # above the grade before it
        ({"year": [2027]}, "year"),
    ],
)
def test_bad_input_opens_nothing_and_names_the_field(api, tree, standard, sent, field):
    response = api["district_admin"].post(CYCLES, sent, format="json")

    assert field in fields_at_fault(response)
    assert Cycle.objects.count() == 0


@pytest.mark.parametrize("persona", [*OTHERS, "outsider"])
def test_only_a_districts_administrators_open_a_year(api, tree, standard, persona):
    assert api[persona].post(CYCLES, {"year": 2027}, format="json").status_code == 403
    assert Cycle.objects.count() == 0


# One cycle and its progress ---------------------------------------------------------------------------------


def test_a_cycles_progress_counts_what_the_person_sees_per_state_and_tier(api, cycle, grassroots_cadre):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")

    admin = api["district_admin"].get(cycle_url()).json()
    assert admin["progress"]["total"] == 7
    assert {row["status"]: row["count"] for row in admin["progress"]["by_status"]}["submitted"] == 1
    assert [row["tier"] for row in admin["progress"]["tiers"]] == ["district", "secondary", "direct", "grassroots"]
    assert admin["rights"] == {"may_run": True, "may_review": False}
    secondary = api["secondary_cadre"].get(cycle_url()).json()
    assert secondary["progress"]["total"] == 3
    assert secondary["rights"] == {"may_run": False, "may_review": True}


def test_who_is_overdue_after_the_deadlines(api, cycle, grassroots_cadre, monkeypatch):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: datetime.date(2026, 12, 21))

    overdue = api["district_admin"].get(cycle_url()).json()["progress"]["overdue"]

    assert overdue == {"self_count": 6, "review_count": 1}
    late = api["district_admin"].get(cycle_url("assessments/"), {"overdue": "review"})
    assert codes(late) == ["YX-S1-G1"]


@pytest.mark.parametrize(
    ("persona", "year"),
    [("outsider", 2026), ("district_admin", 2025), ("district_admin", 1900), ("district_admin", 10**12)],
)
def test_a_cycle_another_district_has_or_nobody_has_is_not_found(api, cycle, persona, year):
    for path in ("", "assessments/"):
        assert api[persona].get(cycle_url(path, year)).status_code == 404
    for path in ("publish/", "assign/"):
        assert api[persona].post(cycle_url(path, year), {}, format="json").status_code == 404


@pins("api:cycle")
def test_a_cycle_costs_the_same_for_a_larger_district(api, tree, standard, district_admin, django_assert_num_queries):
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    # The key and its use (2); the cycle (1); the counts per tier and state (1).
    with django_assert_num_queries(4):
        assert api["district_admin"].get(cycle_url()).json()["progress"]["total"] == 7
    Cycle.objects.all().delete()
    for number in range(20):
        make_unit(f"YX-S1-Q{number}", f"新增工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    with django_assert_num_queries(4):
        assert api["district_admin"].get(cycle_url()).json()["progress"]["total"] == 27


# The cycle's assessments ------------------------------------------------------------------------------------


def test_the_admin_lists_every_unit_in_the_trees_order_and_the_secondary_cadre_its_system(api, cycle):
    assert codes(api["district_admin"].get(cycle_url("assessments/"))) == YX_UNITS
    assert codes(api["secondary_cadre"].get(cycle_url("assessments/"))) == ["YX-S1", "YX-S1-G1", "YX-S1-G2"]
    assert codes(api["grassroots_cadre"].get(cycle_url("assessments/"))) == ["YX-S1-G1"]


def test_filters_narrow_the_list_as_on_the_progress_page(api, cycle, grassroots_cadre, district_admin, assessor):
    submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.assign_reviewer(district_admin, [assessment_of(cycle, "YX-D1")], assessor)
    client = api["district_admin"]

    assert codes(client.get(cycle_url("assessments/"), {"status": "submitted"})) == ["YX-S1-G1"]
    assert codes(client.get(cycle_url("assessments/"), {"tier": "grassroots"})) == ["YX-S1-G1", "YX-S1-G2", "YX-S2-G1"]
    assert codes(client.get(cycle_url("assessments/"), {"system": "YX-S2"})) == ["YX-S2", "YX-S2-G1"]
    assert codes(client.get(cycle_url("assessments/"), {"q": "小学"})) == ["YX-S1-G2"]
    assert codes(client.get(cycle_url("assessments/"), {"q": "yx-d"})) == ["YX-D1"]
    assert codes(client.get(cycle_url("assessments/"), {"reviewer": "assessor"})) == ["YX-D1"]
    assert codes(client.get(cycle_url("assessments/"), {"reviewer": "nobody"})) == []


def test_the_list_pages(api, cycle):
    first = api["district_admin"].get(cycle_url("assessments/"), {"page_size": 3}).json()
    second = api["district_admin"].get(cycle_url("assessments/"), {"page_size": 3, "page": 2}).json()

    assert first["count"] == 7
    assert [row["code"] for row in first["results"] + second["results"]] == YX_UNITS[:6]
    assert api["district_admin"].get(cycle_url("assessments/"), {"page_size": "abc"}).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"status": "lost"},
        {"tier": "galaxy"},
        {"overdue": "always"},
        {"system": "LQ-S1"},
        {"q": "城关\x00"},
        {"q": "x" * 101},
    ],
)
def test_a_filter_that_cannot_be_is_a_400_naming_it(api, cycle, query):
    assert set(fields_at_fault(api["district_admin"].get(cycle_url("assessments/"), query))) == set(query)


def test_a_row_shows_totals_and_who_reviews_it(api, cycle, grassroots_cadre, secondary_cadre):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="3", reason="只一次")

    rows = {row["code"]: row for row in api["secondary_cadre"].get(cycle_url("assessments/")).json()["results"]}

    assert (rows["YX-S1-G1"]["self_total"], rows["YX-S1-G1"]["final_total"]) == (100, 3)
    assert rows["YX-S1-G1"]["reviewer"] == "城关街道总工会"
    assert rows["YX-S1-G1"]["status"] == "submitted"
    assert rows["YX-S1-G1"]["version"] == assessment_of(cycle, "YX-S1-G1").version
    assert rows["YX-S1"]["reviewer"] in {"Every assessor", "考核组全体成员"}


def test_before_publication_a_unit_never_sees_its_final_total_in_the_list(
    api, cycle, personas, tree, grassroots_cadre, secondary_cadre
):
    assessment = submitted(grassroots_cadre, cycle, "YX-S1-G1")
    actions.review_item(secondary_cadre, assessment.items.get(number="1.1"), final_score="3", reason="只一次")
    submitted(secondary_cadre, cycle, "YX-S1")
    actions.review_item(
        personas["assessor"], assessment_of(cycle, "YX-S1").items.get(number="1.1"), final_score="2", reason="少"
    )

    [own] = api["grassroots_cadre"].get(cycle_url("assessments/")).json()["results"]
    assert "final_total" not in own
    assert "grade" not in own
    rows = {row["code"]: row for row in api["secondary_cadre"].get(cycle_url("assessments/")).json()["results"]}
    assert rows["YX-S1-G1"]["final_total"] == 3  # it reviews that one
    assert "final_total" not in rows["YX-S1"]  # its own, reviewed by the district
    assert "final_total" not in api["assessor"].get(cycle_url("assessments/"), {"q": "YX-S1-G1"}).json()["results"][0]


def test_after_publication_everyone_who_sees_a_unit_sees_its_final_total_and_grade(api, cycle, personas, tree):
    everything_reviewed(cycle, personas, tree)
    actions.publish_cycle(personas["district_admin"], cycle)

    [own] = api["grassroots_cadre"].get(cycle_url("assessments/")).json()["results"]

    assert (own["final_total"], own["grade"], own["status"]) == (100, "优秀", "published")


def submitted_at_once(admin: Any, assessment: Assessment) -> None:
    """Every item self-scored in one go (as the demo fills a score sheet), then submitted."""
    entries = {item.number: (item.points, "见佐证材料") for item in assessment.items.all()}
    actions.save_self_items(admin, assessment, entries)
    actions.submit_self_assessment(admin, assessment)


def reviewed_at_once(reviewer: Any, assessment: Assessment) -> None:
    """Every item given its self-score as final, in one go, with the reason where the proposal differs."""
    items = list(assessment.items.all())
    actions.review_items(reviewer, assessment, {item.number: (item.self_score, "齐", None) for item in items})
    actions.complete_review(reviewer, assessment)


def grow(tree: dict[str, Any], standard: Any, admin: Any, extra_units: int) -> Cycle:
    """This year's cycle again, with so many more grassroots unions under YX-S1, each submitted."""
    for number in range(extra_units):
        make_unit(f"YX-S1-Q{number:02}", f"新增工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    Cycle.objects.filter(year=2026).delete()
    cycle = actions.open_cycle(admin, tree["YX"], 2026, standard)
    for assessment in Assessment.objects.filter(cycle=cycle, tier="grassroots").select_related("organisation", "cycle"):
        submitted_at_once(admin, assessment)
    return cycle


@pins("api:cycle_assessments")
@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        # The key and its use (2); the cycle (1); the systems to filter by (1); the count and the page's ids (2);
        # those rows with their units and people (1); their totals (1).
        ("district_admin", {}, 8),
        ("secondary_cadre", {}, 7),  # no systems to choose from
        ("district_admin", {"status": "submitted", "tier": "grassroots", "q": "工会"}, 8),
    ],
)
def test_a_page_of_assessments_costs_the_same_however_many_there_are(
    api, tree, standard, personas, django_assert_num_queries, persona, query, expected
):
    client = api[persona]
    grow(tree, standard, personas["district_admin"], 0)
    with django_assert_num_queries(expected):
        small = client.get(cycle_url("assessments/"), query).json()
    grow(tree, standard, personas["district_admin"], 60)
    with django_assert_num_queries(expected):
        grown = client.get(cycle_url("assessments/"), query).json()

    assert len(grown["results"]) == 50
    assert grown["count"] > small["count"]


# Giving units to assessors ----------------------------------------------------------------------------------


def test_the_admin_gives_units_to_an_assessor_and_back_to_every_assessor(api, cycle, assessor):
    client = api["district_admin"]

    response = client.post(cycle_url("assign/"), {"assessor": "assessor", "units": ["YX-S1", "YX-D1"]}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "changed": 2,
        "assessor": {"username": "assessor", "name": "assessor"},
        "units": ["YX-S1", "YX-D1"],
    }
    assert assessment_of(cycle, "YX-D1").reviewer == assessor
    assert Event.objects.filter(action=Action.REVIEWERS_ASSIGNED).count() == 2
    back = client.post(cycle_url("assign/"), {"assessor": None, "units": ["YX-D1"]}, format="json")
    assert back.json()["changed"] == 1
    assert assessment_of(cycle, "YX-D1").reviewer is None


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({"assessor": "assessor", "units": ["YX-S1-G1"]}, "units"),  # its secondary union reviews it
        ({"assessor": "assessor", "units": ["LQ-S1"]}, "units"),
        ({"assessor": "assessor", "units": ["YX\x00"]}, "units"),
        ({"assessor": "assessor", "units": []}, "units"),
        ({"assessor": "assessor"}, "units"),
        ({"assessor": "assessor", "units": [{"code": "YX-S1"}]}, "units"),
        ({"assessor": "assessor", "units": ["YX-S1"] * 501}, "units"),
        ({"assessor": "shequ", "units": ["YX-S1"]}, "assessor"),  # a cadre is no assessor
        ({"assessor": "nobody", "units": ["YX-S1"]}, "assessor"),
        ({"assessor": ["assessor"], "units": ["YX-S1"]}, "assessor"),
    ],
)
def test_a_bad_assignment_changes_nothing(api, cycle, assessor, grassroots_cadre, sent, field):
    response = api["district_admin"].post(cycle_url("assign/"), sent, format="json")

    assert fields_at_fault(response) == [field]
    assert not Assessment.objects.filter(reviewer__isnull=False).exists()


@pytest.mark.parametrize("persona", OTHERS)
def test_only_the_districts_administrators_give_units_to_assessors(api, cycle, assessor, persona):
    response = api[persona].post(cycle_url("assign/"), {"assessor": "assessor", "units": ["YX-S1"]}, format="json")

    assert response.status_code == 403
    assert assessment_of(cycle, "YX-S1").reviewer is None


@pins("api:cycle_assign")
def test_giving_units_costs_the_same_for_a_larger_district(api, tree, standard, personas, django_assert_num_queries):
    client = api["district_admin"]
    # The key and its use (2); the cycle (1); the units named (1); the assessor (1); the form's assessor (1);
    # the units chosen (1); a savepoint and its release (2); their rows locked (1); for each of the two changed:
    # saved (1), its unit for the history (1), its event (1). The units named count, not the district.
    sent = {"assessor": "assessor", "units": ["YX-S1", "YX-D1"]}
    grow(tree, standard, personas["district_admin"], 0)
    with django_assert_num_queries(16):
        assert client.post(cycle_url("assign/"), sent, format="json").json()["changed"] == 2
    grow(tree, standard, personas["district_admin"], 40)
    with django_assert_num_queries(16):
        assert client.post(cycle_url("assign/"), sent, format="json").json()["changed"] == 2


# Publishing -------------------------------------------------------------------------------------------------


def test_publishing_is_refused_while_anything_is_not_reviewed(api, cycle):
    response = api["district_admin"].post(cycle_url("publish/"))

    assert fields_at_fault(response) == [None]
    assert "7" in response.json()["detail"]
    assert Cycle.objects.get(pk=cycle.pk).published_at is None


def test_once_everything_is_reviewed_the_admin_publishes(api, cycle, personas, tree):
    everything_reviewed(cycle, personas, tree)

    response = api["district_admin"].post(cycle_url("publish/"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["published"], body["cycle"]["state"]) == (7, "published")
    assert body["cycle"]["published_at"]
    assert Assessment.objects.filter(cycle=cycle, status=Status.PUBLISHED).count() == 7
    assert Event.objects.filter(action=Action.CYCLE_PUBLISHED).count() == 1
    assert Event.objects.filter(action=Action.ASSESSMENT_PUBLISHED).count() == 7


@pytest.mark.parametrize("persona", OTHERS)
def test_only_the_districts_administrators_publish(api, cycle, personas, tree, persona):
    everything_reviewed(cycle, personas, tree)

    assert api[persona].post(cycle_url("publish/")).status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).published_at is None


@pins("api:cycle_publish")
def test_publishing_costs_the_same_for_a_larger_district(api, tree, standard, personas, django_assert_num_queries):
    client = api["district_admin"]
    # The key and its use (2); the cycle (1); a savepoint and its release (2); the cycle locked (1); how many
    # wait (1); the reviewed ones (1), their totals (1), saved (1), their events (1); the cycle's date (1), its
    # district and event (2); the cycle again and its counts (2).
    for extra in (0, 30):
        cycle = grow(tree, standard, personas["district_admin"], extra)
        for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
            if assessment.status != Status.SUBMITTED:
                submitted_at_once(personas["district_admin"], assessment)
            reviewed_at_once(personas["assessor"], assessment)  # actions do not ask who acts
        with django_assert_num_queries(16):
            assert client.post(cycle_url("publish/")).json()["published"] == 7 + extra
