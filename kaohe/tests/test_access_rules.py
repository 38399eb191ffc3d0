"""Two promises of access, told from the users' side.

Nothing outside one's subtree shows through a message: codes and usernames are unique across every district,
so a refusal cannot help saying that one is taken, but for a code or username outside one's system it says
only that it cannot be used (never that another system holds it, nor whose), in the same words whether the
holder is a sibling system or another district; inside one's system, where the cadre can see the holder,
the refusal names it.

Accounts are managed from above: a cadre manages the accounts of the units strictly below their own, never
their own unit's (their colleagues'), and a district administrator every account of the district but their
own.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.access import can_manage_account
from kaohe.accounts.models import Role, User
from kaohe.conftest import make_user
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import csv_bytes, upload

pytestmark = pytest.mark.django_db

UNUSABLE_CODE = "The code %(code)s cannot be used; choose another."
UNUSABLE_USERNAME = "The username %(username)s cannot be used; choose another."


def add_unit(client, code: str):
    data = {"code": code, "name": "新工会", "category": "grassroots", "members": "5"}
    return client.post(reverse("organisations:create", args=["YX-S1"]), data)


def import_unit(client, code: str):
    content = csv_bytes([[code, "新工会", "YX-S1", "基层工会", 5]])
    return client.post(reverse("organisations:import"), {"file": upload("units.csv", content)})


def add_account(client, username: str):
    data = {
        "username": username,
        "full_name": "李晓",
        "role": Role.CADRE,
        "unit": "YX-S1-G2",
        "password1": "lake-river-2026",
        "password2": "lake-river-2026",
    }
    return client.post(reverse("people_create"), data)


# --- No existence leaks --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["YX-S2-G1", "LQ-S1-G1"], ids=["sibling-system", "other-district"])
def test_adding_a_unit_with_a_code_taken_outside_ones_system_says_only_that_it_cannot_be_used(
    client, secondary_cadre, code
):
    client.force_login(secondary_cadre)
    holder = Organisation.objects.get(code=code)

    response = add_unit(client, code)

    assert response.context["form"].errors["code"] == [_(UNUSABLE_CODE) % {"code": code}]
    assert holder.name not in response.content.decode()
    assert Organisation.objects.filter(code=code).get() == holder  # nothing added, nothing changed


def test_adding_a_unit_with_a_code_taken_inside_ones_system_names_the_unit_that_has_it(client, secondary_cadre):
    client.force_login(secondary_cadre)
    holder = Organisation.objects.get(code="YX-S1-G1")

    response = add_unit(client, "YX-S1-G1")

    expected = _("The code %(code)s is already used by %(unit)s.") % {"code": "YX-S1-G1", "unit": holder}
    assert response.context["form"].errors["code"] == [expected]
    assert Organisation.objects.filter(parent__code="YX-S1").count() == 2


@pytest.mark.parametrize("code", ["YX-S2-G1", "LQ-S1-G1"], ids=["sibling-system", "other-district"])
def test_importing_a_unit_with_a_code_taken_outside_ones_system_says_only_that_it_cannot_be_used(
    client, secondary_cadre, code
):
    client.force_login(secondary_cadre)
    holder = Organisation.objects.get(code=code)

    response = import_unit(client, code)

    assert [(error.row, error.message) for error in response.context["errors"]] == [
        (2, _(UNUSABLE_CODE) % {"code": code})
    ]
    assert holder.name not in response.content.decode()
    assert Organisation.objects.get(code=code).parent_id == holder.parent_id  # not moved into the system


def test_the_refusal_of_a_code_reads_the_same_for_a_sibling_system_and_another_district(client, secondary_cadre):
    client.force_login(secondary_cadre)

    sibling = add_unit(client, "YX-S2-G1").context["form"].errors["code"][0]
    elsewhere = add_unit(client, "LQ-S1-G1").context["form"].errors["code"][0]

    assert sibling.replace("YX-S2-G1", "CODE") == elsewhere.replace("LQ-S1-G1", "CODE")


@pytest.mark.parametrize("username", ["linqu", "LINQU", "admin"], ids=["other-district", "any-case", "above"])
def test_a_username_taken_outside_ones_system_says_only_that_it_cannot_be_used(
    client, secondary_cadre, outsider, district_admin, username
):
    client.force_login(secondary_cadre)

    response = add_account(client, username)

    assert response.context["form"].errors["username"] == [_(UNUSABLE_USERNAME) % {"username": username}]
    assert not User.objects.filter(first_name="李晓").exists()


def test_a_username_taken_inside_ones_system_says_it_is_in_use(client, secondary_cadre, grassroots_cadre):
    client.force_login(secondary_cadre)

    response = add_account(client, "shequ")

    expected = _("The username %(username)s is already in use.") % {"username": "shequ"}
    assert response.context["form"].errors["username"] == [expected]


# --- Accounts are managed from above -------------------------------------------------------------------------


@pytest.fixture
def accounts(tree, personas) -> dict[str, User]:
    """Beside the personas: another administrator, and a cadre at every unit of the secondary cadre's system."""
    return {
        **personas,
        "other_admin": make_user("admin2", Role.DISTRICT_ADMIN, tree["YX"]),
        "colleague": make_user("chengguan2", Role.CADRE, tree["YX-S1"]),
        "below": make_user("xiaoxue", Role.CADRE, tree["YX-S1-G2"]),
        "sibling": make_user("jiaowei", Role.CADRE, tree["YX-S2"]),
    }


# manager: the accounts they manage, of every account above; nobody else's
MANAGES = {
    "district_admin": {
        "assessor",
        "other_admin",
        "secondary_cadre",
        "grassroots_cadre",
        "colleague",
        "below",
        "sibling",
    },
    "secondary_cadre": {"grassroots_cadre", "below"},  # the units below YX-S1, not YX-S1 itself
    "outsider": set(),  # another district's accounts do not exist for them
    "assessor": set(),
    "grassroots_cadre": set(),
}


@pytest.mark.parametrize("manager", MANAGES)
def test_who_manages_whose_account(accounts, manager):
    managed = {name for name, account in accounts.items() if can_manage_account(accounts[manager], account)}

    assert managed == MANAGES[manager]


def test_the_colleague_of_a_cadre_is_looked_after_by_the_unit_above(client, accounts):
    # The fault: a cadre reset a colleague's password and logged in as them.
    client.force_login(accounts["secondary_cadre"])
    new_password = {"new_password1": "lake-river-2026", "new_password2": "lake-river-2026"}

    refused = client.post(reverse("people_password", args=["chengguan2"]), new_password)
    client.force_login(accounts["district_admin"])
    done = client.post(reverse("people_password", args=["chengguan2"]), new_password)

    assert (refused.status_code, done.status_code) == (403, 302)
    assert User.objects.get(username="chengguan2").check_password("lake-river-2026")


def test_the_filter_of_visible_final_scores_answers_as_the_rule_for_one(tree, personas, district_admin):
    """access.final_scores_visible (lists, exports) and access.can_see_final_scores (a page) never disagree."""
    from kaohe.access import can_see_final_scores, final_scores_visible, visible_assessments_of
    from kaohe.assessments import actions
    from kaohe.assessments.models import Assessment, Status
    from kaohe.standard.actions import load_standard
    from kaohe.standard.files import SHIPPED, read_standard_path

    standard = load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))[0]
    cycle = actions.open_cycle(district_admin, tree["YX"], 2026, standard)
    Assessment.objects.filter(organisation__code="YX-S2-G1").update(status=Status.PUBLISHED)
    Assessment.objects.filter(organisation__code="YX-D1").update(reviewer=personas["assessor"])
    for user in personas.values():
        seen = visible_assessments_of(user, cycle).select_related("organisation")
        by_rule = {a.organisation.code for a in seen if can_see_final_scores(user, a)}
        by_filter = set(seen.filter(final_scores_visible(user)).values_list("organisation__code", flat=True))
        assert by_filter == by_rule, user.username
