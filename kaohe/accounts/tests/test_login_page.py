"""The login page says which system this is, whose, and whom to ask for an account; every page's header
names the user's own federation. Neither costs a signed-in page a query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kaohe.conftest import make_unit
from kaohe.organisations.models import Category
from kaohe.tests.pins import pins

pytestmark = pytest.mark.django_db

DEFAULT_CONTACT = "Ask the system administrator of the trade union above your unit."


def chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        return _(msgid)


def login_page(client) -> str:
    response = client.get(reverse("login"))
    assert response.status_code == 200
    return response.content.decode()


def header(page: str) -> str:
    return page[page.index("<nav") : page.index("</nav>")]


def test_the_login_page_names_the_system_and_the_federation(client):
    make_unit("FS", "房山区总工会", Category.DISTRICT)

    page = login_page(client)

    assert chinese("Learning-type trade union assessment") in page
    assert "房山区总工会" in page[page.index('id="system-name"') :]
    assert 'id="federation-name">房山区总工会<' in header(page)


def test_with_several_districts_the_login_page_names_none_of_them(client, tree):
    page = login_page(client)

    assert "云溪区总工会" not in page
    assert "邻区总工会" not in page
    assert chinese("Learning-type trade union assessment") in page


def test_a_deactivated_district_is_not_named(client):
    district = make_unit("FS", "房山区总工会", Category.DISTRICT)
    district.is_active = False
    district.save()

    assert "房山区总工会" not in login_page(client)


def test_an_empty_database_shows_the_login_page_all_the_same(client):
    assert chinese("Learning-type trade union assessment") in login_page(client)


def test_the_login_page_says_whom_to_ask_for_an_account(client):
    page = login_page(client)

    assert chinese("No account yet, or forgot your password?") in page
    assert chinese(DEFAULT_CONTACT) in page[page.index('id="account-contact"') :]


def test_whom_to_ask_is_configured_by_the_federation(client, settings):
    settings.ACCOUNT_CONTACT = "区总工会组织部 张老师 6936 0000"

    page = login_page(client)

    assert "区总工会组织部 张老师 6936 0000" in page
    assert chinese(DEFAULT_CONTACT) not in page


def test_the_contact_is_text_not_markup(client, settings):
    settings.ACCOUNT_CONTACT = "<script>alert(1)</script>"

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in login_page(client)


@pins("login")
def test_the_login_page_costs_one_query_however_many_units(client, tree):
    make_unit("FS", "房山区总工会", Category.DISTRICT)
    with CaptureQueriesContext(connection) as few:
        login_page(client)
    for number in range(40):
        make_unit(f"FS-S{number}", f"街道{number}总工会", Category.TOWNSHIP, tree["YX"])
    with CaptureQueriesContext(connection) as many:
        login_page(client)

    assert (len(few), len(many)) == (1, 1)  # the federation's name


@pytest.mark.parametrize(
    ("persona", "federation"),
    [
        ("district_admin", "云溪区总工会"),
        ("assessor", "云溪区总工会"),
        ("secondary_cadre", "云溪区总工会"),
        ("grassroots_cadre", "云溪区总工会"),
        ("outsider", "邻区总工会"),
    ],
)
def test_every_page_is_headed_by_the_users_own_federation(client, personas, persona, federation):
    client.force_login(personas[persona])

    page = client.get(reverse("organisations:tree")).content.decode()

    assert f'id="federation-name">{federation}<' in header(page)


@pins("password_change")
def test_naming_the_federation_costs_a_signed_in_page_no_query(client, grassroots_cadre):
    """The unit's parents arrive with the user: the password page still costs session and user alone."""
    client.force_login(grassroots_cadre)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("password_change")).content.decode()

    assert 'id="federation-name">云溪区总工会<' in header(page)
    assert len(captured) == 2
