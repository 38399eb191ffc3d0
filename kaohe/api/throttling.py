"""Requests are throttled per key: one runaway script slows only itself, not its colleagues' keys or the pages.

A fixed window of one minute, counted on the key's own row (ApiToken.throttle_minute, throttle_count) by one
UPDATE per request, so that every app server counts the same requests without a shared cache. The rate is
settings.API_REQUESTS_PER_MINUTE (env KAOHE_API_REQUESTS_PER_MINUTE). Two requests racing may both be let
through at the limit (each read the count before the other's update); the stored count stays exact.
Requests without a key are answered 401 before any work, or are the public schema and documentation.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db.models import Case, F, Value, When
from django.utils import timezone
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from kaohe.accounts.models import ApiToken

WINDOW_SECONDS = 60


class PerKeyThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return True
        minute = int(time.time() // WINDOW_SECONDS)
        count = token.throttle_count + 1 if token.throttle_minute == minute else 1
        if count > settings.API_REQUESTS_PER_MINUTE:
            return False  # a refused request is not counted: it did nothing
        ApiToken.objects.filter(pk=token.pk).update(
            throttle_count=Case(When(throttle_minute=minute, then=F("throttle_count") + 1), default=Value(1)),
            throttle_minute=minute,
            last_used_at=timezone.now(),
        )
        token.throttle_minute, token.throttle_count = minute, count
        return True

    def wait(self) -> float:
        return WINDOW_SECONDS - time.time() % WINDOW_SECONDS
