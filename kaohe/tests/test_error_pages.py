"""kaohe's own error pages: each says in the reader's language what happened, in words that fit, and links
back. Someone who may see a thing but not change it is told so; someone to whom a page is closed is never
told they could see it. The 500 page comes even when the database and the context processors fail.

Words are checked as the page's language gives them (gettext), so that the tests hold before and after the
Chinese catalogue has them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kaohe.accounts.models import Role
from kaohe.conftest import make_user

FAILING_URLS = "kaohe.tests.failing_urls"
HOME = 'href="/"'


def chinese(msgid: str) -> str:
    with translation.override("zh-hans"):
        return _(msgid)


def english(client: Client) -> None:
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def seen(response: Any) -> str:
    return response.content.decode()


def links_back(page: str, previous: str | None = None) -> bool:
    return 'id="error-links"' in page and HOME in page and (previous is None or f'href="{previous}"' in page)


# 404


@pytest.mark.django_db
def test_an_unknown_address_is_a_404_in_chinese_with_the_way_home(client):
    response = client.get("/no-such-page/")

    page = seen(response)
    assert response.status_code == 404
    assert chinese("Not found") in page
    assert chinese("This page does not exist, or it is outside your system.") in page
    assert links_back(page)


def test_a_unit_of_another_system_is_a_404_with_a_link_to_the_page_before(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.get("/units/LQ-S1/", headers={"referer": "http://testserver/units/YX-S1/"})

    assert response.status_code == 404
    assert links_back(seen(response), previous="http://testserver/units/YX-S1/")


def test_a_link_back_to_another_site_is_never_offered(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = seen(client.get("/units/LQ-S1/", headers={"referer": "https://evil.example/phish"}))

    assert "evil.example" not in page
    assert chinese("Back to the previous page") not in page


def test_the_404_page_speaks_english_to_whoever_chose_english(client, secondary_cadre):
    client.force_login(secondary_cadre)
    english(client)

    page = seen(client.get("/units/LQ-S1/"))

    assert "This page does not exist, or it is outside your system." in page
    assert "Go to the home page" in page


# 403


def test_a_page_closed_to_ones_role_says_so_and_never_that_one_may_see_it(client, assessor):
    client.force_login(assessor)

    response = client.get(reverse("people"))  # assessors manage nobody's account

    page = seen(response)
    assert response.status_code == 403
    assert chinese("No access") in page
    with translation.override("zh-hans"):
        assert _("This page is not open to your role (%(role)s).") % {"role": _("Assessor (考核组成员)")} in page
    assert chinese("You may see this, but your role may not make this change.") not in page
    assert chinese("Your role may see this but not change it.") not in page
    assert links_back(page)


def test_a_grassroots_cadre_opening_a_colleagues_account_is_not_told_they_may_see_it(client, grassroots_cadre, tree):
    colleague = make_user("shequ2", Role.CADRE, tree["YX-S1-G1"])
    client.force_login(grassroots_cadre)

    response = client.get(reverse("people_edit", args=[colleague.username]))

    assert response.status_code == 403
    assert chinese("No access") in seen(response)
    assert chinese("You may see this, but your role may not make this change.") not in seen(response)


def test_a_secondary_cadre_who_sees_a_colleagues_account_is_told_it_is_managed_elsewhere(client, secondary_cadre, tree):
    colleague = make_user("chengguan2", Role.CADRE, tree["YX-S1"])
    client.force_login(secondary_cadre)

    response = client.get(reverse("people_edit", args=[colleague.username]))

    assert response.status_code == 403
    assert chinese("You may see this, but your role may not make this change.") in seen(response)


def test_someone_who_may_see_a_unit_but_not_change_it_is_told_exactly_that(client, assessor):
    client.force_login(assessor)

    response = client.get(
        reverse("organisations:edit", args=["YX-S1"]), headers={"referer": "http://testserver/units/YX-S1/"}
    )

    page = seen(response)
    assert response.status_code == 403
    assert chinese("Not allowed") in page
    assert chinese("You may see this, but your role may not make this change.") in page
    assert chinese("No access") not in page
    assert links_back(page, previous="http://testserver/units/YX-S1/")


def test_a_cadre_who_may_not_move_their_own_unit_may_still_see_it(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = seen(client.get(reverse("organisations:move", args=["YX-S1"])))

    assert chinese("You may see this, but your role may not make this change.") in page


def test_a_form_with_a_stale_security_token_gets_kaohes_page_not_djangos(db):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(reverse("login"), {"username": "x", "password": "y"})

    page = seen(response)
    assert response.status_code == 403
    assert chinese("The form could not be sent") in page
    assert "CSRF" not in page
    assert links_back(page)


# 400


@pytest.mark.django_db
def test_an_address_for_another_host_is_a_400_in_chinese(client):
    response = client.get("/accounts/login/", headers={"host": "evil.example"})

    page = seen(response)
    assert response.status_code == 400
    assert chinese("Bad request") in page
    assert "Bad Request (400)" not in page
    assert links_back(page)


@pytest.mark.urls(FAILING_URLS)
def test_a_suspicious_request_is_a_400_with_the_way_home(client):
    client.raise_request_exception = False

    response = client.get("/tampered/")

    assert response.status_code == 400
    assert links_back(seen(response))
    assert "tampered" not in seen(response)  # what was suspicious stays in the log


# 500


@pytest.mark.urls(FAILING_URLS)
def test_a_bug_is_a_500_page_in_chinese_that_needs_no_database(client):
    """No django_db here: any query the page made would fail the test."""
    client.raise_request_exception = False

    response = client.get("/fails/", headers={"referer": "http://testserver/records/activities/"})

    page = seen(response)
    assert response.status_code == 500
    assert chinese("Something went wrong") in page
    assert "a bug on purpose" not in page
    assert links_back(page, previous="http://testserver/records/activities/")


@pytest.mark.urls(FAILING_URLS)
def test_the_500_page_comes_even_when_a_context_processor_fails(client, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [
                    *settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
                    "kaohe.tests.test_error_pages.failing_context_processor",
                ],
            },
        }
    ]
    client.raise_request_exception = False

    response = client.get("/fails/")

    assert response.status_code == 500
    assert chinese("Something went wrong") in seen(response)


def failing_context_processor(request: Any) -> dict[str, Any]:
    raise RuntimeError("a context processor that fails")


# The favicon


def test_the_favicon_is_kaohes_own(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an icon file
    assert "max-age" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_page_names_its_icon(client):
    page = seen(client.get(reverse("login")))

    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'rel="icon" href="/static/kaohe/favicon.svg" type="image/svg+xml"' in page


NUL_ADDRESSES = [
    "/units/%00/",
    "/units/%00/children/",
    "/figures/%00/",
    "/assessments/2026/%00/",
    "/results/2025/%00/",
    "/results/unit/%00/",
    "/standard/%00/1/",
    "/accounts/people/%00/edit/",
    "/records/activities/%00/",
]


@pytest.mark.parametrize("address", NUL_ADDRESSES)
def test_an_address_holding_nul_is_a_404_on_every_database(client, district_admin, address):
    # PostgreSQL refuses to compare text with NUL at all: without the middleware these were 500s there.
    client.force_login(district_admin)
    response = client.get(address)
    assert response.status_code == 404
    assert chinese("This page does not exist, or it is outside your system.") in seen(response)


def test_an_api_address_holding_nul_is_a_json_404(client, district_admin):
    response = client.get("/api/units/%00/")
    assert response.status_code == 404
    assert response.json() == {"detail": "此地址没有内容。", "errors": []}
