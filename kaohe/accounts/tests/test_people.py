"""People management: managers look after the accounts of their system, under the same subtree rule as units.

A district administrator manages every account of the district but their own; a secondary union's cadre the
cadre accounts of the units below its own (its own unit's accounts, its colleagues', are managed from above);
assessors and grassroots cadres manage nobody (403). An account outside one's subtree does not exist (404), and
nobody manages their own account here. Every change is a history event without passwords.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.accounts.models import Role, User
from kaohe.conftest import make_unit, make_user
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Category
from kaohe.tests.pins import pinned_pages, pins

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404
LISTED, NOT_LISTED = "listed", "not listed"
PASSWORD = "correct-horse-42"  # every persona's and colleague's, from kaohe/conftest.py
NEW_PASSWORD = "lake-river-2026"

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleagues(tree, personas) -> dict[str, User]:
    """One cadre account at each unit the matrix needs, beside the personas."""
    at = {
        "s1-colleague": "YX-S1",
        "g1-colleague": "YX-S1-G1",
        "g2-cadre": "YX-S1-G2",
        "s2-cadre": "YX-S2",
        "lq-colleague": "LQ-S1",
        "lq-g1-cadre": "LQ-S1-G1",
    }
    accounts = {username: make_user(username, Role.CADRE, tree[code]) for username, code in at.items()}
    accounts["yx-admin"] = make_user("yx-admin", Role.DISTRICT_ADMIN, tree["YX"])
    for account in accounts.values():
        account.first_name = f"同事{account.username}"
        account.save()
    return accounts


def log_in(client, username: str, password: str) -> bool:
    """Whether the login page lets this person in (a session is opened)."""
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def listed_usernames(client, query: str = "") -> set[str]:
    response = client.get(reverse("people") + query)
    assert response.status_code == OK
    return {account.username for account, _may_manage in response.context["rows"]}


def account_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "xiaoli",
        "full_name": "李晓",
        "role": Role.CADRE,
        "unit": "YX-S1-G2",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    return {**data, **overrides}


def create(client, **overrides: str):
    return client.post(reverse("people_create"), account_data(**overrides))


def edit(client, username: str, **values: str):
    account = User.objects.get(username=username)
    data = {"full_name": account.get_full_name(), "role": account.role, "unit": account.organisation.code}
    # The hidden version, as the form opened now would carry it.
    return client.post(reverse("people_edit", args=[username]), {**data, "version": account.version, **values})


def events(action: Action) -> list[Event]:
    return list(Event.objects.filter(action=action).select_related("organisation", "actor"))


# --- The rights matrix -------------------------------------------------------------------------------------

# persona, the account of: its own unit / a unit in its subtree / a unit outside it, with
# (what the list shows of it, or the list's status; the status of its edit page)
MATRIX = [
    ("district_admin", "assessor", (LISTED, OK)),  # own unit: the district's accounts are all the admin's
    ("district_admin", "yx-admin", (LISTED, OK)),  # another administrator too
    ("district_admin", "g1-colleague", (LISTED, OK)),  # subtree
    ("district_admin", "lq-colleague", (NOT_LISTED, NOT_FOUND)),  # another district
    ("assessor", "admin", (FORBIDDEN, FORBIDDEN)),  # assessors read, they manage nobody
    ("assessor", "g1-colleague", (FORBIDDEN, FORBIDDEN)),
    ("assessor", "lq-colleague", (FORBIDDEN, NOT_FOUND)),
    ("secondary_cadre", "s1-colleague", (LISTED, FORBIDDEN)),  # own unit: managed from above
    ("secondary_cadre", "g1-colleague", (LISTED, OK)),
    ("secondary_cadre", "s2-cadre", (NOT_LISTED, NOT_FOUND)),  # a sibling system
    ("secondary_cadre", "admin", (NOT_LISTED, NOT_FOUND)),  # the unit above
    ("grassroots_cadre", "g1-colleague", (FORBIDDEN, FORBIDDEN)),  # grassroots cadres manage nobody
    ("grassroots_cadre", "g2-cadre", (FORBIDDEN, NOT_FOUND)),
    ("grassroots_cadre", "chengguan", (FORBIDDEN, NOT_FOUND)),
    ("outsider", "lq-colleague", (LISTED, FORBIDDEN)),
    ("outsider", "lq-g1-cadre", (LISTED, OK)),
    ("outsider", "g1-colleague", (NOT_LISTED, NOT_FOUND)),
]


@pytest.mark.parametrize(("persona", "username", "expected"), MATRIX)
def test_people_rights_matrix(client, personas, colleagues, persona, username, expected):
    client.force_login(personas[persona])

    listing = client.get(reverse("people"))
    if listing.status_code == OK:
        shown = {account.username for account, _may_manage in listing.context["rows"]}
        seen = LISTED if username in shown else NOT_LISTED
    else:
        seen = listing.status_code
    edit_page = client.get(reverse("people_edit", args=[username])).status_code

    assert (seen, edit_page) == expected


@pytest.mark.parametrize("persona", ["district_admin", "secondary_cadre", "outsider"])
def test_nobody_manages_their_own_account_here(client, personas, persona):
    me = personas[persona]
    client.force_login(me)

    pages = [
        client.get(reverse("people_edit", args=[me.username])),
        client.post(reverse("people_deactivate", args=[me.username])),
        client.post(reverse("people_password", args=[me.username]), {"new_password1": "x", "new_password2": "x"}),
    ]

    assert [page.status_code for page in pages] == [FORBIDDEN] * 3
    me.refresh_from_db()
    assert me.is_active
    assert me.check_password(PASSWORD)
    assert not Event.objects.exists()


@pytest.mark.parametrize("persona", ["assessor", "grassroots_cadre"])
def test_those_who_manage_nobody_cannot_add_anyone(client, personas, persona):
    client.force_login(personas[persona])

    assert client.get(reverse("people_create")).status_code == FORBIDDEN
    assert create(client, unit=personas[persona].organisation.code).status_code == FORBIDDEN
    assert not User.objects.filter(username="xiaoli").exists()


def test_a_directly_affiliated_unions_cadre_manages_nobody(client, tree):
    # A 区直属基层工会 is a grassroots union: its accounts are the district's business.
    client.force_login(make_user("yiyuan", Role.CADRE, tree["YX-D1"]))

    assert client.get(reverse("people")).status_code == FORBIDDEN
    assert 'href="/accounts/people/"' not in client.get(reverse("organisations:tree")).content.decode()


def test_a_secondary_cadre_cannot_manage_an_assessor_placed_in_its_system(client, tree, secondary_cadre):
    # Not a state the pages make, but one Django's admin site could have: the role decides, not the unit.
    stray = make_user("stray", Role.ASSESSOR, tree["YX-S1-G1"])
    client.force_login(secondary_cadre)

    assert client.get(reverse("people_edit", args=[stray.username])).status_code == FORBIDDEN


def test_a_cadre_cannot_reset_a_colleagues_password_and_log_in_as_them(client, secondary_cadre, colleagues):
    # s1-colleague works at the cadre's own unit: its account is the district's to manage, not a colleague's.
    client.force_login(secondary_cadre)

    pages = [
        client.get(reverse("people_password", args=["s1-colleague"])),
        client.post(
            reverse("people_password", args=["s1-colleague"]),
            {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        ),
        client.post(reverse("people_deactivate", args=["s1-colleague"])),
        edit(client, "s1-colleague", full_name="冒名"),
    ]

    assert [page.status_code for page in pages] == [FORBIDDEN] * 4
    assert not log_in(client.__class__(), "s1-colleague", NEW_PASSWORD)
    assert log_in(client.__class__(), "s1-colleague", PASSWORD)
    assert User.objects.get(username="s1-colleague").get_full_name() == "同事s1-colleague"
    assert not Event.objects.exists()


def test_a_colleagues_account_is_reset_from_above(client, district_admin, colleagues):
    client.force_login(district_admin)

    response = client.post(
        reverse("people_password", args=["s1-colleague"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert log_in(client.__class__(), "s1-colleague", NEW_PASSWORD)


def test_a_district_admin_manages_another_admin_but_not_themself(client, district_admin, colleagues):
    client.force_login(district_admin)

    other = client.post(
        reverse("people_password", args=["yx-admin"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    own = client.post(
        reverse("people_password", args=["admin"]), {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert (other.status_code, own.status_code) == (302, FORBIDDEN)
    assert User.objects.get(username="yx-admin").check_password(NEW_PASSWORD)
    assert User.objects.get(username="admin").check_password(PASSWORD)


@pytest.mark.parametrize(("persona", "unit"), [("secondary_cadre", "YX-S1"), ("outsider", "LQ-S1")])
def test_a_cadre_cannot_add_an_account_to_their_own_unit(client, personas, persona, unit):
    client.force_login(personas[persona])

    response = create(client, unit=unit)

    expected = _("The accounts of %(unit)s are managed by the unit above it.") % {
        "unit": personas[persona].organisation
    }
    assert response.context["form"].errors["unit"] == [expected]
    assert not User.objects.filter(username="xiaoli").exists()


def test_a_cadre_cannot_move_an_account_into_their_own_unit(client, secondary_cadre, colleagues):
    client.force_login(secondary_cadre)

    response = edit(client, "g1-colleague", unit="YX-S1")

    assert response.context["form"].errors["unit"]
    assert User.objects.get(username="g1-colleague").organisation.code == "YX-S1-G1"
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("persona", "query", "starts_at"),
    [
        ("secondary_cadre", "", ""),  # the list starts at the cadre's own unit: not theirs to add to
        ("secondary_cadre", "?unit=YX-S1", ""),
        ("secondary_cadre", "?unit=YX-S1-G2", "YX-S1-G2"),
        ("district_admin", "", "YX"),
    ],
)
def test_the_new_account_form_starts_at_a_unit_the_manager_may_add_to(client, personas, persona, query, starts_at):
    client.force_login(personas[persona])

    form = client.get(reverse("people_create") + query).context["form"]

    assert form["unit"].value() == starts_at


def test_operator_accounts_stay_out_of_reach(client, tree, district_admin):
    # An operator of Django's admin site, placed at the district: resetting their password here would hand
    # the admin site to whoever manages people.
    User.objects.create_superuser("operator", password=PASSWORD, organisation=tree["YX"])
    client.force_login(district_admin)

    assert client.get(reverse("people_edit", args=["operator"])).status_code == FORBIDDEN
    assert client.post(reverse("people_deactivate", args=["operator"])).status_code == FORBIDDEN


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("district_admin", True),
        ("secondary_cadre", True),
        ("outsider", True),
        ("assessor", False),
        ("grassroots_cadre", False),
    ],
)
def test_the_people_link_shows_only_to_those_who_manage_someone(client, personas, persona, shown):
    client.force_login(personas[persona])

    page = client.get(reverse("organisations:tree")).content.decode()

    assert ('href="/accounts/people/"' in page) == shown


def test_the_people_pages_need_a_login(client, colleagues):
    for url in (reverse("people"), reverse("people_create"), reverse("people_edit", args=["g1-colleague"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- The list ----------------------------------------------------------------------------------------------


def test_the_list_shows_who_is_who_and_which_accounts_the_manager_may_open(client, secondary_cadre, colleagues):
    client.force_login(secondary_cadre)

    response = client.get(reverse("people"))

    rows = {account.username: may_manage for account, may_manage in response.context["rows"]}
    assert rows == {"chengguan": False, "s1-colleague": False, "shequ": True, "g1-colleague": True, "g2-cadre": True}
    page = response.content.decode()
    assert reverse("people_edit", args=["g1-colleague"]) in page
    assert reverse("people_edit", args=["chengguan"]) not in page  # one's own account: no link
    assert reverse("people_edit", args=["s1-colleague"]) not in page  # a colleague's: managed from above


def test_the_list_filters_by_unit_with_or_without_the_units_under_it(client, secondary_cadre, colleagues):
    client.force_login(secondary_cadre)

    assert listed_usernames(client, "?unit=YX-S1") == {"chengguan", "s1-colleague"}
    assert listed_usernames(client, "?unit=YX-S1-G1&subtree=on") == {"shequ", "g1-colleague"}
    assert len(listed_usernames(client, "?unit=YX-S1&subtree=on")) == 5


def test_the_list_finds_people_by_username_or_name(client, district_admin, colleagues):
    User.objects.filter(username="g2-cadre").update(first_name="王小明")
    client.force_login(district_admin)

    assert listed_usernames(client, "?unit=YX&subtree=on&q=小明") == {"g2-cadre"}
    assert listed_usernames(client, "?unit=YX&subtree=on&q=COLLEAGUE") == {"s1-colleague", "g1-colleague"}


def test_a_unit_outside_ones_system_is_not_found_in_the_filter_either(client, secondary_cadre, colleagues):
    """As if it did not exist: the filter says that no unit matches (kaohe/tests/test_unit_picker.py)."""
    client.force_login(secondary_cadre)

    for code in ("YX-S2", "NO-SUCH"):
        response = client.get(reverse("people") + f"?unit={code}&subtree=on")
        assert (response.status_code, response.context["page"]) == (OK, None)
        assert _("No unit has a name or code containing “%(text)s”.") % {"text": code} in response.content.decode()


def test_the_list_pages_fifty_accounts_at_a_time(client, tree, district_admin):
    User.objects.bulk_create(User(username=f"p{n:03}", role=Role.CADRE, organisation=tree["YX-S2"]) for n in range(60))
    client.force_login(district_admin)

    first = client.get(reverse("people"))
    second = client.get(reverse("people") + "?unit=YX&subtree=on&page=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 11  # 60 and the admin
    assert first.context["page"].paginator.count == 61


@pytest.mark.parametrize("accounts", [3, 40])
@pins("people")
def test_the_list_costs_the_same_queries_for_few_and_many_accounts(
    client, tree, district_admin, django_assert_num_queries, accounts
):
    for number in range(accounts):
        unit = make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
        make_user(f"person{number}", Role.CADRE, unit)
    client.force_login(district_admin)

    # session, the user with their unit, the filter's unit, the count, the page of accounts with their units,
    # and the units without an active account: the first of them and their count
    with django_assert_num_queries(7):
        response = client.get(reverse("people"))

    assert len(response.context["rows"]) == accounts + 1


# --- Units without an account -----------------------------------------------------------------------------


def units_without_account(client, query: str = "") -> list[str]:
    response = client.get(reverse("people") + query)
    assert response.status_code == OK
    shown = [unit.code for unit in response.context["units_without_account"]]
    assert response.context["units_without_account_count"] == len(shown)
    return shown


def test_a_district_admin_sees_which_units_nobody_can_log_in_for(client, personas):
    client.force_login(personas["district_admin"])

    # YX has the admin and assessor, YX-S1 the secondary cadre, YX-S1-G1 the grassroots cadre; LQ is not theirs.
    assert units_without_account(client) == ["YX-D1", "YX-S1-G2", "YX-S2", "YX-S2-G1"]  # in tree order
    page = client.get(reverse("people")).content.decode()
    assert 'id="units-without-account"' in page
    assert "城关小学工会" in page
    assert reverse("people_import_template_for_units") + "?unit=YX" in page


def test_the_list_of_units_without_an_account_follows_the_unit_the_list_shows(client, personas):
    client.force_login(personas["district_admin"])

    assert units_without_account(client, "?unit=YX-S2") == ["YX-S2", "YX-S2-G1"]  # always with the units under it


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("secondary_cadre", ["YX-S1-G2"]), ("outsider", ["LQ-S1-G1"])],
)
def test_a_secondary_cadre_sees_only_the_units_of_its_system(client, personas, persona, expected):
    client.force_login(personas[persona])

    assert units_without_account(client) == expected


def test_a_deactivated_account_leaves_its_unit_without_one_and_a_deactivated_unit_is_not_listed(client, tree, personas):
    User.objects.filter(username="shequ").update(is_active=False)
    tree["YX-S1-G2"].is_active = False
    tree["YX-S1-G2"].save()
    client.force_login(personas["secondary_cadre"])

    assert units_without_account(client) == ["YX-S1-G1"]


def test_a_system_where_every_unit_has_an_account_shows_no_list(client, tree, personas, colleagues):
    client.force_login(personas["secondary_cadre"])

    assert units_without_account(client) == []
    assert 'id="units-without-account"' not in client.get(reverse("people")).content.decode()


def test_the_list_of_units_without_an_account_names_the_first_fifty_and_counts_them_all(client, tree, secondary_cadre):
    for number in range(60):
        make_unit(f"YX-S1-Z{number:02}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(secondary_cadre)

    response = client.get(reverse("people"))

    assert len(response.context["units_without_account"]) == 50
    assert response.context["units_without_account_count"] == 62  # and YX-S1-G1, YX-S1-G2


@pytest.mark.parametrize("units", [3, 40])
@pins("people")
def test_the_list_costs_the_same_queries_however_many_units_have_no_account(
    client, tree, district_admin, django_assert_num_queries, units
):
    for number in range(units):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(district_admin)

    with django_assert_num_queries(7):
        response = client.get(reverse("people"))

    assert response.context["units_without_account_count"] == units + 6


# --- Creating accounts -------------------------------------------------------------------------------------


def test_a_district_admin_creates_a_cadre_for_a_grassroots_unit_who_then_logs_in(client, district_admin):
    client.force_login(district_admin)

    response = create(client, username="xiaoli", role=Role.CADRE, unit="YX-S1-G2")

    assert response["Location"] == reverse("people") + "?unit=YX-S1-G2"  # the list where the new person shows
    account = User.objects.get(username="xiaoli")
    assert (account.role, account.organisation.code, account.get_full_name()) == (Role.CADRE, "YX-S1-G2", "李晓")
    assert (account.is_staff, account.is_superuser) == (False, False)
    [event] = events(Action.ACCOUNT_CREATED)
    assert (event.actor, event.organisation.code) == (district_admin, "YX-S1-G2")
    assert event.details == {"username": "xiaoli", "full_name": "李晓", "role": "cadre", "unit": "YX-S1-G2"}
    client.post(reverse("logout"))
    assert log_in(client, "xiaoli", NEW_PASSWORD)


def test_a_district_admin_creates_an_assessor_for_the_district(client, district_admin):
    client.force_login(district_admin)

    response = create(client, username="pingshen", role=Role.ASSESSOR, unit="YX")

    assert response.status_code == 302
    assert User.objects.get(username="pingshen").role == Role.ASSESSOR
    assert events(Action.ACCOUNT_CREATED)[0].organisation.code == "YX"


def test_district_roles_belong_to_the_district_federation(client, district_admin):
    client.force_login(district_admin)

    response = create(client, role=Role.ASSESSOR, unit="YX-S1")

    assert response.status_code == OK
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(username="xiaoli").exists()


def test_a_secondary_cadre_creates_a_cadre_for_its_grassroots_unit(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = create(client, unit="YX-S1-G2")

    assert response.status_code == 302
    assert User.objects.get(username="xiaoli").organisation.code == "YX-S1-G2"
    assert events(Action.ACCOUNT_CREATED)[0].actor == secondary_cadre


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"role": Role.ASSESSOR, "unit": "YX-S1"}, "role"),  # only a district administrator gives that role
        ({"role": Role.DISTRICT_ADMIN, "unit": "YX-S1"}, "role"),
        ({"unit": "YX-S2-G1"}, "unit"),  # a sibling system's unit: as if it did not exist
        ({"unit": "YX"}, "unit"),  # the unit above
    ],
)
def test_a_secondary_cadre_cannot_give_district_roles_or_reach_outside_its_system(
    client, secondary_cadre, values, field
):
    client.force_login(secondary_cadre)

    response = create(client, **values)

    assert response.status_code == OK
    assert response.context["form"].errors[field]
    assert not User.objects.filter(username="xiaoli").exists()
    assert not Event.objects.exists()


def test_a_secondary_cadre_is_offered_only_the_cadre_role(client, secondary_cadre):
    client.force_login(secondary_cadre)

    form = client.get(reverse("people_create")).context["form"]

    assert [value for value, _label in form.fields["role"].choices] == [Role.CADRE]


def test_the_new_account_form_starts_as_a_cadre_of_the_unit_the_list_showed(client, district_admin):
    client.force_login(district_admin)

    form = client.get(reverse("people_create") + "?unit=YX-S1-G2").context["form"]

    assert (form["role"].value(), form["unit"].value()) == (Role.CADRE, "YX-S1-G2")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"username": "g1-colleague"}, "username"),  # taken
        ({"username": "G1-Colleague"}, "username"),  # taken, whatever the case
        ({"username": "has space"}, "username"),
        ({"password1": "12345678", "password2": "12345678"}, "password2"),  # common and all digits
        ({"password1": "short", "password2": "short"}, "password2"),
        ({"username": "lihuaxiao", "password1": "lihuaxiao1", "password2": "lihuaxiao1"}, "password2"),  # like it
        ({"password2": "lake-river-2027"}, "password2"),  # typed differently
        ({"unit": "NO-SUCH"}, "unit"),
        ({"unit": ""}, "unit"),
        ({"full_name": ""}, "full_name"),
        ({"role": "superuser"}, "role"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_created(client, district_admin, colleagues, values, field):
    client.force_login(district_admin)
    before = User.objects.count()

    response = create(client, **values)

    assert response.status_code == OK
    assert response.context["form"].errors[field]
    assert User.objects.count() == before
    assert not Event.objects.exists()


def test_a_weak_password_is_refused_in_chinese(client, district_admin):
    client.force_login(district_admin)

    page = create(client, password1="12345678", password2="12345678").content.decode()

    assert "这个密码太常见了" in page


def test_no_account_is_added_to_a_deactivated_unit(client, tree, district_admin):
    tree["YX-S1-G2"].is_active = False
    tree["YX-S1-G2"].save()
    client.force_login(district_admin)

    response = create(client, unit="YX-S1-G2")

    assert response.context["form"].errors["unit"]
    assert not User.objects.filter(username="xiaoli").exists()


# --- Editing -----------------------------------------------------------------------------------------------


def test_a_district_admin_renames_and_moves_a_cadre_and_history_says_what_changed(client, district_admin, colleagues):
    client.force_login(district_admin)

    response = edit(client, "g1-colleague", full_name="赵六", unit="YX-S2-G1")

    assert response.status_code == 302
    account = User.objects.get(username="g1-colleague")
    assert (account.get_full_name(), account.organisation.code) == ("赵六", "YX-S2-G1")
    [event] = events(Action.ACCOUNT_UPDATED)
    assert event.organisation.code == "YX-S2-G1"
    assert event.details == {
        "username": "g1-colleague",
        "changes": {"full_name": ["同事g1-colleague", "赵六"], "unit": ["YX-S1-G1", "YX-S2-G1"]},
    }


def test_saving_an_unchanged_account_records_nothing(client, district_admin, colleagues):
    client.force_login(district_admin)

    assert edit(client, "g1-colleague").status_code == 302
    assert not Event.objects.exists()


def test_a_district_admin_makes_a_district_cadre_an_assessor_but_not_a_grassroots_one(
    client, tree, district_admin, colleagues
):
    make_user("yx-cadre", Role.CADRE, tree["YX"])
    client.force_login(district_admin)

    assert edit(client, "yx-cadre", full_name="钱七", role=Role.ASSESSOR).status_code == 302
    refused = edit(client, "g1-colleague", role=Role.ASSESSOR)

    assert User.objects.get(username="yx-cadre").role == Role.ASSESSOR
    assert refused.context["form"].errors["role"]
    assert User.objects.get(username="g1-colleague").role == Role.CADRE


def test_a_secondary_cadre_cannot_move_an_account_out_of_its_system(client, secondary_cadre, colleagues):
    client.force_login(secondary_cadre)

    response = edit(client, "g1-colleague", unit="YX-S2-G1")

    assert response.context["form"].errors["unit"]
    assert User.objects.get(username="g1-colleague").organisation.code == "YX-S1-G1"
    assert not Event.objects.exists()


def test_the_username_is_not_on_the_edit_form(client, district_admin, colleagues):
    client.force_login(district_admin)

    form = client.get(reverse("people_edit", args=["g1-colleague"])).context["form"]

    assert list(form.fields) == ["full_name", "role", "unit", "version"]  # the version hidden
    assert form.initial["unit"] == "YX-S1-G1"


# --- Deactivating, reactivating, resetting passwords -------------------------------------------------------


def test_a_deactivated_person_cannot_log_in_and_a_reactivated_one_can(client, district_admin, colleagues):
    manager = client
    manager.force_login(district_admin)
    person = client.__class__()

    assert manager.post(reverse("people_deactivate", args=["g1-colleague"])).status_code == 302
    assert not log_in(person, "g1-colleague", PASSWORD)

    assert manager.post(reverse("people_reactivate", args=["g1-colleague"])).status_code == 302
    assert log_in(person, "g1-colleague", PASSWORD)

    [deactivated] = events(Action.ACCOUNT_DEACTIVATED)
    [reactivated] = events(Action.ACCOUNT_REACTIVATED)
    for event in (deactivated, reactivated):
        assert (event.actor, event.organisation.code) == (district_admin, "YX-S1-G1")
        assert event.details == {"username": "g1-colleague"}


def test_deactivating_ends_the_sessions_the_person_has_open(client, secondary_cadre, colleagues):
    person = client.__class__()
    person.force_login(colleagues["g1-colleague"])
    client.force_login(secondary_cadre)

    client.post(reverse("people_deactivate", args=["g1-colleague"]))

    assert person.get(reverse("organisations:tree")).status_code == 302


def test_deactivating_takes_a_post(client, district_admin, colleagues):
    client.force_login(district_admin)

    assert client.get(reverse("people_deactivate", args=["g1-colleague"])).status_code == 405
    assert User.objects.get(username="g1-colleague").is_active


def test_a_reset_password_works_and_the_old_one_no_longer_does(client, secondary_cadre, colleagues):
    client.force_login(secondary_cadre)

    response = client.post(
        reverse("people_password", args=["g1-colleague"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    person = client.__class__()
    assert not log_in(person, "g1-colleague", PASSWORD)
    assert log_in(person, "g1-colleague", NEW_PASSWORD)
    [event] = events(Action.PASSWORD_RESET)
    assert (event.actor, event.organisation.code) == (secondary_cadre, "YX-S1-G1")
    assert event.details == {"username": "g1-colleague"}


def test_a_reset_password_also_lifts_a_lockout(client, district_admin, colleagues):
    person = client.__class__()
    for _attempt in range(5):
        log_in(person, "g1-colleague", "guess")
    client.force_login(district_admin)

    client.post(
        reverse("people_password", args=["g1-colleague"]),
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert log_in(person, "g1-colleague", NEW_PASSWORD)


@pytest.mark.parametrize(
    "passwords",
    [("12345678", "12345678"), (NEW_PASSWORD, "lake-river-2027"), ("g1-colleague", "g1-colleague")],
    ids=["common", "typed-differently", "like-the-username"],
)
def test_a_weak_or_mistyped_reset_password_is_refused(client, district_admin, colleagues, passwords):
    client.force_login(district_admin)

    response = client.post(
        reverse("people_password", args=["g1-colleague"]),
        {"new_password1": passwords[0], "new_password2": passwords[1]},
    )

    assert response.status_code == OK
    assert response.context["form"].errors["new_password2"]
    assert User.objects.get(username="g1-colleague").check_password(PASSWORD)
    assert not Event.objects.exists()


def test_history_never_holds_a_password(client, district_admin, colleagues):
    client.force_login(district_admin)

    create(client)
    client.post(
        reverse("people_password", args=["g1-colleague"]),
        {"new_password1": "river-lake-2027", "new_password2": "river-lake-2027"},
    )

    stored = json.dumps([event.details for event in Event.objects.all()], ensure_ascii=False)
    assert Event.objects.count() == 2
    assert NEW_PASSWORD not in stored
    assert "river-lake-2027" not in stored


# --- Cost of the forms -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    pinned_pages(
        [
            ("/accounts/people/new/", 2),  # session, the manager with their unit
            ("/accounts/people/g1-colleague/edit/", 3),  # and the account with its unit
            ("/accounts/people/g1-colleague/password/", 3),
        ]
    ),
)
def test_the_forms_cost_a_fixed_number_of_queries(
    client, district_admin, colleagues, django_assert_num_queries, url, expected
):
    client.force_login(district_admin)

    with django_assert_num_queries(expected):
        assert client.get(url).status_code == OK


# --- The demo ----------------------------------------------------------------------------------------------


def test_the_demo_administrator_manages_people_in_kaohe_not_in_djangos_admin_site(client):
    call_command("demo", "--scale", "district")

    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (False, False)
    client.force_login(admin)
    assert client.get(reverse("people")).status_code == OK
    assert client.get("/admin/").status_code == 302
