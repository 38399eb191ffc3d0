"""Logging in and out, changing one's password, and the lock after repeated wrong passwords."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.history.models import Action, Event

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_cadre_logs_in_and_lands_on_their_tree(client, secondary_cadre):
    response = log_in(client, "chengguan", "correct-horse-42")

    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).resolver_match.view_name == "organisations:tree"


def test_a_wrong_password_is_refused_in_chinese(client, secondary_cadre):
    response = log_in(client, "chengguan", "wrong")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, secondary_cadre):
    for _attempt in range(5):
        log_in(client, "chengguan", "guess")

    response = log_in(client, "chengguan", "correct-horse-42")

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failures_on_one_account_do_not_lock_another(client, secondary_cadre, grassroots_cadre):
    for _attempt in range(5):
        log_in(client, "chengguan", "guess")

    assert log_in(client, "shequ", "correct-horse-42").status_code == 302


def test_passwords_are_stored_hashed(secondary_cadre):
    assert "correct-horse-42" not in secondary_cadre.password
    assert secondary_cadre.check_password("correct-horse-42")


def test_production_hashes_passwords_with_pbkdf2():
    from django.conf import global_settings

    import kaohe.settings

    assert not hasattr(kaohe.settings, "PASSWORD_HASHERS"), "the tests' fast hasher must not reach production"
    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")


def test_logging_out_takes_a_post(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("organisations:tree")).status_code == 302


def test_a_cadre_changes_their_password_and_it_is_recorded(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(
        reverse("password_change"),
        {"old_password": "correct-horse-42", "new_password1": "lake-river-2026", "new_password2": "lake-river-2026"},
    )

    assert response.status_code == 302
    secondary_cadre.refresh_from_db()
    assert secondary_cadre.check_password("lake-river-2026")
    assert Event.objects.filter(action=Action.PASSWORD_CHANGED, actor=secondary_cadre).exists()


def test_a_password_change_with_the_wrong_old_password_is_refused(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "lake-river-2026", "new_password2": "lake-river-2026"},
    )

    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    secondary_cadre.refresh_from_db()
    assert secondary_cadre.check_password("correct-horse-42")


def test_the_password_page_needs_a_login(client):
    assert client.get(reverse("password_change")).status_code == 302
