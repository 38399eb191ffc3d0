"""Logging in and out, changing one's password, and the locks after repeated wrong passwords.

Five wrong passwords for one username from one address lock that address out of it; twenty from all
addresses together lock the username, except at the addresses it logged in from before. Both lift 15 minutes
after the last failure.
"""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from kaohe.accounts.throttling import USERNAME_FAILURE_LIMIT, address_behind_proxy
from kaohe.history.models import Action, Event

pytestmark = pytest.mark.django_db

LOCKED = 429


def log_in(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def guess_from_many_addresses(client, username: str, guesses: int) -> list[int]:
    """One wrong password from each of `guesses` addresses, as a spread-out attack sends them."""
    return [log_in(client, username, "guess", f"198.51.100.{number}").status_code for number in range(1, guesses + 1)]


def let_minutes_pass(minutes: int) -> None:
    """As if the failures so far had happened that long ago."""
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes))


def test_a_cadre_logs_in_and_lands_on_what_is_theirs_to_do(client, secondary_cadre):
    response = log_in(client, "chengguan", "correct-horse-42")

    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).resolver_match.view_name == "home"  # 待办


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


def test_the_fifth_wrong_password_from_one_address_is_answered_with_the_lock(client, secondary_cadre):
    statuses = [log_in(client, "chengguan", "guess").status_code for _attempt in range(5)]

    assert statuses == [200, 200, 200, 200, LOCKED]


def test_a_locked_address_does_not_lock_the_person_out_elsewhere(client, secondary_cadre):
    for _attempt in range(5):
        log_in(client, "chengguan", "guess", "203.0.113.9")

    assert log_in(client, "chengguan", "correct-horse-42", "192.0.2.10").status_code == 302


def test_the_lock_of_one_address_lifts_after_15_minutes(client, secondary_cadre):
    for _attempt in range(5):
        log_in(client, "chengguan", "guess")

    let_minutes_pass(14)
    assert log_in(client, "chengguan", "correct-horse-42").status_code == LOCKED
    let_minutes_pass(16)
    assert log_in(client, "chengguan", "correct-horse-42").status_code == 302


def test_guesses_at_one_username_from_twenty_addresses_lock_it(client, secondary_cadre):
    statuses = guess_from_many_addresses(client, "chengguan", 20)

    assert statuses == [200] * 19 + [LOCKED]
    response = log_in(client, "chengguan", "correct-horse-42", "192.0.2.77")  # the right one, from a new address
    assert response.status_code == LOCKED
    assert "_auth_user_id" not in client.session


def test_nineteen_guesses_from_as_many_addresses_do_not_lock_the_username(client, secondary_cadre):
    guess_from_many_addresses(client, "chengguan", USERNAME_FAILURE_LIMIT - 1)

    assert log_in(client, "chengguan", "correct-horse-42", "192.0.2.77").status_code == 302


def test_guesses_while_the_username_is_locked_are_refused_without_trying_the_password(client, secondary_cadre):
    guess_from_many_addresses(client, "chengguan", 20)

    # Even the right password is refused, so an attacker learns nothing more while the lock lasts.
    statuses = [log_in(client, "chengguan", "correct-horse-42", f"192.0.2.{n}").status_code for n in range(1, 6)]

    assert statuses == [LOCKED] * 5


def test_the_username_lock_lifts_15_minutes_after_the_last_guess(client, secondary_cadre):
    guess_from_many_addresses(client, "chengguan", 20)

    let_minutes_pass(14)
    assert log_in(client, "chengguan", "correct-horse-42", "192.0.2.77").status_code == LOCKED
    let_minutes_pass(16)
    assert log_in(client, "chengguan", "correct-horse-42", "192.0.2.77").status_code == 302


def test_a_stranger_cannot_lock_a_person_out_at_the_computer_they_log_in_from(client, secondary_cadre):
    assert log_in(client, "chengguan", "correct-horse-42", "10.1.2.3").status_code == 302  # their office PC
    client.post(reverse("logout"))

    guess_from_many_addresses(client.__class__(), "chengguan", 30)

    assert log_in(client, "chengguan", "correct-horse-42", "10.1.2.3").status_code == 302
    assert log_in(client.__class__(), "chengguan", "correct-horse-42", "10.1.2.4").status_code == LOCKED


def test_a_login_at_a_known_computer_does_not_give_the_attacker_fresh_guesses(client, secondary_cadre):
    log_in(client, "chengguan", "correct-horse-42", "10.1.2.3")
    client.post(reverse("logout"))
    attacker = client.__class__()
    guess_from_many_addresses(attacker, "chengguan", 19)

    assert log_in(client, "chengguan", "correct-horse-42", "10.1.2.3").status_code == 302
    # Only the failures from 10.1.2.3 were cleared: the next guess from elsewhere is the twentieth.
    assert log_in(attacker, "chengguan", "guess", "192.0.2.200").status_code == LOCKED


def test_a_password_reset_lifts_the_username_lock(client, district_admin, secondary_cadre):
    guess_from_many_addresses(client.__class__(), "chengguan", 20)
    client.force_login(district_admin)

    client.post(
        reverse("people_password", args=["chengguan"]),
        {"new_password1": "lake-river-2026", "new_password2": "lake-river-2026"},
    )

    assert log_in(client.__class__(), "chengguan", "lake-river-2026", "192.0.2.77").status_code == 302


def test_guesses_at_a_username_nobody_has_are_locked_the_same_way(client, tree):
    # The lock says nothing about whether an account exists.
    assert guess_from_many_addresses(client, "nobody", 20)[-1] == LOCKED
    assert [log_in(client, "ghost", "guess").status_code for _attempt in range(5)][-1] == LOCKED


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("10.9.9.9, 198.51.100.7", "198.51.100.7"),  # the first entry is whatever the client wrote
        ("2001:db8::1", "2001:db8::1"),
        ("not an address", "127.0.0.1"),  # nonsense falls back to the connection's address
        ("", "127.0.0.1"),
    ],
)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_added(forwarded, expected):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert address_behind_proxy(request) == expected


def test_behind_a_proxy_failures_count_against_the_clients_address(client, settings, secondary_cadre):
    settings.AXES_CLIENT_IP_CALLABLE = "kaohe.accounts.throttling.address_behind_proxy"

    client.post(
        reverse("login"),
        {"username": "chengguan", "password": "guess"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.7",
    )

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_passwords_are_stored_hashed(secondary_cadre):
    assert "correct-horse-42" not in secondary_cadre.password
    assert secondary_cadre.check_password("correct-horse-42")


def test_production_hashes_passwords_with_argon2id_and_never_the_tests_fast_hasher():
    import kaohe.settings

    hashers = kaohe.settings.PASSWORD_HASHERS
    assert hashers[0] == "kaohe.accounts.hashers.SizedArgon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers  # older hashes still verify
    assert not any("MD5" in hasher for hasher in hashers), "the tests' fast hasher must not reach production"


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
