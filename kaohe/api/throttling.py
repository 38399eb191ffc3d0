"""Requests are throttled per key: one runaway script slows only itself, not its colleagues' keys or the pages.

The rate is a setting (KAOHE_API_RATE, requests per minute); unauthenticated requests (the schema, the
documentation, a missing key) are counted per address.
"""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from kaohe.accounts.models import ApiToken


class PerKeyThrottle(SimpleRateThrottle):
    scope = "key"

    def get_cache_key(self, request: Request, view: Any) -> str:
        if isinstance(request.auth, ApiToken):
            return f"throttle_key_{request.auth.pk}"
        return f"throttle_address_{self.get_ident(request)}"
