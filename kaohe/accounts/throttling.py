"""Failed logins: django-axes counts them; this adds the rule for guesses spread over many addresses.

Axes locks one username at one address after AXES_FAILURE_LIMIT wrong passwords, until AXES_COOLOFF_TIME
has passed since the last one. Guesses at one username from ever new addresses would go on without end, so
the username itself is locked as well after USERNAME_FAILURE_LIMIT wrong passwords from all addresses
together within the same cool-off. That lock spares the addresses the username logged in from in the last
KNOWN_ADDRESS_DAYS: a stranger cannot lock people out at the computers they use, while elsewhere an attacker
gets at most USERNAME_FAILURE_LIMIT guesses per cool-off (tries while locked are refused unchecked and count
on, so hammering on keeps the lock).
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessLog
from axes.signals import user_locked_out
from django.db.models import Sum
from django.http import HttpRequest

USERNAME_FAILURE_LIMIT = 20
KNOWN_ADDRESS_DAYS = 30

# An HttpRequest carrying the axes_… attributes (address, time, lock) that axes sets before calling a handler.
AxesRequest = Any


class LoginThrottle(AxesDatabaseHandler):
    """Axes's own lock (username and address), and the lock of a username across addresses."""

    def is_locked(self, request: AxesRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or username_locked(request, credentials)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: AxesRequest | None = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        # The failure that reaches the limit is answered with the lock already, as axes does for its own.
        if request is not None and not request.axes_locked_out and username_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def username_locked(request: AxesRequest, credentials: dict[str, Any] | None) -> bool:
    """Whether the username has too many recent failures from all addresses together (two queries at most)."""
    username = get_client_username(request, credentials)
    if not username:
        return False
    # Axes's cool-off: it deletes every failure older than that anyway.
    since = request.axes_attempt_time - get_cool_off(request)
    recent = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    failures = recent.aggregate(total=Sum("failures_since_start"))["total"] or 0
    return failures >= USERNAME_FAILURE_LIMIT and not is_known_address(username, request)


def is_known_address(username: str, request: AxesRequest) -> bool:
    """Whether this username logged in successfully from this address lately (axes logs every login)."""
    since = request.axes_attempt_time - timedelta(days=KNOWN_ADDRESS_DAYS)
    logins = AccessLog.objects.filter(username=username, ip_address=request.axes_ip_address, attempt_time__gte=since)
    return logins.exists()


def address_behind_proxy(request: HttpRequest) -> str | None:
    """The client's address as the reverse proxy saw it: the last X-Forwarded-For entry, which the proxy
    appends (the ones before it are whatever the client sent). Without one, the connection's address."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(forwarded))
    except ValueError:
        return request.META.get("REMOTE_ADDR")
