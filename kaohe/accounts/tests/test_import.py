"""Giving every unit its accounts: a district administrator (or a secondary union's cadre, for the units below
its own) imports a file of people; each new account gets an initial password, shown once as login slips.

The file is checked as every import is: any bad row refuses it whole, each fault named by row and column in
the reader's language. Units and roles follow the people pages' rules (kaohe.access); a unit outside the
importer's system reads as a unit that does not exist, and a username taken there as one that cannot be had.
Importing the file again makes only what is new. The passwords are nowhere but in the one response.
"""

from __future__ import annotations

import base64
import io
import json
import re

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from kaohe import limits
from kaohe.accounts.importing import COLUMNS
from kaohe.accounts.models import Role, User
from kaohe.accounts.passwords import ALPHABET, initial_password
from kaohe.conftest import make_unit, make_user
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Category
from kaohe.organisations.tests.files import csv_bytes, upload, xlsx_bytes
from kaohe.tests.pins import pinned_pages
from kaohe.tests.test_limits import GIB, zip_bomb

pytestmark = pytest.mark.django_db

OK, FORBIDDEN = 200, 403
IMPORT = reverse("people_import")
CODE, NAME, USERNAME, ROLE, PHONE = COLUMNS
CADRE, ASSESSOR, ADMIN = "单位干部", "考核组成员", "区总工会管理员"

# (单位编码, 姓名, 登录名, 角色, 手机号): what a district administrator's first file looks like.
GOOD_ROWS = [
    ["YX-S1-G2", "李晓", "lixiao", CADRE, "138 0013 8000"],
    ["YX-S2-G1", "王芳", "wangfang", CADRE, ""],
    ["YX", "赵敏", "zhaomin", ASSESSOR, "010-62345678"],
]


def accounts_file(rows, filename: str = "账号.csv"):
    content = xlsx_bytes(rows, COLUMNS) if filename.endswith(".xlsx") else csv_bytes(rows, COLUMNS)
    return upload(filename, content)


def post_rows(client, rows, filename: str = "账号.csv"):
    return client.post(IMPORT, {"file": accounts_file(rows, filename)})


def faults(response) -> list[tuple[int, str, str]]:
    assert response.status_code == OK
    return [(error.row, error.column, error.message) for error in response.context["errors"]]


def issued(response) -> dict[str, str]:
    """username → initial password, as the slips show them."""
    return {entry.account.username: entry.password for entry in response.context["result"].issued}


def log_in(client, username: str, password: str) -> bool:
    client.post(reverse("login"), {"username": username, "password": password})
    return "_auth_user_id" in client.session


def slips_workbook(response):
    uri = response.context["xlsx_uri"]
    prefix = "data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
    assert uri.startswith(prefix)
    return load_workbook(io.BytesIO(base64.b64decode(uri[len(prefix) :])))


# --- A good file -------------------------------------------------------------------------------------------


def test_a_district_admin_imports_accounts_and_gets_a_slip_for_each(client, district_admin):
    client.force_login(district_admin)

    response = post_rows(client, GOOD_ROWS)

    assert response.status_code == OK
    assert response.templates[0].name == "accounts/people_slips.html"
    passwords = issued(response)
    assert set(passwords) == {"lixiao", "wangfang", "zhaomin"}
    page = response.content.decode()
    for username, password in passwords.items():
        assert username in page
        assert password in page
    assert page.count('class="slip"') == 3
    assert "http://testserver/accounts/login/" in page
    accounts = {account.username: account for account in User.objects.filter(username__in=passwords)}
    assert (accounts["lixiao"].organisation.code, accounts["lixiao"].role) == ("YX-S1-G2", Role.CADRE)
    assert accounts["lixiao"].get_full_name() == "李晓"
    assert accounts["lixiao"].phone == "13800138000"  # as people dial it
    assert accounts["zhaomin"].phone == "010-62345678"
    assert accounts["zhaomin"].role == Role.ASSESSOR
    assert all(account.must_change_password for account in accounts.values())


def test_each_slips_password_logs_its_person_in(client, district_admin):
    client.force_login(district_admin)

    passwords = issued(post_rows(client, GOOD_ROWS))

    for username, password in passwords.items():
        assert log_in(client.__class__(), username, password)


def test_a_secondary_cadre_imports_accounts_for_the_units_below_its_own(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = post_rows(
        client, [["YX-S1-G1", "陈静", "chenjing", CADRE, ""], ["YX-S1-G2", "周强", "zhouqiang", CADRE]]
    )

    assert set(issued(response)) == {"chenjing", "zhouqiang"}
    assert User.objects.get(username="zhouqiang").organisation.code == "YX-S1-G2"


def test_an_xlsx_file_with_a_phone_stored_as_a_number_imports(client, district_admin):
    client.force_login(district_admin)

    response = post_rows(client, [["YX-S1-G2", "李晓", "lixiao", CADRE, 13800138000.0]], "账号.xlsx")

    assert set(issued(response)) == {"lixiao"}
    assert User.objects.get(username="lixiao").phone == "13800138000"


def test_history_names_each_new_account_and_the_import_but_never_a_password(client, district_admin):
    client.force_login(district_admin)

    passwords = issued(post_rows(client, GOOD_ROWS))

    [imported] = Event.objects.filter(action=Action.ACCOUNTS_IMPORTED)
    assert (imported.actor, imported.organisation.code) == (district_admin, "YX")
    assert imported.details == {"file": "账号.csv", "created": 3, "skipped": 0}
    created = {event.details["username"]: event for event in Event.objects.filter(action=Action.ACCOUNT_CREATED)}
    assert set(created) == set(passwords)
    assert created["lixiao"].organisation.code == "YX-S1-G2"
    assert created["lixiao"].details == {
        "username": "lixiao",
        "full_name": "李晓",
        "role": "cadre",
        "unit": "YX-S1-G2",
        "file": "账号.csv",
    }
    stored = json.dumps([event.details for event in Event.objects.all()], ensure_ascii=False)
    assert not any(password in stored for password in passwords.values())


def test_the_passwords_are_stored_nowhere_in_clear(client, district_admin):
    client.force_login(district_admin)

    passwords = issued(post_rows(client, GOOD_ROWS))

    # Not in the session (which lives in the database), in any account row, or anywhere in the database.
    sessions = "".join(str(session.get_decoded()) for session in Session.objects.all())
    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        dump = []
        for table in tables:
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from the database itself)
            dump.append(repr(cursor.fetchall()))
    everything = sessions + "".join(dump)
    assert not any(password in everything for password in passwords.values())


# --- Shown once --------------------------------------------------------------------------------------------


def test_the_slips_are_shown_once_and_never_again(client, district_admin):
    client.force_login(district_admin)
    response = post_rows(client, GOOD_ROWS)
    passwords = issued(response)

    assert "no-store" in response["Cache-Control"]  # no browser or proxy keeps the page
    later = [
        client.get(IMPORT),
        client.get(reverse("people")),
        post_rows(client, GOOD_ROWS),  # the same file again, as a reload of the page would send it
    ]

    for page in later:
        content = page.content.decode()
        assert not any(password in content for password in passwords.values())
    assert later[2].templates[0].name == "accounts/people_import.html"


def test_the_slips_download_as_xlsx_from_the_page_itself(client, district_admin):
    client.force_login(district_admin)
    rows = [*GOOD_ROWS, ["YX-D1", '=HYPERLINK("http://evil")', "yiyuan", CADRE, ""]]

    response = post_rows(client, rows)

    passwords = issued(response)
    page = response.content.decode()
    assert f'download="{response.context["xlsx_name"]}"' in page
    assert response.context["xlsx_name"].endswith(".xlsx")
    sheet = slips_workbook(response).active
    headings = [cell.value for cell in sheet[2]]
    assert headings == [
        capfirst(_("unit code")),
        _("Unit"),
        _("Full name"),
        _("Username"),
        _("Initial password"),
        _("Log in at"),
    ]
    by_username = {row[3]: row for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert set(by_username) == set(passwords)
    assert by_username["lixiao"] == (
        "YX-S1-G2",
        "城关小学工会",
        "李晓",
        "lixiao",
        passwords["lixiao"],
        "http://testserver/accounts/login/",
    )
    name_cell = next(row[2] for row in sheet.iter_rows(min_row=3) if row[3].value == "yiyuan")
    assert name_cell.data_type == "s"  # formula-safe: the name stays text


def test_generated_passwords_are_readable_long_and_pass_djangos_validators(tree):
    account = User(username="lixiao", first_name="李晓")
    passwords = {initial_password(account) for _attempt in range(200)}

    assert len(passwords) == 200
    for password in passwords:
        assert re.fullmatch(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}", password)
        password_validation.validate_password(password, account)
    assert not set("0o1li") & set(ALPHABET)


# --- Bad rows ----------------------------------------------------------------------------------------------

ROW = ["YX-S1-G2", "李晓", "lixiao", CADRE, ""]
COLUMN_OF = {"code": CODE, "name": NAME, "username": USERNAME, "role": ROLE, "phone": PHONE}


def with_cells(**cells: object) -> list[object]:
    row: list[object] = list(ROW)
    for column, value in cells.items():
        row[COLUMNS.index(COLUMN_OF[column])] = value
    return row


def unknown_unit(code: str) -> str:
    return _("There is no unit with the code %(code)s in your system.") % {"code": code}


def required() -> str:
    return _("This cell is required but empty.")


def not_a_phone(value: str) -> str:
    return _(
        "“%(value)s” is not a phone number: write an 11-digit mobile number, or a landline such as 010-12345678."
    ) % {"value": value}


def cannot_give(role: str) -> str:
    return _("You cannot give the role %(role)s; you may give %(choices)s.") % {"role": role, "choices": CADRE}


def not_a_username(value: str) -> str:
    return _("“%(value)s” cannot be a username: use only letters, digits and @ . + - _, without spaces.") % {
        "value": value
    }


# (persona, the bad cells, the column named, the message): each expected message is worked out when the test
# runs, in the language the page speaks.
BAD_ROWS = [
    ("district_admin", {"code": "NO-SUCH"}, CODE, lambda: unknown_unit("NO-SUCH")),
    # Another district's unit reads exactly as one that does not exist.
    ("district_admin", {"code": "LQ-S1-G1"}, CODE, lambda: unknown_unit("LQ-S1-G1")),
    ("secondary_cadre", {"code": "YX-S2-G1"}, CODE, lambda: unknown_unit("YX-S2-G1")),  # a sibling system
    ("secondary_cadre", {"code": "YX"}, CODE, lambda: unknown_unit("YX")),  # the unit above
    ("outsider", {"code": "YX-S1-G2"}, CODE, lambda: unknown_unit("YX-S1-G2")),
    ("district_admin", {"code": "bad code"}, CODE, lambda: unknown_unit("bad code")),
    (
        "district_admin",
        {"role": "组长"},
        ROLE,
        lambda: (
            _("Unknown role “%(value)s”; use one of %(choices)s.")
            % {"value": "组长", "choices": "区总工会管理员、考核组成员、单位干部"}
        ),
    ),
    ("secondary_cadre", {"role": ASSESSOR}, ROLE, lambda: cannot_give(ASSESSOR)),
    ("secondary_cadre", {"role": ADMIN}, ROLE, lambda: cannot_give(ADMIN)),
    ("district_admin", {"phone": "12345"}, PHONE, lambda: not_a_phone("12345")),
    ("district_admin", {"phone": "1380013800"}, PHONE, lambda: not_a_phone("1380013800")),  # a digit short
    ("district_admin", {"phone": "23800138000"}, PHONE, lambda: not_a_phone("23800138000")),
    ("district_admin", {"name": "李" * 151}, NAME, lambda: limits.length_fault("李" * 151, 150)),
    ("district_admin", {"name": "李\x1b晓"}, NAME, lambda: limits.character_fault("李\x1b晓")),
    ("district_admin", {"username": "li xiao"}, USERNAME, lambda: not_a_username("li xiao")),
    ("district_admin", {"username": "li/xiao"}, USERNAME, lambda: not_a_username("li/xiao")),
    ("district_admin", {"username": "x" * 151}, USERNAME, lambda: limits.length_fault("x" * 151, 150)),
    ("district_admin", {"username": "li\x00xiao"}, USERNAME, lambda: limits.character_fault("li\x00xiao")),
    ("district_admin", {"code": ""}, CODE, required),
    ("district_admin", {"name": ""}, NAME, required),
    ("district_admin", {"username": ""}, USERNAME, required),
    ("district_admin", {"role": ""}, ROLE, required),
]


@pytest.mark.parametrize(("persona", "cells", "column", "message"), BAD_ROWS)
def test_each_bad_row_is_named_by_row_and_column_and_nothing_is_made(client, personas, persona, cells, column, message):
    client.force_login(personas[persona])
    before = User.objects.count()
    good = "LQ-S1-G1" if persona == "outsider" else "YX-S1-G1"

    response = post_rows(client, [[good, "陈静", "chenjing", CADRE, ""], with_cells(**cells)])

    assert faults(response) == [(3, column, message())]
    assert User.objects.count() == before
    assert not Event.objects.exists()
    assert re.search(rf"<td[^>]*>3</td><td[^>]*>{column}</td>", response.content.decode())


def test_a_cadre_cannot_give_accounts_at_their_own_unit(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = post_rows(client, [with_cells(code="YX-S1")])

    expected = _("The accounts of %(unit)s are managed by the unit above it.") % {"unit": secondary_cadre.organisation}
    assert faults(response) == [(2, CODE, expected)]


def test_district_roles_belong_to_the_district_federation(client, district_admin):
    client.force_login(district_admin)

    response = post_rows(client, [with_cells(role=ASSESSOR)])

    [(row, column, _message)] = faults(response)
    assert (row, column) == (2, ROLE)


def test_a_deactivated_unit_gets_no_accounts(client, tree, district_admin):
    tree["YX-S1-G2"].is_active = False
    tree["YX-S1-G2"].save()
    client.force_login(district_admin)

    response = post_rows(client, [ROW])

    [(row, column, _message)] = faults(response)
    assert (row, column) == (2, CODE)


def test_a_username_taken_in_another_district_is_refused_without_saying_whose(client, tree, district_admin):
    make_user("lixiao", Role.CADRE, tree["LQ-S1-G1"])
    client.force_login(district_admin)

    response = post_rows(client, [ROW, with_cells(username="LiXiao", code="YX-S2-G1")], "a.csv")
    again = post_rows(client, [with_cells(username="LiXiao")])  # whatever its letter case

    expected = _("The username %(username)s is already taken; choose another.")
    assert faults(response)[0] == (2, USERNAME, expected % {"username": "lixiao"})
    assert faults(again) == [(2, USERNAME, expected % {"username": "LiXiao"})]
    page = response.content.decode()
    assert "LQ-S1-G1" not in page
    assert "邻区" not in page


def test_a_username_taken_at_another_unit_of_the_system_says_which(client, tree, district_admin):
    make_user("lixiao", Role.CADRE, tree["YX-S2-G1"])
    client.force_login(district_admin)

    response = post_rows(client, [ROW])

    expected = _("The username %(username)s is already in use by an account of %(unit)s.")
    assert faults(response) == [(2, USERNAME, expected % {"username": "lixiao", "unit": tree["YX-S2-G1"]})]


def test_a_username_twice_in_the_file_is_named_on_its_second_row_whatever_its_case(client, district_admin):
    client.force_login(district_admin)

    response = post_rows(client, [ROW, with_cells(code="YX-S2-G1", username="LIXIAO")])

    expected = _("The username %(username)s already appears in row %(row)s.") % {"username": "LIXIAO", "row": 2}
    assert faults(response) == [(3, USERNAME, expected)]


def test_every_fault_of_every_row_is_named_at_once(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = post_rows(
        client,
        [
            ROW,
            ["YX-S2-G1", "", "bad name", ASSESSOR, "x"],
            ["YX-S1-G1", "陈静", "lixiao", CADRE, ""],
        ],
    )

    assert [(row, column) for row, column, _message in faults(response)] == [
        (3, CODE),
        (3, NAME),
        (3, USERNAME),
        (3, ROLE),
        (3, PHONE),
        (4, USERNAME),  # lixiao, already in row 2
    ]
    assert not User.objects.filter(username__in=["lixiao", "chenjing"]).exists()


def test_a_file_without_a_required_column_is_refused(client, district_admin):
    client.force_login(district_admin)

    response = client.post(IMPORT, {"file": upload("账号.csv", csv_bytes([["YX-S1-G2", "李晓"]], [CODE, NAME]))})

    assert [(row, column) for row, column, _message in faults(response)] == [(1, USERNAME), (1, ROLE)]


def test_a_file_of_more_accounts_than_the_limit_is_refused(client, district_admin, monkeypatch):
    monkeypatch.setattr(limits, "ACCOUNTS_FILE_MAX_ROWS", 2)
    client.force_login(district_admin)

    response = post_rows(client, GOOD_ROWS)

    [(row, column, message)] = faults(response)
    assert (row, column) == (4, "")
    assert "2" in message
    assert not User.objects.filter(username="lixiao").exists()


def test_a_file_larger_than_the_import_limit_is_refused(client, district_admin, settings):
    settings.MAX_IMPORT_FILE_SIZE = 100
    client.force_login(district_admin)

    response = post_rows(client, GOOD_ROWS * 10)

    assert response.status_code == OK
    assert response.context["form"].errors["file"]
    assert not User.objects.filter(username="lixiao").exists()


def test_a_zip_bomb_is_refused_unread(client, district_admin):
    client.force_login(district_admin)

    response = client.post(IMPORT, {"file": upload("账号.xlsx", zip_bomb(declared_size=GIB))})

    [(row, column, message)] = faults(response)
    assert (row, column) == (0, "")
    assert "256" in message


# --- Importing again ---------------------------------------------------------------------------------------


def test_importing_the_same_file_again_makes_nothing_and_lists_every_row_as_skipped(client, district_admin):
    client.force_login(district_admin)
    post_rows(client, GOOD_ROWS)

    again = post_rows(client, GOOD_ROWS)

    assert again.templates[0].name == "accounts/people_import.html"
    assert [skipped.row for skipped in again.context["result"].skipped] == [2, 3, 4]
    assert User.objects.filter(username__in=["lixiao", "wangfang", "zhaomin"]).count() == 3
    assert Event.objects.filter(action=Action.ACCOUNT_CREATED).count() == 3
    assert Event.objects.filter(action=Action.ACCOUNTS_IMPORTED).first().details["skipped"] == 3  # the latest
    assert 'id="skipped-rows"' in again.content.decode()


def test_a_file_with_rows_added_makes_only_the_new_accounts_and_keeps_the_old_passwords(client, district_admin):
    client.force_login(district_admin)
    first = issued(post_rows(client, GOOD_ROWS))

    response = post_rows(client, [*GOOD_ROWS, ["YX-D1", "孙丽", "sunli", CADRE, ""]])

    assert set(issued(response)) == {"sunli"}
    assert [skipped.row for skipped in response.context["result"].skipped] == [2, 3, 4]
    assert response.content.decode().count('class="slip"') == 1
    assert log_in(client.__class__(), "lixiao", first["lixiao"])  # the first slip still holds


def test_an_existing_account_is_left_as_it_is_whatever_the_file_says_of_it(client, district_admin):
    client.force_login(district_admin)
    post_rows(client, GOOD_ROWS)

    response = post_rows(client, [["YX-S1-G2", "李晓（改名）", "lixiao", CADRE, "13900139000"]])

    [skipped] = response.context["result"].skipped
    assert skipped.reason == _("%(username)s has an account here already; it was left as it is.") % {
        "username": "lixiao"
    }
    account = User.objects.get(username="lixiao")
    assert (account.get_full_name(), account.phone) == ("李晓", "13800138000")


def test_a_deactivated_account_is_skipped_with_a_word_on_reactivating_it(client, tree, district_admin):
    account = make_user("lixiao", Role.CADRE, tree["YX-S1-G2"])
    account.is_active = False
    account.save()
    client.force_login(district_admin)

    response = post_rows(client, [ROW])

    [skipped] = response.context["result"].skipped
    assert "reactivate" in skipped.reason or "重新启用" in skipped.reason
    assert not User.objects.get(username="lixiao").is_active


def test_a_username_made_while_the_file_was_hashed_refuses_the_file(client, tree, district_admin, monkeypatch):
    # Someone makes the account between the check and the write: the write checks again, nothing is half-made.
    from kaohe.accounts import actions

    real = actions.initial_password

    def slow_password(account):
        if not User.objects.filter(username="wangfang").exists():
            make_user("wangfang", Role.CADRE, tree["YX-S2-G1"])
        return real(account)

    monkeypatch.setattr(actions, "initial_password", slow_password)
    client.force_login(district_admin)

    response = post_rows(client, GOOD_ROWS)

    [(row, column, _message)] = faults(response)
    assert (row, column) == (0, "")
    assert not User.objects.filter(username__in=["lixiao", "zhaomin"]).exists()


# --- Who may import ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["assessor", "grassroots_cadre"])
def test_those_who_manage_nobody_cannot_import_accounts(client, personas, persona):
    client.force_login(personas[persona])

    pages = [
        client.get(IMPORT),
        post_rows(client, [with_cells(code=personas[persona].organisation.code)]),
        client.get(reverse("people_import_template")),
        client.get(reverse("people_import_template_for_units")),
    ]

    assert [page.status_code for page in pages] == [FORBIDDEN] * 4
    assert not User.objects.filter(username="lixiao").exists()


def test_a_directly_affiliated_unions_cadre_cannot_import_accounts(client, tree):
    client.force_login(make_user("yiyuan", Role.CADRE, tree["YX-D1"]))

    assert client.get(IMPORT).status_code == FORBIDDEN


def test_the_import_page_needs_a_login(client):
    response = client.get(IMPORT)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "shown"), [("district_admin", True), ("secondary_cadre", True)])
def test_the_people_page_links_to_the_import(client, personas, persona, shown):
    client.force_login(personas[persona])

    assert (f'href="{IMPORT}"' in client.get(reverse("people")).content.decode()) == shown


# --- The page and its templates ----------------------------------------------------------------------------


def test_the_page_guides_each_column_with_the_roles_the_importer_may_give(client, secondary_cadre):
    client.force_login(secondary_cadre)

    guide = client.get(IMPORT).context["guide"]

    assert [(heading, required) for heading, required, _how in guide] == [
        (CODE, True),
        (NAME, True),
        (USERNAME, True),
        (ROLE, True),
        (PHONE, False),
    ]
    assert guide[3][2] == _("One of %(choices)s.") % {"choices": CADRE}


def test_the_errors_come_before_the_column_guide(client, district_admin):
    client.force_login(district_admin)

    page = post_rows(client, [with_cells(code="NO-SUCH")]).content.decode()

    assert page.index('id="import-errors"') < page.index('id="import-columns"')


def test_the_empty_template_has_the_columns_of_the_file(client, district_admin):
    client.force_login(district_admin)

    response = client.get(reverse("people_import_template"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]] == list(COLUMNS)
    assert "accounts-template.xlsx" in response["Content-Disposition"]


def test_the_template_of_units_without_accounts_imports_once_filled_in(client, personas, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.get(reverse("people_import_template_for_units") + "?unit=YX-S1")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["单位编码", "单位名称", "姓名", "登录名", "角色", "手机号"]
    assert rows[1:] == [["YX-S1-G2", "城关小学工会", None, None, CADRE, None]]  # YX-S1-G1 has the grassroots cadre
    rows[1][2:4] = ["周强", "zhouqiang"]
    content = xlsx_bytes(rows[1:], rows[0])
    imported = client.post(IMPORT, {"file": upload("账号.xlsx", content)})
    assert set(issued(imported)) == {"zhouqiang"}


def test_the_template_of_units_without_accounts_stays_in_the_system(client, tree, secondary_cadre):
    client.force_login(secondary_cadre)

    assert client.get(reverse("people_import_template_for_units") + "?unit=YX-S2").status_code == 404
    assert client.get(reverse("people_import_template_for_units") + "?unit=LQ-S1").status_code == 404


# --- Cost --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    pinned_pages(
        [
            (IMPORT, 2),  # session, the manager with their unit
            (reverse("people_import_template"), 2),
            (reverse("people_import_template_for_units") + "?unit=YX-S1", 4),  # and the unit, and its units
        ]
    ),
)
@pytest.mark.parametrize("extra_units", [0, 40])
def test_the_import_pages_cost_the_same_queries_however_large_the_system(
    client, tree, secondary_cadre, url, expected, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(secondary_cadre)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == OK

    assert len(captured) == expected


@pytest.mark.parametrize("accounts", [3, 60])
def test_an_import_costs_the_same_queries_for_few_and_many_rows(client, tree, district_admin, accounts):
    for number in range(accounts):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    rows = [[f"YX-S1-Z{number}", f"干部{number}", f"cadre{number}", CADRE, ""] for number in range(accounts)]
    client.force_login(district_admin)

    with CaptureQueriesContext(connection) as captured:
        response = post_rows(client, rows)

    assert len(issued(response)) == accounts
    # session, the manager; the units named, the usernames taken, and again in the transaction; the
    # accounts, their events, the import's event (and the savepoints around them)
    assert len(captured) == 10
