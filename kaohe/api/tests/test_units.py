"""Units through the API, as on the pages: each persona sees their own subtree, changes what the pages let
them change (with the same history), is refused where the pages refuse, and never learns of other systems.

The tree and personas are kaohe/conftest.py's: YX (district admin, assessor) with YX-S1 (secondary cadre) and
its YX-S1-G1 (grassroots cadre) and YX-S1-G2, YX-S2 with YX-S2-G1, YX-D1; LQ with LQ-S1 (outsider), LQ-S1-G1.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.conftest import make_unit
from kaohe.history.models import Action, Event
from kaohe.organisations import actions
from kaohe.organisations.models import Category, Organisation
from kaohe.organisations.tests.files import csv_bytes, upload, xlsx_bytes
from kaohe.tests.pins import pins

UNITS = reverse("api:units")
IMPORT = reverse("api:units_import")


def unit_url(code: str, name: str = "api:unit") -> str:
    return reverse(name, args=[code])


def codes(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [unit["code"] for unit in response.json()["results"]]


def fields_at_fault(response: Any) -> list[str | None]:
    assert response.status_code == 400, response.content
    return list(dict.fromkeys(error["field"] for error in response.json()["errors"]))  # a field may have several


def snapshot() -> tuple[list[tuple[Any, ...]], int]:
    """Every unit as stored and how many events: what a refused request must leave as it was."""
    units = list(Organisation.objects.order_by("code").values_list("code", "name", "category", "members", "path"))
    return units, Event.objects.count()


def unit_events() -> Any:
    """The events of changes to units (the personas' keys were made with an event each, too)."""
    return Event.objects.filter(action__startswith="organisation").order_by("id")


def grow(parent: Organisation, count: int = 20) -> None:
    """More units under a unit, as a grown system has."""
    for number in range(count):
        make_unit(f"{parent.code}-N{number}", f"新增工会{number}", Category.GRASSROOTS, parent, members=10)


# Listing --------------------------------------------------------------------------------------------------


def test_the_district_admin_lists_their_district_and_nothing_of_another(api):
    response = api["district_admin"].get(UNITS)

    assert codes(response) == ["YX", "YX-D1", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1"]  # tree order
    assert response.json()["count"] == 7
    assert response.json()["results"][3] == {
        "code": "YX-S1-G1",
        "name": "城关社区工会",
        "category": "grassroots",
        "tier": "grassroots",
        "parent": "YX-S1",
        "members": 120,
        "is_active": True,
        "depth": 2,
        "version": 1,
    }
    assert response.json()["results"][0]["parent"] is None


def test_each_cadre_lists_their_own_subtree(api):
    assert codes(api["secondary_cadre"].get(UNITS)) == ["YX-S1", "YX-S1-G1", "YX-S1-G2"]
    assert codes(api["grassroots_cadre"].get(UNITS)) == ["YX-S1-G1"]
    assert codes(api["outsider"].get(UNITS)) == ["LQ-S1", "LQ-S1-G1"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"under": "YX-S1"}, ["YX-S1", "YX-S1-G1", "YX-S1-G2"]),
        ({"children_of": "YX"}, ["YX-D1", "YX-S1", "YX-S2"]),
        ({"tier": "secondary"}, ["YX-S1", "YX-S2"]),
        ({"tier": "grassroots", "under": "YX-S2"}, ["YX-S2-G1"]),
        ({"q": "小学"}, ["YX-S1-G2"]),
        ({"q": "s2-g"}, ["YX-S2-G1"]),  # part of a code, in any letter case
        ({"active": "true", "children_of": "YX-S1"}, ["YX-S1-G1", "YX-S1-G2"]),
        ({"page_size": 2, "page": 2}, ["YX-S1", "YX-S1-G1"]),
    ],
)
def test_the_list_narrows_as_asked(api, query, expected):
    assert codes(api["district_admin"].get(UNITS, query)) == expected


def test_deactivated_units_are_listed_apart(api, secondary_cadre, tree):
    actions.deactivate_organisation(secondary_cadre, tree["YX-S1-G2"])

    assert codes(api["secondary_cadre"].get(UNITS, {"active": "false"})) == ["YX-S1-G2"]
    assert codes(api["secondary_cadre"].get(UNITS, {"active": "true"})) == ["YX-S1", "YX-S1-G1"]


@pytest.mark.parametrize(
    ("persona", "query", "field"),
    [
        ("outsider", {"under": "YX-S1"}, "under"),  # another system's unit is no unit of theirs
        ("district_admin", {"under": "NOPE"}, "under"),
        ("secondary_cadre", {"children_of": "YX-S2"}, "children_of"),
        ("district_admin", {"active": "maybe"}, "active"),
        ("district_admin", {"tier": "galaxy"}, "tier"),
        ("district_admin", {"q": "城关\x00"}, "q"),
        ("district_admin", {"q": "x" * 101}, "q"),
        ("district_admin", {"under": "YX\x00"}, "under"),
    ],
)
def test_a_filter_that_cannot_be_is_a_400_naming_it(api, persona, query, field):
    assert fields_at_fault(api[persona].get(UNITS, query)) == [field]


def test_without_a_key_nothing_is_listed(anonymous, tree):
    response = anonymous.get(UNITS)

    assert response.status_code == 401
    assert response.json()["detail"]


@pins("api:units")
def test_listing_units_costs_the_same_for_a_grown_district(api, tree, django_assert_num_queries):
    client = api["district_admin"]
    # The key and its use (2), the unit the filter names (1), the count and the page (2).
    with django_assert_num_queries(5):
        small = client.get(UNITS, {"under": "YX-S1"})
    grow(tree["YX-S1"])
    with django_assert_num_queries(5):
        grown = client.get(UNITS, {"under": "YX-S1"})

    assert (small.json()["count"], grown.json()["count"]) == (3, 23)


# One unit -------------------------------------------------------------------------------------------------


def test_the_district_admin_reads_a_secondary_union_with_its_counts_and_their_rights(api, secondary_cadre, tree):
    actions.deactivate_organisation(secondary_cadre, tree["YX-S1-G2"])

    body = api["district_admin"].get(unit_url("YX-S1")).json()

    assert body["code"] == "YX-S1"
    assert body["parent"] == "YX"
    assert (body["children"], body["active_children"]) == (2, 1)
    assert (body["units_below"], body["members_in_all"]) == (1, 30 + 120)  # active units only, as the page
    assert (body["may_edit"], body["may_add_units"], body["may_move"]) == (True, True, True)


def test_the_grassroots_cadre_reads_their_own_unit_and_may_only_edit_it(api):
    body = api["grassroots_cadre"].get(unit_url("YX-S1-G1")).json()

    assert (body["children"], body["units_below"], body["members_in_all"]) == (0, 0, 120)
    assert (body["may_edit"], body["may_add_units"], body["may_move"]) == (True, False, False)


def test_the_assessor_reads_but_may_change_nothing(api):
    body = api["assessor"].get(unit_url("YX-S1")).json()

    assert (body["may_edit"], body["may_add_units"], body["may_move"]) == (False, False, False)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("outsider", "YX-S1"),  # another system's unit does not exist for them
        ("secondary_cadre", "YX"),  # nor does the unit above one's own
        ("grassroots_cadre", "YX-S1-G2"),  # nor a sibling
        ("district_admin", "NOPE"),
        ("district_admin", "not a code"),
        ("district_admin", "YX\x00"),
    ],
)
def test_a_unit_outside_ones_subtree_is_not_found(api, persona, code):
    response = api[persona].get(unit_url(code))

    assert response.status_code == 404
    assert response.json()["detail"]


@pins("api:unit")
def test_reading_a_unit_costs_the_same_for_a_grown_district(api, tree, django_assert_num_queries):
    client = api["district_admin"]
    # The key and its use (2), the unit (1), its children counted (1), its subtree's totals (1).
    with django_assert_num_queries(5):
        client.get(unit_url("YX-S1"))
    grow(tree["YX-S1"])
    grow(tree["YX-S1-G1"], 5)
    with django_assert_num_queries(5):
        body = client.get(unit_url("YX-S1")).json()

    assert (body["children"], body["units_below"]) == (22, 27)


# The tree, a level at a time --------------------------------------------------------------------------------


def test_the_tree_opens_a_level_at_a_time_with_each_branchs_totals(api):
    response = api["district_admin"].get(unit_url("YX", "api:unit_children"))

    rows = {unit["code"]: unit for unit in response.json()["results"]}
    assert codes(response) == ["YX-S1", "YX-S2", "YX-D1"]  # townships, then bureaus, then direct unions
    assert (rows["YX-S1"]["units_below"], rows["YX-S1"]["members_in_all"]) == (2, 30 + 120 + 80)
    assert (rows["YX-D1"]["units_below"], rows["YX-D1"]["members_in_all"]) == (0, 900)
    assert rows["YX-S1"]["version"] == 1


def test_the_tree_leaves_deactivated_units_out_unless_asked(api, secondary_cadre, tree):
    actions.deactivate_organisation(secondary_cadre, tree["YX-S1-G2"])
    children = unit_url("YX-S1", "api:unit_children")

    assert codes(api["secondary_cadre"].get(children)) == ["YX-S1-G1"]
    assert codes(api["secondary_cadre"].get(children, {"include_inactive": "true"})) == ["YX-S1-G1", "YX-S1-G2"]
    assert fields_at_fault(api["secondary_cadre"].get(children, {"include_inactive": "yes"})) == ["include_inactive"]


def test_the_children_of_a_unit_outside_ones_subtree_are_not_found(api):
    assert api["outsider"].get(unit_url("YX-S1", "api:unit_children")).status_code == 404
    assert api["grassroots_cadre"].get(unit_url("YX-S1", "api:unit_children")).status_code == 404


@pins("api:unit_children")
def test_a_level_of_the_tree_costs_the_same_with_more_units_on_it(api, tree, django_assert_num_queries):
    client = api["district_admin"]
    children = unit_url("YX-S1", "api:unit_children")
    # The key and its use (2), the unit (1), the count and the page (2), the totals under them (1).
    with django_assert_num_queries(6):
        client.get(children)
    grow(tree["YX-S1"])
    grow(tree["YX-S1-G1"], 5)
    with django_assert_num_queries(6):
        body = client.get(children).json()

    assert body["count"] == 22
    assert {row["code"]: row["units_below"] for row in body["results"]}["YX-S1-G1"] == 5


# Adding a unit ----------------------------------------------------------------------------------------------

NEW_UNIT = {"code": "YX-S1-G3", "name": "城关医院工会", "category": "grassroots", "members": 45}


def test_the_secondary_cadre_adds_a_grassroots_union_to_their_system(api, secondary_cadre):
    response = api["secondary_cadre"].post(unit_url("YX-S1", "api:unit_children"), NEW_UNIT, format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {
        **NEW_UNIT,
        "tier": "grassroots",
        "parent": "YX-S1",
        "is_active": True,
        "depth": 2,
        "version": 1,
    }
    unit = Organisation.objects.get(code="YX-S1-G3")
    assert unit.path == "/YX/YX-S1/YX-S1-G3/"
    assert Event.objects.filter(action=Action.ORGANISATION_CREATED, organisation=unit, actor=secondary_cadre).exists()


def test_a_form_post_adds_a_unit_too(api):
    response = api["district_admin"].post(
        unit_url("YX", "api:unit_children"), {**NEW_UNIT, "code": "YX-S3", "category": "township"}
    )

    assert response.status_code == 201, response.content
    assert Organisation.objects.get(code="YX-S3").parent.code == "YX"


@pytest.mark.parametrize(
    ("persona", "parent", "status"),
    [
        ("grassroots_cadre", "YX-S1-G1", 403),  # a grassroots union has no units under it
        ("assessor", "YX-S1", 403),  # assessors read
        ("outsider", "YX-S1", 404),
        ("secondary_cadre", "YX", 404),
        ("district_admin", "NOPE", 404),
    ],
)
def test_adding_a_unit_where_the_page_refuses_writes_nothing(api, persona, parent, status):
    before = snapshot()

    response = api[persona].post(unit_url(parent, "api:unit_children"), NEW_UNIT, format="json")

    assert response.status_code == status
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"members": -1}, "members"),
        ({"members": 10**12}, "members"),
        ({"members": "多"}, "members"),
        ({"members": 1.5}, "members"),
        ({"name": "城关\x00医院工会"}, "name"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": ["城关医院工会"]}, "name"),
        ({"name": "工" * 101}, "name"),
        ({"category": "township"}, "category"),  # a township cannot stand under a township
        ({"category": "galaxy"}, "category"),
        ({"code": "YX-S1-G1"}, "code"),  # taken
        ({"code": "LQ-S1-G1"}, "code"),  # taken in another system: refused without saying by whom
        ({"code": "坏 编码"}, "code"),
        ({"code": "YX\x00"}, "code"),
    ],
)
def test_bad_input_for_a_new_unit_is_a_400_naming_the_field_and_nothing_is_added(api, changes, field):
    before = snapshot()

    response = api["secondary_cadre"].post(
        unit_url("YX-S1", "api:unit_children"), {**NEW_UNIT, **changes}, format="json"
    )

    assert fields_at_fault(response) == [field]
    assert snapshot() == before


def test_a_code_of_another_system_is_refused_without_naming_its_unit(api):
    response = api["secondary_cadre"].post(
        unit_url("YX-S1", "api:unit_children"), {**NEW_UNIT, "code": "LQ-S1-G1"}, format="json"
    )

    assert "邻区" not in response.content.decode()
    assert response.json()["errors"][0]["message"] == _("The code %(code)s cannot be used; choose another.") % {
        "code": "LQ-S1-G1"
    }


# Editing a unit ---------------------------------------------------------------------------------------------


def test_the_grassroots_cadre_corrects_their_member_count(api, grassroots_cadre):
    response = api["grassroots_cadre"].patch(unit_url("YX-S1-G1"), {"members": 130, "version": 1}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["members"], response.json()["name"], response.json()["version"]) == (130, "城关社区工会", 2)
    event = Event.objects.get(action=Action.ORGANISATION_UPDATED)
    assert (event.actor, event.details) == (grassroots_cadre, {"changes": {"members": [120, 130]}})


def test_ones_own_units_category_is_left_to_the_unit_above(api):
    response = api["grassroots_cadre"].patch(unit_url("YX-S1-G1"), {"category": "direct", "version": 1}, format="json")

    assert response.status_code == 200
    assert Organisation.objects.get(code="YX-S1-G1").category == "grassroots"
    assert not unit_events().exists()  # nothing the form reads changed


def test_the_district_admin_turns_a_bureau_union_into_a_township_federation(api):
    response = api["district_admin"].patch(unit_url("YX-S2"), {"category": "township", "version": 1}, format="json")

    assert response.status_code == 200
    assert (response.json()["category"], response.json()["tier"]) == ("township", "secondary")


def test_an_edit_over_someone_elses_newer_save_is_refused_and_loses_nothing(api, district_admin, tree):
    actions.update_organisation(district_admin, tree["YX-S1-G1"], name="城关社区联合工会", members=125)

    response = api["grassroots_cadre"].patch(unit_url("YX-S1-G1"), {"members": 130, "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    assert "城关社区联合工会" in response.json()["detail"]  # says what is stored now
    stored = Organisation.objects.get(code="YX-S1-G1")
    assert (stored.name, stored.members, stored.version) == ("城关社区联合工会", 125, 2)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"members": 130}, None),  # no version: it could undo someone's change
        ({"members": 130, "version": "one"}, None),
        ({"members": -1, "version": 1}, "members"),
        ({"members": 10**12, "version": 1}, "members"),
        ({"name": "社区\x00工会", "version": 1}, "name"),
        ({"name": None, "version": 1}, "name"),
        ({"name": "工" * 101, "version": 1}, "name"),
    ],
)
def test_bad_input_for_an_edit_is_a_400_and_nothing_is_written(api, body, field):
    before = snapshot()

    response = api["grassroots_cadre"].patch(unit_url("YX-S1-G1"), body, format="json")

    assert fields_at_fault(response) == [field]
    assert snapshot() == before


def test_an_edit_without_its_version_says_why(api):
    response = api["grassroots_cadre"].patch(unit_url("YX-S1-G1"), {"members": 130}, format="json")

    assert "version" in response.json()["detail"] or "版本" in response.json()["detail"]


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("YX-S1-G1", "township"),  # a township federation cannot stand under a township federation
        ("YX-S1", "direct"),  # its grassroots unions could not stay under a direct union
    ],
)
def test_a_category_that_does_not_fit_is_refused_on_the_category(api, code, category):
    before = snapshot()

    response = api["district_admin"].patch(unit_url(code), {"category": category, "version": 1}, format="json")

    assert fields_at_fault(response) == ["category"]
    assert snapshot() == before


@pytest.mark.parametrize(("persona", "status"), [("assessor", 403), ("outsider", 404)])
def test_editing_where_the_page_refuses_writes_nothing(api, persona, status):
    before = snapshot()

    response = api[persona].patch(unit_url("YX-S1-G1"), {"members": 1, "version": 1}, format="json")

    assert response.status_code == status
    assert snapshot() == before


def test_an_edit_is_a_patch(api):
    assert (
        api["district_admin"].put(unit_url("YX-S1-G1"), {"members": 1, "version": 1}, format="json").status_code == 405
    )


# Moving, deactivating, reactivating ------------------------------------------------------------------------


def test_the_district_admin_moves_a_grassroots_union_to_another_secondary_union(api):
    response = api["district_admin"].post(
        unit_url("YX-S1-G2", "api:unit_move"), {"new_parent": "YX-S2", "version": 1}, format="json"
    )

    assert response.status_code == 200, response.content
    assert (response.json()["parent"], response.json()["version"]) == ("YX-S2", 2)
    assert Organisation.objects.get(code="YX-S1-G2").path == "/YX/YX-S2/YX-S1-G2/"
    assert Event.objects.get(action=Action.ORGANISATION_MOVED).details == {"before": "YX-S1", "after": "YX-S2"}


def test_a_move_over_a_newer_version_is_refused(api, district_admin, tree):
    actions.update_organisation(district_admin, tree["YX-S1-G2"], members=81)

    response = api["district_admin"].post(
        unit_url("YX-S1-G2", "api:unit_move"), {"new_parent": "YX-S2", "version": 1}, format="json"
    )

    assert response.status_code == 409
    assert Organisation.objects.get(code="YX-S1-G2").parent.code == "YX-S1"


@pytest.mark.parametrize(
    ("code", "body", "field"),
    [
        ("YX-S1", {"new_parent": "YX-S1-G1", "version": 1}, "new_parent"),  # under itself
        ("YX-S1-G2", {"new_parent": "YX", "version": 1}, "new_parent"),  # a grassroots union under a district
        ("YX-S1-G2", {"new_parent": "LQ-S1", "version": 1}, "new_parent"),  # outside: as if it did not exist
        ("YX-S1-G2", {"new_parent": "", "version": 1}, "new_parent"),
        ("YX-S1-G2", {"new_parent": "YX-S2\x00", "version": 1}, "new_parent"),
        ("YX-S1-G2", {"new_parent": "YX-S2"}, None),  # no version
    ],
)
def test_a_move_that_cannot_be_is_a_400_and_nothing_moves(api, code, body, field):
    before = snapshot()

    response = api["district_admin"].post(unit_url(code, "api:unit_move"), body, format="json")

    assert fields_at_fault(response) == [field]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("secondary_cadre", "YX-S1", 403),  # one's own unit is moved from above
        ("grassroots_cadre", "YX-S1-G1", 403),
        ("assessor", "YX-S1-G2", 403),
        ("outsider", "YX-S1-G2", 404),
        ("district_admin", "NOPE", 404),
    ],
)
@pytest.mark.parametrize("action", ["api:unit_move", "api:unit_deactivate", "api:unit_reactivate"])
def test_moving_and_deactivating_where_the_page_refuses_writes_nothing(api, persona, code, status, action):
    before = snapshot()

    response = api[persona].post(unit_url(code, action), {"new_parent": "YX-S2", "version": 1}, format="json")

    assert response.status_code == status
    assert snapshot() == before


def test_a_deactivated_unit_leaves_the_tree_and_comes_back(api, secondary_cadre):
    client = api["secondary_cadre"]

    gone = client.post(unit_url("YX-S1-G2", "api:unit_deactivate"))
    back = client.post(unit_url("YX-S1-G2", "api:unit_reactivate"))

    assert (gone.status_code, gone.json()["is_active"], gone.json()["version"]) == (200, False, 2)
    assert (back.status_code, back.json()["is_active"], back.json()["version"]) == (200, True, 3)
    assert list(unit_events().values_list("action", "actor")) == [
        (Action.ORGANISATION_DEACTIVATED, secondary_cadre.pk),
        (Action.ORGANISATION_REACTIVATED, secondary_cadre.pk),
    ]


def test_deactivating_a_unit_deactivates_its_accounts_and_their_keys_stop_working(api):
    response = api["secondary_cadre"].post(unit_url("YX-S1-G1", "api:unit_deactivate"))

    assert response.status_code == 200
    assert Event.objects.get(action=Action.ORGANISATION_DEACTIVATED).details == {"accounts": ["shequ"]}
    assert api["grassroots_cadre"].get(UNITS).status_code == 401


def test_a_unit_with_active_units_under_it_is_not_deactivated(api):
    response = api["district_admin"].post(unit_url("YX-S1", "api:unit_deactivate"))

    assert fields_at_fault(response) == [None]
    assert "2" in response.json()["detail"]
    assert Organisation.objects.get(code="YX-S1").is_active


def test_a_unit_under_a_deactivated_one_is_not_reactivated(api, district_admin, tree):
    for code in ("YX-S1-G1", "YX-S1-G2", "YX-S1"):
        actions.deactivate_organisation(district_admin, Organisation.objects.get(code=code))

    response = api["district_admin"].post(unit_url("YX-S1-G1", "api:unit_reactivate"))

    assert fields_at_fault(response) == [None]
    assert "城关街道总工会" in response.json()["detail"]
    assert not Organisation.objects.get(code="YX-S1-G1").is_active


def test_deactivating_takes_a_post(api):
    assert api["district_admin"].get(unit_url("YX-S1-G2", "api:unit_deactivate")).status_code == 405


@pins("api:unit_move")
def test_a_move_costs_the_same_with_more_units_around(api, tree, django_assert_num_queries):
    client = api["district_admin"]
    body = {"new_parent": "YX-S2", "version": 1}
    # The key and its use, the unit, the new parent; in a transaction (2) the lock, the old parent, the unit
    # saved, its subtree read and rewritten, the event, the unit read back.
    with django_assert_num_queries(13):
        client.post(unit_url("YX-S1-G2", "api:unit_move"), body, format="json")
    grow(tree["YX-S1"])
    with django_assert_num_queries(13):
        client.post(unit_url("YX-S1-G1", "api:unit_move"), body, format="json")

    assert Organisation.objects.filter(parent__code="YX-S2").count() == 3


@pins("api:unit_deactivate", "api:unit_reactivate")
def test_deactivating_and_reactivating_cost_the_same_with_more_units_around(api, tree, django_assert_num_queries):
    client = api["district_admin"]
    for code, then_grow in (("YX-S1-G2", tree["YX-S1"]), ("YX-S2-G1", tree["YX-S2"])):
        # The key and its use, the unit; in a transaction the lock, its active units counted, its accounts,
        # the unit saved, its event.
        with django_assert_num_queries(10):
            client.post(unit_url(code, "api:unit_deactivate"))
        # The key and its use, the unit; in a transaction the lock, the unit above, the unit saved, its event.
        with django_assert_num_queries(9):
            client.post(unit_url(code, "api:unit_reactivate"))
        grow(then_grow)

    assert Organisation.objects.filter(code__in=["YX-S1-G2", "YX-S2-G1"], is_active=True).count() == 2


# Importing --------------------------------------------------------------------------------------------------

GOOD_ROWS: list[list[Any]] = [
    ["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45],
    ["YX-S1-G1", "城关社区工会", "YX-S1", "基层工会", 125],  # known: updated
]


def test_the_secondary_cadre_imports_a_units_file_into_their_system(api, secondary_cadre):
    response = api["secondary_cadre"].post(IMPORT, {"file": upload("units.csv", csv_bytes(GOOD_ROWS))})

    assert response.status_code == 200, response.content
    assert response.json() == {"file": "units.csv", "created": 1, "updated": 1, "unchanged": 0}
    assert Organisation.objects.get(code="YX-S1-G3").parent.code == "YX-S1"
    assert Organisation.objects.get(code="YX-S1-G1").members == 125
    imported = Event.objects.get(action=Action.ORGANISATIONS_IMPORTED)
    assert (imported.actor, imported.organisation.code, imported.details["file"]) == (
        secondary_cadre,
        "YX-S1",
        "units.csv",
    )


def test_an_xlsx_file_imports_the_same(api):
    response = api["district_admin"].post(IMPORT, {"file": upload("units.xlsx", xlsx_bytes(GOOD_ROWS))})

    assert response.json()["created"] == 1


def test_a_file_with_one_bad_row_writes_nothing_and_names_the_row_and_column(api):
    before = snapshot()
    rows: list[list[Any]] = [*GOOD_ROWS, ["YX-S1-G4", "某工会", "YX-S1", "基层工会", "多"]]

    response = api["secondary_cadre"].post(IMPORT, {"file": upload("units.csv", csv_bytes(rows))})

    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 4, "field": "会员人数", "message": "“多”不是数字。"}]
    assert "1" in response.json()["detail"]
    assert snapshot() == before


def test_every_fault_of_every_row_is_named(api):
    rows = [
        ["YX-S1-G3", "城关医院工会", "YX-S2-G1", "基层工会", 45],  # a grassroots union under a grassroots union
        ["LQ-S1-G1", "邻区社区工会", "YX-S1", "基层工会", 1],  # another system's code
        ["YX-S1-G5", "社区\x00工会", "NOPE", "基层工会", -1],
    ]
    before = snapshot()

    response = api["secondary_cadre"].post(IMPORT, {"file": upload("units.csv", csv_bytes(rows))})

    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [
        (2, "上级单位编码"),  # YX-S2-G1 is outside the secondary cadre's system
        (3, "单位编码"),
        (4, "单位名称"),  # a row that cannot be read is not looked for in the tree
        (4, "会员人数"),
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("files", "field"),
    [
        ({}, "file"),
        ({"file": "单位编码,单位名称"}, "file"),  # text, not a file
        ({"file": upload("units.txt", b"hello")}, None),  # the file's fault, not a row's
        ({"file": upload("units.csv", b"")}, "file"),
        ({"file": upload("units.xlsx", b"not a workbook")}, None),
    ],
)
def test_an_upload_that_is_not_a_units_file_is_a_400(api, files, field):
    before = snapshot()

    response = api["district_admin"].post(IMPORT, files)

    assert fields_at_fault(response)[:1] == [field]
    assert snapshot() == before


def test_a_json_body_is_not_an_upload(api):
    assert api["district_admin"].post(IMPORT, {"file": "x"}, format="json").status_code == 415


@pytest.mark.parametrize("persona", ["grassroots_cadre", "assessor"])
def test_those_who_may_not_restructure_may_not_import(api, persona):
    before = snapshot()

    response = api[persona].post(IMPORT, {"file": upload("units.csv", csv_bytes(GOOD_ROWS))})

    assert response.status_code == 403
    assert snapshot() == before


@pins("api:units_import")
def test_an_import_costs_the_same_for_a_longer_file(api, django_assert_num_queries):
    client = api["district_admin"]
    short = [["YX-S2-G2", "工会0", "YX-S2", "基层工会", 1]]
    long = [[f"YX-S2-G{n}", f"工会{n}", "YX-S2", "基层工会", n] for n in range(3, 23)]
    # The key and its use (2), the codes the file names (1); in a transaction (2) the parents (1), the units
    # and their events in bulk (2), the import's own event (1).
    with django_assert_num_queries(9):
        client.post(IMPORT, {"file": upload("units.csv", csv_bytes(short))})
    with django_assert_num_queries(9):
        response = client.post(IMPORT, {"file": upload("units.csv", csv_bytes(long))})

    assert response.json()["created"] == 20


# History ----------------------------------------------------------------------------------------------------


def test_a_units_history_lists_what_happened_newest_first(api, district_admin, tree):
    actions.update_organisation(district_admin, tree["YX-S1-G1"], members=121)
    actions.update_organisation(None, tree["YX-S1-G1"], members=122)

    response = api["grassroots_cadre"].get(unit_url("YX-S1-G1", "api:unit_history"))

    events = response.json()["results"]
    assert [(e["action"], e["actor"]) for e in events] == [
        (Action.ORGANISATION_UPDATED, None),
        (Action.ORGANISATION_UPDATED, "admin"),
        (Action.API_TOKEN_CREATED, "shequ"),  # everything that happened at the unit, as its page lists
    ]
    assert events[0]["action_label"] == str(Action.ORGANISATION_UPDATED.label)


def test_the_history_of_a_unit_outside_ones_subtree_is_not_found(api):
    assert api["outsider"].get(unit_url("YX-S1-G1", "api:unit_history")).status_code == 404
    assert api["district_admin"].get(unit_url("NOPE", "api:unit_history")).status_code == 404


@pins("api:unit_history")
def test_the_history_costs_the_same_when_it_is_longer(api, district_admin, tree, django_assert_num_queries):
    client = api["district_admin"]
    actions.update_organisation(district_admin, tree["YX-S1-G1"], members=121)
    # The key and its use (2), the unit (1), the count and the page with who did it (2).
    with django_assert_num_queries(5):
        client.get(unit_url("YX-S1-G1", "api:unit_history"))
    for members in range(122, 142):
        actions.update_organisation(district_admin, tree["YX-S1-G1"], members=members)
    with django_assert_num_queries(5):
        body = client.get(unit_url("YX-S1-G1", "api:unit_history")).json()

    assert body["count"] == 21 + 1  # and the grassroots cadre's key made
