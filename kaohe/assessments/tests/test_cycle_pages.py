"""The cycle's pages as the personas use them: the list of cycles, opening a year, progress and its export,
giving units to assessors, publishing. Assertions are on data (codes, counts, data attributes), not wording."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kaohe.accounts.models import Role
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle, Status
from kaohe.assessments.tests.conftest import assessment_of, fill_in, review_all, submitted
from kaohe.conftest import make_unit, make_user
from kaohe.organisations.models import Category
from kaohe.tests.pins import pinned_pages

EVERY_ASSESSOR = {"Every assessor", "考核组全体成员"}  # before and after the owner merges the translations
YX_UNITS = {"YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"}


def codes_listed(response) -> list[str]:
    return re.findall(r'<tr data-unit="([^"]+)"', response.content.decode())


def status_of(user, path: str, client) -> int:
    client.force_login(user)
    return client.get(path).status_code


# Who may open which page ------------------------------------------------------------------------------------

ALLOWED = {
    "/assessments/": {"district_admin", "assessor", "secondary_cadre", "grassroots_cadre", "outsider"},
    "/assessments/open/": {"district_admin"},
    "/assessments/import/": {"district_admin"},
    "/assessments/2026/": {"district_admin", "assessor", "secondary_cadre"},
    "/assessments/2026/export.xlsx": {"district_admin", "assessor", "secondary_cadre", "grassroots_cadre"},
    "/assessments/2026/assign/": {"district_admin"},
    "/assessments/2026/publish/": {"district_admin"},
    "/assessments/2026/review-sheet.xlsx": {"assessor", "secondary_cadre"},
    "/assessments/2026/review-sheet/": {"assessor", "secondary_cadre"},
}
# Another district's cycle does not exist for the outsider; pages without a cycle are closed to their role.
NOT_FOUND_FOR_OUTSIDER = [path for path in ALLOWED if "/2026/" in path]


@pytest.mark.parametrize("path", list(ALLOWED))
def test_each_page_opens_for_its_personas_and_is_refused_to_the_others(client, cycle, personas, path):
    for name, user in personas.items():
        code = status_of(user, path, client)
        if name in ALLOWED[path]:
            assert code == 200, (name, path)
        elif name == "grassroots_cadre" and path == "/assessments/2026/":
            assert code == 302, (name, path)
        elif name == "outsider" and path in NOT_FOUND_FOR_OUTSIDER:
            assert code == 404, (name, path)
        else:
            assert code == 403, (name, path)


def test_anonymous_visitors_are_sent_to_log_in(client, cycle):
    for path in ALLOWED:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_year_without_a_cycle_is_not_found(client, cycle, district_admin):
    client.force_login(district_admin)
    for path in ("/assessments/2025/", "/assessments/2025/assign/", "/assessments/2025/publish/", "/assessments/9999/"):
        assert client.get(path).status_code == 404


# The list of cycles -----------------------------------------------------------------------------------------


def test_the_list_shows_the_districts_cycles_and_the_admin_may_open_one(client, cycle, personas):
    client.force_login(personas["district_admin"])
    page = client.get("/assessments/").content.decode()
    assert 'data-year="2026" data-state="open"' in page
    assert 'id="open-cycle"' in page

    client.force_login(personas["assessor"])
    page = client.get("/assessments/").content.decode()
    assert 'data-year="2026"' in page
    assert 'id="open-cycle"' not in page


def test_the_outsider_sees_only_the_cycles_of_their_own_district(client, cycle, personas):
    client.force_login(personas["outsider"])
    page = client.get("/assessments/").content.decode()
    assert "data-year=" not in page
    assert 'id="no-cycles"' in page


def test_the_list_counts_only_what_the_user_sees(client, cycle, personas):
    client.force_login(personas["secondary_cadre"])
    row = client.get("/assessments/").context["rows"][0]
    assert (row.units, row.with_units) == (3, 3)  # YX-S1 and its two grassroots unions


# Opening ---------------------------------------------------------------------------------------------------


def open_form(client, **changes):
    page = client.get("/assessments/open/")
    from kaohe.conftest import form_as_sent

    return client.post("/assessments/open/", form_as_sent(page, **changes))


def test_opening_a_year_gives_every_active_unit_its_assessment(client, tree, standard, district_admin):
    client.force_login(district_admin)
    page = client.get("/assessments/open/")
    assert page.context["form"]["standard"].value() == standard.pk  # the default version

    response = open_form(
        client, year="2027", self_deadline="2027-11-30", review_deadline="2027-12-20", band_1_name="卓越"
    )

    assert response.status_code == 302
    assert response["Location"] == "/assessments/2027/"
    cycle = Cycle.objects.get(year=2027)
    assert set(cycle.assessments.values_list("organisation__code", flat=True)) == YX_UNITS
    assert (cycle.self_deadline, cycle.review_deadline) == (datetime.date(2027, 11, 30), datetime.date(2027, 12, 20))
    assert cycle.bands == [["卓越", "90"], ["良好", "80"], ["合格", "60"], ["不合格", "0"]]


def test_opening_a_year_twice_is_refused_on_the_form(client, cycle, district_admin):
    client.force_login(district_admin)
    response = open_form(client, year="2026")
    assert response.status_code == 200
    assert "2026" in " ".join(response.context["form"].non_field_errors())
    assert Cycle.objects.count() == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"year": "1999"},
        {"year": "abc"},
        {"self_deadline": "2026-13-40"},
        {"self_deadline": "2026-12-20", "review_deadline": "2026-11-30"},  # review before self-assessment
        {"band_2_lowest": "95"},  # above the grade before it
        {"band_4_lowest": "10"},  # the last grade must start at 0
        {"band_1_lowest": "101"},
        {"band_3_name": ""},
        {"band_3_name": "合\x00格"},
        {"standard": "999999"},
    ],
)
def test_bad_input_opens_nothing_and_says_why(client, tree, standard, district_admin, changes):
    client.force_login(district_admin)
    response = open_form(client, **{"year": "2026", **changes})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Cycle.objects.exists()


def test_the_next_year_without_a_cycle_is_offered(client, cycle, district_admin, monkeypatch):
    client.force_login(district_admin)
    monkeypatch.setattr("kaohe.assessments.views_cycle.timezone.localdate", lambda: datetime.date(2026, 3, 1))
    assert client.get("/assessments/open/").context["form"]["year"].value() == 2027


# Progress -------------------------------------------------------------------------------------------------


def test_the_admin_sees_every_unit_with_counts_per_tier_and_state(client, cycle, personas):
    submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    client.force_login(personas["district_admin"])
    response = client.get("/assessments/2026/")
    assert set(codes_listed(response)) == YX_UNITS
    counts = response.context["counts"]
    assert counts.counts[("grassroots", "submitted")] == 1
    assert counts.counts[("grassroots", "not_started")] == 2
    assert counts.of_status(Status.NOT_STARTED) == 6
    assert counts.total == 7
    page = response.content.decode()
    assert re.search(r'<tr data-tier="grassroots">.*?data-status="submitted" data-count="1"', page, re.DOTALL)


def test_the_secondary_cadre_sees_its_own_system(client, cycle, secondary_cadre):
    client.force_login(secondary_cadre)
    response = client.get("/assessments/2026/")
    assert set(codes_listed(response)) == {"YX-S1", "YX-S1-G1", "YX-S1-G2"}
    assert response.context["counts"].total == 3
    assert "system" not in response.context["form"].fields  # only its own system: nothing to choose


def test_a_grassroots_cadre_is_taken_to_its_own_assessment(client, cycle, grassroots_cadre):
    client.force_login(grassroots_cadre)
    response = client.get("/assessments/2026/")
    assert response.status_code == 302
    assert response["Location"] == "/assessments/2026/YX-S1-G1/"


def test_the_list_shows_totals_and_who_reviews(client, cycle, personas):
    fill_in(personas["grassroots_cadre"], assessment_of(cycle, "YX-S1-G1"), score="2")
    client.force_login(personas["district_admin"])
    rows = {row.code: row for row in client.get("/assessments/2026/").context["rows"]}
    assert rows["YX-S1-G1"].self_total == "30"  # 15 items × 2
    assert rows["YX-S1-G1"].final_total == "—"
    assert rows["YX-S1-G1"].reviewer == "城关街道总工会"  # its secondary union
    assert rows["YX-S1"].reviewer in EVERY_ASSESSOR
    assert rows["YX-D1"].self_total == "—"


def test_filters_narrow_the_list(client, cycle, personas, tree):
    submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    client.force_login(personas["district_admin"])

    def listed(**query):
        return set(codes_listed(client.get("/assessments/2026/", query)))

    assert listed(status="submitted") == {"YX-S1-G1"}
    assert listed(tier="secondary") == {"YX-S1", "YX-S2"}
    assert listed(system="YX-S2") == {"YX-S2", "YX-S2-G1"}
    assert listed(q="小学") == {"YX-S1-G2"}
    assert listed(q="yx-d") == {"YX-D1"}
    assert listed(tier="grassroots", status="not_started") == {"YX-S1-G2", "YX-S2-G1"}


def test_a_bad_filter_is_said_and_lists_nothing(client, cycle, district_admin):
    client.force_login(district_admin)
    for query in ({"status": "lost"}, {"tier": "galaxy"}, {"system": "LQ-S1"}, {"q": "x" * 101}, {"overdue": "x"}):
        response = client.get("/assessments/2026/", query)
        assert response.status_code == 200
        assert response.context["form"].errors
        assert response.context["page"] is None


def test_who_is_overdue(client, cycle, personas, monkeypatch):
    submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    client.force_login(personas["district_admin"])
    monkeypatch.setattr("kaohe.assessments.views_cycle.timezone.localdate", lambda: datetime.date(2026, 12, 1))
    response = client.get("/assessments/2026/")
    overdue = response.context["overdue"]
    assert (overdue.self_count, overdue.review_count) == (6, 0)  # past the self deadline, not the review one
    assert len(codes_listed(client.get("/assessments/2026/", {"overdue": "self"}))) == 6

    monkeypatch.setattr("kaohe.assessments.views_cycle.timezone.localdate", lambda: datetime.date(2026, 12, 21))
    assert codes_listed(client.get("/assessments/2026/", {"overdue": "review"})) == ["YX-S1-G1"]
    assert client.get("/assessments/2026/").context["overdue"].review_count == 1


def test_before_the_deadline_nobody_is_overdue(client, cycle, district_admin, monkeypatch):
    client.force_login(district_admin)
    monkeypatch.setattr("kaohe.assessments.views_cycle.timezone.localdate", lambda: datetime.date(2026, 11, 30))
    overdue = client.get("/assessments/2026/").context["overdue"]
    assert (overdue.self_count, overdue.review_count) == (0, 0)
    assert codes_listed(client.get("/assessments/2026/", {"overdue": "self"})) == []


def test_the_list_is_paginated(client, tree, standard, district_admin):
    for number in range(60):
        make_unit(f"YX-S1-P{number:02}", f"分页工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    client.force_login(district_admin)
    first = client.get("/assessments/2026/")
    assert len(codes_listed(first)) == 50
    assert first.context["page"].paginator.count == 67
    assert len(codes_listed(client.get("/assessments/2026/", {"page": 2}))) == 17


def test_the_export_holds_every_filtered_row_with_chinese_headings(client, cycle, personas):
    submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    client.force_login(personas["secondary_cadre"])
    response = client.get("/assessments/2026/export.xlsx", {"tier": "grassroots"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][:6] == ("单位编码", "单位名称", "层级", "状态", "自评总分", "最终总分")
    with translation.override("zh-hans"):  # a file people exchange: Chinese whatever the page's language
        assert {row[0]: row[3] for row in rows[1:]} == {
            "YX-S1-G1": str(Status.SUBMITTED.label),
            "YX-S1-G2": str(Status.NOT_STARTED.label),
        }
    assert [row[4] for row in rows[1:] if row[0] == "YX-S1-G1"] == [100]


def test_the_export_refuses_a_bad_filter(client, cycle, district_admin):
    client.force_login(district_admin)
    response = client.get("/assessments/2026/export.xlsx", {"status": "lost"})
    assert response.status_code == 302
    assert response["Location"] == "/assessments/2026/"


# Assigning -------------------------------------------------------------------------------------------------


def test_the_admin_gives_units_to_an_assessor_and_back(client, cycle, district_admin, assessor):
    client.force_login(district_admin)
    page = client.get("/assessments/2026/assign/")
    assert set(codes_listed(page)) == {"YX", "YX-S1", "YX-S2", "YX-D1"}  # the tiers the assessors review
    [(name, count)] = page.context["load"]
    assert name in EVERY_ASSESSOR
    assert count == 4
    ids = [assessment_of(cycle, code).pk for code in ("YX-S1", "YX-D1")]

    response = client.post("/assessments/2026/assign/?tier=secondary", {"assessor": assessor.pk, "units": ids})

    assert response.status_code == 302
    assert response["Location"] == "/assessments/2026/assign/?tier=secondary"
    assert assessment_of(cycle, "YX-S1").reviewer == assessor
    assert assessment_of(cycle, "YX-D1").reviewer == assessor
    assert assessment_of(cycle, "YX-S2").reviewer is None
    client.post("/assessments/2026/assign/", {"assessor": "", "units": [ids[0]]})
    assert assessment_of(cycle, "YX-S1").reviewer is None


def test_every_unit_on_the_page_at_once(client, cycle, district_admin, assessor):
    client.force_login(district_admin)
    shown = [a.pk for a in client.get("/assessments/2026/assign/", {"tier": "secondary"}).context["page"]]
    client.post("/assessments/2026/assign/", {"assessor": assessor.pk, "all_shown": "on", "shown": shown})
    given = Assessment.objects.filter(cycle=cycle, reviewer=assessor)
    assert set(given.values_list("organisation__code", flat=True)) == {"YX-S1", "YX-S2"}


@pytest.mark.parametrize(
    "sent",
    [
        {},  # nothing ticked
        {"units": ["abc"]},
        {"units": ["grassroots"]},  # replaced below by a grassroots unit's id: not the assessors' to review
        {"assessor": "999999", "units": ["district"]},
        {"assessor": "another district", "units": ["district"]},
    ],
)
def test_bad_assignments_change_nothing(client, cycle, district_admin, tree, sent):
    neighbour = make_user("linqu-kaohe", Role.ASSESSOR, tree["LQ"])
    ids = {"grassroots": assessment_of(cycle, "YX-S1-G1").pk, "district": assessment_of(cycle, "YX").pk}
    data = {
        key: [ids.get(value, value) for value in values] if key == "units" else values for key, values in sent.items()
    }
    if data.get("assessor") == "another district":
        data["assessor"] = neighbour.pk
    client.force_login(district_admin)
    response = client.post("/assessments/2026/assign/", data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Assessment.objects.filter(cycle=cycle, reviewer__isnull=False).exists()


# Publishing ------------------------------------------------------------------------------------------------


def test_publishing_is_refused_while_anything_is_not_reviewed(client, cycle, district_admin):
    client.force_login(district_admin)
    page = client.get("/assessments/2026/publish/")
    assert page.context["waiting"] == 7
    assert len(codes_listed(page)) == 7
    assert 'id="publish-form"' not in page.content.decode()
    response = client.post("/assessments/2026/publish/")
    assert response.status_code == 200
    assert response.context["refusal"]
    assert not Cycle.objects.get(pk=cycle.pk).published_at


def review_everything(cycle, personas, tree):
    """Every assessment submitted and reviewed by whoever reviews it (a cadre of YX-S2 for its grassroots union)."""
    reviewers = {"YX-S1": personas["secondary_cadre"], "YX-S2": make_user("jiaowei", Role.CADRE, tree["YX-S2"])}
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle"):
        fill_in(personas["district_admin"], assessment)
        actions.submit_self_assessment(personas["district_admin"], assessment)
        above = assessment.organisation.ancestor_codes[-1] if assessment.tier == "grassroots" else ""
        review_all(reviewers.get(above, personas["assessor"]), assessment)


def test_once_everything_is_reviewed_the_admin_publishes_and_republishes_after_a_reopening(
    client, cycle, personas, tree
):
    review_everything(cycle, personas, tree)
    client.force_login(personas["district_admin"])
    page = client.get("/assessments/2026/publish/")
    assert page.context["to_publish"] == 7
    assert 'id="publish-form"' in page.content.decode()

    response = client.post("/assessments/2026/publish/")

    assert response.status_code == 302
    assert Assessment.objects.filter(cycle=cycle, status=Status.PUBLISHED).count() == 7
    page = client.get("/assessments/2026/publish/").content.decode()
    assert 'id="all-published"' in page
    assert 'id="cycle-published"' in page

    reopened = actions.reopen_assessment(personas["district_admin"], assessment_of(cycle, "YX-D1"), reason="复核")
    assert codes_listed(client.get("/assessments/2026/publish/")) == ["YX-D1"]
    review_all(personas["assessor"], reopened, score=None)
    assert client.get("/assessments/2026/publish/").context["to_publish"] == 1
    client.post("/assessments/2026/publish/")
    assert assessment_of(cycle, "YX-D1").status == Status.PUBLISHED
    listed = client.get("/assessments/").content.decode()
    assert 'data-state="published"' in listed


# What each page costs: the same queries for seven units and for forty-seven -----------------------------------


def grow(tree, standard, district_admin, extra_units: int) -> Cycle:
    for number in range(extra_units):
        make_unit(f"YX-S1-Q{number:02}", f"新增工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    Cycle.objects.filter(year=2026).delete()
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    for assessment in Assessment.objects.filter(cycle=cycle).select_related("organisation", "cycle")[:5]:
        fill_in(district_admin, assessment)
    for assessment in Assessment.objects.filter(cycle=cycle, tier="grassroots").select_related("organisation", "cycle"):
        fill_in(district_admin, assessment)
        actions.submit_self_assessment(district_admin, assessment)  # something for the secondary cadre to review
    return cycle


PINS = pinned_pages(
    [
        # session, user with unit; the district's cycles; the counts of what the user sees
        ("district_admin", "/assessments/", 4),
        # session, user; the latest year; the default standard; the versions for the select (Django reads its
        # choices twice: to render them and to see whether the first is empty)
        ("district_admin", "/assessments/open/", 6),
        # session, user; the cycle; counts per tier and state (which also count the unfiltered list); the systems;
        # the page's ids in the list's order; those rows with their units and people; their totals
        ("district_admin", "/assessments/2026/", 8),
        ("secondary_cadre", "/assessments/2026/", 7),  # no systems to choose from
        ("district_admin", "/assessments/2026/?status=submitted&tier=grassroots&q=工会", 9),  # and the filtered count
        # session, user; the cycle; the page's count and rows; who reviews what; the assessors for the select
        ("district_admin", "/assessments/2026/assign/", 7),
        # session, user; the cycle; counts; the page's count and rows
        ("district_admin", "/assessments/2026/publish/", 6),
        # session, user; the cycle; the assessments waiting for the user
        ("secondary_cadre", "/assessments/2026/review-sheet/", 4),
        # session, user; the cycle; the assessments waiting for the user; their items
        ("secondary_cadre", "/assessments/2026/review-sheet.xlsx", 5),
        # session, user; the default standard; the versions for the select (twice, as above)
        ("district_admin", "/assessments/import/", 5),
        # session, user; the cycle; the systems; totals of every row; those whose finals are hidden; the rows
        ("district_admin", "/assessments/2026/export.xlsx", 7),
    ]
)


@pytest.mark.parametrize(("persona", "path", "expected"), PINS)
def test_a_page_costs_the_same_queries_however_large_the_district(
    client, tree, standard, personas, django_assert_num_queries, persona, path, expected
):
    client.force_login(personas[persona])
    grow(tree, standard, personas["district_admin"], 0)
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200
    grow(tree, standard, personas["district_admin"], 40)
    with django_assert_num_queries(expected):
        assert client.get(path).status_code == 200


# Final scores are the reviewer's until publication, in the list and its export as on the assessment page.


def reviewed_by_the_district(cycle, personas, code: str) -> None:
    """The unit self-assessed in full and reviewed by the district's assessor, 2 points off on 1.1."""
    assessment = submitted(personas["district_admin"], cycle, code)
    for item in assessment.items.all():
        final = item.points - 2 if item.number == "1.1" else item.points
        actions.review_item(personas["assessor"], item, final_score=final, reason="材料不全")


def final_totals_listed(client, user) -> dict[str, str]:
    client.force_login(user)
    return {row.code: row.final_total for row in client.get("/assessments/2026/").context["rows"]}


def final_totals_exported(client, user) -> dict[str, object]:
    client.force_login(user)
    sheet = load_workbook(io.BytesIO(client.get("/assessments/2026/export.xlsx").content)).active
    return {row[0]: row[5] for row in sheet.iter_rows(min_row=3, values_only=True)}


def test_a_secondary_union_does_not_see_its_own_final_total_before_publication(client, cycle, personas):
    reviewed_by_the_district(cycle, personas, "YX-S1")

    assert final_totals_listed(client, personas["secondary_cadre"])["YX-S1"] == "—"
    assert final_totals_exported(client, personas["secondary_cadre"])["YX-S1"] is None
    # Its reviewer and the district's administrators see it as it is being given.
    assert final_totals_listed(client, personas["assessor"])["YX-S1"] == "98"
    assert final_totals_exported(client, personas["district_admin"])["YX-S1"] == 98


def test_the_assessor_does_not_see_a_grassroots_unions_final_total_before_publication(client, cycle, personas):
    assessment = submitted(personas["grassroots_cadre"], cycle, "YX-S1-G1")
    review_all(personas["secondary_cadre"], assessment, score=None)

    assert final_totals_listed(client, personas["secondary_cadre"])["YX-S1-G1"] == "100"  # its reviewer
    assert final_totals_listed(client, personas["assessor"])["YX-S1-G1"] == "—"
    assert final_totals_exported(client, personas["assessor"])["YX-S1-G1"] is None
