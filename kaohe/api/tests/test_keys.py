"""A person makes a key for their program on their profile page, sees it once, and revokes it there; the
program acts with exactly that person's rights until the key is revoked or the person deactivated."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from kaohe.accounts import actions
from kaohe.accounts.models import ApiToken
from kaohe.api.errors import refused_import
from kaohe.api.tests.conftest import client_with_key
from kaohe.history.models import Action, Event
from kaohe.spreadsheets import ImportRefused, RowError
from kaohe.tests.pins import pins

PROFILE = reverse("profile")
ME = "/api/me/"


def new_key_on_the_page(client, name: str) -> str:
    response = client.post(PROFILE, {"name": name})
    assert response.status_code == 200
    match = re.search(r'id="new-key-value">([^<]+)<', response.content.decode())
    assert match, "the new key is shown on the page"
    return match.group(1)


def bearer(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


# The profile page ---------------------------------------------------------------------------------------


@pins("profile")
def test_the_grassroots_cadre_makes_a_key_sees_it_once_and_kaohe_keeps_only_its_hash(
    client, grassroots_cadre, django_assert_num_queries
):
    client.force_login(grassroots_cadre)
    key = new_key_on_the_page(client, "会员系统同步")

    token = ApiToken.objects.get(user=grassroots_cadre)
    assert token.name == "会员系统同步"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(ApiToken.objects.values().get())  # the key itself is stored nowhere
    assert Event.objects.filter(action=Action.API_TOKEN_CREATED, actor=grassroots_cadre).count() == 1

    with django_assert_num_queries(3):  # session, user, the keys
        page = client.get(PROFILE).content.decode()
    assert "会员系统同步" in page
    assert token.prefix in page
    assert key not in page  # shown once: never again
    assert bearer(key).get(ME).json()["username"] == "shequ"


def test_the_profile_page_is_the_same_cost_with_more_keys(client, grassroots_cadre, django_assert_num_queries):
    client.force_login(grassroots_cadre)
    for number in range(5):
        actions.create_api_token(grassroots_cadre, f"脚本{number}")
    with django_assert_num_queries(3):
        client.get(PROFILE)


def test_a_key_needs_a_name_within_the_limits(client, grassroots_cadre):
    client.force_login(grassroots_cadre)
    for bad in ("", "x" * 101, "同步\x00脚本"):
        response = client.post(PROFILE, {"name": bad})
        assert response.status_code == 200
        assert response.context["form"].errors["name"]
        assert 'id="new-key"' not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_twenty_keys_are_enough_for_anyone(client, grassroots_cadre):
    for number in range(actions.MAX_ACTIVE_TOKENS):
        actions.create_api_token(grassroots_cadre, f"脚本{number}")
    client.force_login(grassroots_cadre)
    response = client.post(PROFILE, {"name": "又一个"})
    assert "revoke one" in str(response.context["form"].errors["name"]) or "吊销" in str(
        response.context["form"].errors["name"]
    )
    assert ApiToken.objects.count() == actions.MAX_ACTIVE_TOKENS


def test_a_revoked_key_is_refused_on_the_next_request(client, grassroots_cadre):
    client.force_login(grassroots_cadre)
    key = new_key_on_the_page(client, "旧脚本")
    token = ApiToken.objects.get()

    response = client.post(reverse("profile_revoke_token", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Event.objects.filter(action=Action.API_TOKEN_REVOKED).count() == 1
    refused = bearer(key).get(ME)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "此 API 密钥无效，或已被吊销。"
    assert "已于" in client.get(PROFILE).content.decode()  # still listed, with when it was revoked


def test_nobody_revokes_another_persons_key(client, grassroots_cadre, district_admin):
    token, key = actions.create_api_token(grassroots_cadre, "社区的脚本")
    client.force_login(district_admin)  # even the district's administrator: a key is its owner's alone
    assert client.post(reverse("profile_revoke_token", args=[token.pk])).status_code == 404
    assert client.post(reverse("profile_revoke_token", args=[99999])).status_code == 404
    assert bearer(key).get(ME).status_code == 200


def test_revoking_needs_a_post_and_a_login(client, grassroots_cadre):
    token, _key = actions.create_api_token(grassroots_cadre, "脚本")
    assert client.get(PROFILE).status_code == 302  # to the login page
    client.force_login(grassroots_cadre)
    assert client.get(reverse("profile_revoke_token", args=[token.pk])).status_code == 405


# Signing in with a key ----------------------------------------------------------------------------------


def test_a_deactivated_persons_keys_stop_at_once(district_admin, grassroots_cadre):
    program = client_with_key(grassroots_cadre)
    assert program.get(ME).status_code == 200
    actions.set_account_active(district_admin, grassroots_cadre, False)
    response = program.get(ME)
    assert response.status_code == 401
    assert response.json()["detail"] == "此密钥所属的账号已停用。"


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer kh_wrong", "Bearer a b", "Token kh_wrong", "Bearer " + "x" * 300, "Bearer 密钥"],
)
def test_a_wrong_key_is_a_401_in_json(anonymous, grassroots_cadre, header):
    response = anonymous.get(ME, HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail", "errors"}


def test_without_a_key_the_api_says_so_in_chinese(anonymous, db):
    response = anonymous.get(ME)
    assert response.status_code == 401
    assert response.json() == {"detail": "身份认证信息未提供。", "errors": []}


def test_a_program_that_asks_for_english_gets_english(anonymous, db):
    # Pages ignore the browser's Accept-Language (government PCs run English systems); a program means it.
    response = anonymous.get(ME, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["detail"] == "Authentication credentials were not provided."


def test_a_key_acts_as_its_person_and_says_which_key(grassroots_cadre):
    body = client_with_key(grassroots_cadre, "会员系统").get(ME).json()
    assert body == {
        "username": "shequ",
        "full_name": "",
        "role": "cadre",
        "unit": {"code": "YX-S1-G1", "name": "城关社区工会", "tier": "grassroots"},
        "key_name": "会员系统",
    }


@pins("api:me")
def test_who_am_i_costs_two_queries(grassroots_cadre, django_assert_num_queries):
    program = client_with_key(grassroots_cadre)
    with django_assert_num_queries(2):  # the key with its person and unit; the throttle's count
        assert program.get(ME).status_code == 200


def test_a_key_in_use_shows_when_it_was_last_used(grassroots_cadre):
    token, key = actions.create_api_token(grassroots_cadre, "脚本")
    assert token.last_used_at is None
    bearer(key).get(ME)
    token.refresh_from_db()
    assert token.last_used_at is not None


# Throttling, errors and sizes -----------------------------------------------------------------------------


def test_each_key_is_throttled_on_its_own(settings, grassroots_cadre, secondary_cadre):
    settings.API_REQUESTS_PER_MINUTE = 3
    runaway, colleague = client_with_key(grassroots_cadre), client_with_key(secondary_cadre)
    assert [runaway.get(ME).status_code for _ in range(3)] == [200, 200, 200]

    throttled = runaway.get(ME)

    assert throttled.status_code == 429
    assert throttled.json()["detail"].startswith("请求已被限流。")
    assert 0 <= throttled.json()["retry_after"] <= 60
    assert int(throttled["Retry-After"]) <= 60
    assert colleague.get(ME).status_code == 200  # another key's budget is its own


def test_a_second_key_of_the_same_person_has_its_own_budget(settings, grassroots_cadre):
    settings.API_REQUESTS_PER_MINUTE = 1
    first, second = client_with_key(grassroots_cadre, "一"), client_with_key(grassroots_cadre, "二")
    assert first.get(ME).status_code == 200
    assert first.get(ME).status_code == 429
    assert second.get(ME).status_code == 200


def test_an_address_that_is_not_an_endpoint_is_a_json_404(api):
    response = api["grassroots_cadre"].get("/api/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "此地址没有内容。", "errors": []}


def test_a_body_that_is_not_json_is_a_400_naming_the_fault(api):
    response = api["grassroots_cadre"].post(ME, data=b"{not json", content_type="application/json")
    assert response.status_code in (400, 405)
    assert set(response.json()) == {"detail", "errors"}


def test_a_request_larger_than_kaohe_accepts_is_a_json_413(api, settings):
    settings.MAX_REQUEST_SIZE = 1024
    response = api["grassroots_cadre"].generic("POST", ME, data=b"x" * 2048, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("请求大于")


# The schema and its documentation -------------------------------------------------------------------------


def test_the_schema_is_public_and_holds_no_data(anonymous, tree):
    response = anonymous.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    text = response.content.decode()
    assert "城关社区工会" not in text  # no unit's name
    assert "YX-S1-G1" not in text  # nor its code
    assert "/api/me/" in schema["paths"]


def test_every_operation_documents_its_errors(anonymous, db):
    paths = anonymous.get("/api/schema/?format=json").json()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (method, path)


def test_the_documentation_is_served_by_kaohe_itself(anonymous, db):
    page = anonymous.get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    addresses = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert addresses
    assert [address for address in addresses if not address.startswith("/")] == []
    script = anonymous.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script
    assert not re.findall(r"https?://", script)


def test_a_refused_import_lists_its_first_thousand_faults_and_counts_the_rest():
    faults = ImportRefused([RowError(row, "活动日期", "不是日期") for row in range(2, 1502)])
    body = refused_import(faults).data
    assert len(body["errors"]) == 1000
    assert body["errors"][0] == {"row": 2, "field": "活动日期", "message": "不是日期"}
    assert body["errors_not_listed"] == 500
    assert "1500" in body["detail"]
