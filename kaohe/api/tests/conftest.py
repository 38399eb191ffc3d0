"""The API's personas: each persona of kaohe/conftest.py with a key of their own, made as on the profile page;
and the round's fixtures (the seed's standard, this year's cycle of 云溪区) shared by the API's tests."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from kaohe.accounts.actions import create_api_token

# The round's own fixtures (the seed's standard, 云溪区's 2026 cycle), shared rather than written again.
from kaohe.assessments.tests.conftest import cycle, standard  # noqa: F401


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


@pytest.fixture(autouse=True)
def dashboards_uncached(settings: Any) -> None:
    settings.DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def unthrottled(settings: Any) -> None:
    """Tests send many requests a second; kaohe/api/tests/test_keys.py tests the throttle on its own."""
    settings.API_REQUESTS_PER_MINUTE = 100_000
