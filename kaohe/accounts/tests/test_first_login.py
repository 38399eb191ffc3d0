"""A password someone else chose is changed at first login: until then, every page is the password page.

Accounts made by an import (their password printed on a slip), made one by one on the people page, or whose
password a manager reset, all carry the flag; the person may still log out and switch the language. Their
own new password lifts it, and must differ from the one they were given.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from kaohe.accounts.models import Role, User
from kaohe.accounts.tests.test_import import CADRE, issued, post_rows
from kaohe.conftest import make_user
from kaohe.history.models import Action, Event

pytestmark = pytest.mark.django_db

PASSWORD_PAGE = reverse("password_change")
NEW_PASSWORD = "river-lake-2027"
PAGES = ["/units/", "/units/YX-S1-G2/", reverse("records:home"), reverse("figures:overview"), "/"]


def slip_holder(client, district_admin) -> tuple[str, str]:
    """A cadre of 城关小学工会 as an import makes one: the username and the password on the slip."""
    manager = client.__class__()
    manager.force_login(district_admin)
    passwords = issued(post_rows(manager, [["YX-S1-G2", "李晓", "lixiao", CADRE, ""]]))
    return "lixiao", passwords["lixiao"]


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def change_password(client, old: str, new: str = NEW_PASSWORD):
    return client.post(PASSWORD_PAGE, {"old_password": old, "new_password1": new, "new_password2": new})


def test_a_new_cadre_logs_in_with_the_slip_and_is_sent_to_the_password_page(client, district_admin):
    username, password = slip_holder(client, district_admin)

    landed = log_in(client, username, password)

    assert landed.redirect_chain[-1][0] == PASSWORD_PAGE
    assert 'id="must-change-password"' in landed.content.decode()
    for page in PAGES:
        response = client.get(page)
        assert (response.status_code, response["Location"]) == (302, PASSWORD_PAGE), page
    assert client.post("/units/YX-S1-G2/edit/", {"name": "改名"})["Location"] == PASSWORD_PAGE


def test_an_htmx_request_sends_the_whole_page_to_the_password_page(client, district_admin):
    username, password = slip_holder(client, district_admin)
    log_in(client, username, password)

    response = client.get("/units/YX-S1/children/", HTTP_HX_REQUEST="true")

    assert response["HX-Redirect"] == PASSWORD_PAGE


def test_they_may_still_log_out_and_switch_the_language(client, district_admin):
    username, password = slip_holder(client, district_admin)
    log_in(client, username, password)

    switched = client.post(reverse("set_language"), {"language": "en", "next": PASSWORD_PAGE})
    logged_out = client.post(reverse("logout"))

    assert switched["Location"] == PASSWORD_PAGE
    assert logged_out["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_changing_the_password_lifts_the_redirect_for_good(client, district_admin):
    username, password = slip_holder(client, district_admin)
    log_in(client, username, password)

    changed = change_password(client, password)

    assert changed.status_code == 302
    assert not User.objects.get(username=username).must_change_password
    for page in PAGES:
        response = client.get(page)
        assert response.status_code in (200, 302), page  # / and /records/ lead on to their first page
        assert response.get("Location") != PASSWORD_PAGE, page
    [event] = Event.objects.filter(action=Action.PASSWORD_CHANGED)
    assert (event.actor.username, event.organisation.code) == (username, "YX-S1-G2")
    # And the next login goes straight in, with the new password only.
    other = client.__class__()
    assert log_in(other, username, NEW_PASSWORD).redirect_chain[-1][0] != PASSWORD_PAGE
    assert log_in(client.__class__(), username, password).context["form"].errors


def test_the_password_given_cannot_be_kept(client, district_admin):
    username, password = slip_holder(client, district_admin)
    log_in(client, username, password)

    response = change_password(client, password, new=password)

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"] == [_("Choose a new password, not the one you have now.")]
    assert User.objects.get(username=username).must_change_password


def test_a_wrong_old_password_changes_nothing(client, district_admin):
    username, password = slip_holder(client, district_admin)
    log_in(client, username, password)

    response = change_password(client, "not-the-slip")

    assert response.context["form"].errors["old_password"]
    assert User.objects.get(username=username).must_change_password
    assert client.get("/units/").status_code == 302


def test_a_password_reset_by_a_manager_must_be_changed_too(client, tree, district_admin):
    make_user("g2-cadre", Role.CADRE, tree["YX-S1-G2"])
    manager = client.__class__()
    manager.force_login(district_admin)
    manager.post(
        reverse("people_password", args=["g2-cadre"]),
        {"new_password1": "lake-hill-2026", "new_password2": "lake-hill-2026"},
    )

    landed = log_in(client, "g2-cadre", "lake-hill-2026")

    assert landed.redirect_chain[-1][0] == PASSWORD_PAGE
    change_password(client, "lake-hill-2026")
    assert client.get("/units/").status_code == 200


def test_an_account_added_on_the_people_page_must_change_its_password_too(client, district_admin):
    manager = client.__class__()
    manager.force_login(district_admin)
    data = {"username": "xiaoli", "full_name": "李晓", "role": Role.CADRE, "unit": "YX-S1-G2"}
    manager.post(reverse("people_create"), {**data, "password1": "lake-hill-2026", "password2": "lake-hill-2026"})

    assert log_in(client, "xiaoli", "lake-hill-2026").redirect_chain[-1][0] == PASSWORD_PAGE


@pytest.mark.parametrize("persona", ["district_admin", "assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_people_who_chose_their_own_password_go_where_they_asked(client, personas, persona):
    client.force_login(personas[persona])

    assert client.get("/units/").status_code == 200
    assert 'id="must-change-password"' not in client.get(PASSWORD_PAGE).content.decode()
