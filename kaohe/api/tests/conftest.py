"""The API's personas: each persona of kaohe/conftest.py with a key of their own, made as on the profile page."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from kaohe.accounts.actions import create_api_token


def client_with_key(user: Any, name: str = "测试脚本") -> APIClient:
    _token, key = create_api_token(user, name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def api(personas: dict[str, Any]) -> dict[str, APIClient]:
    """persona name (district_admin, assessor, secondary_cadre, grassroots_cadre, outsider) → a client with a key."""
    return {name: client_with_key(user) for name, user in personas.items()}


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()
