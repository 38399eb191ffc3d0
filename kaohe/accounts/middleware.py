"""A person whose password someone else chose sees nothing but the password page until they choose their own.

Imported accounts start with a password printed on a slip, and a manager's reset hands over one the manager
knows: until it is changed, whoever held the slip could act as the person. So every page sends such a person
to the password page; logging out and switching the language still work, and static files are served
before any of this (WhiteNoise). The flag is cleared by `kaohe.accounts.actions.change_own_password`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

# Where a person who must change their password may still go, by URL name.
ALLOWED_URL_NAMES = frozenset({"password_change", "logout", "set_language"})


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        # After URL resolution, so that the allowed pages are known by name, not by a path that could change.
        user = request.user
        if not (user.is_authenticated and getattr(user, "must_change_password", False)):
            return None
        if request.resolver_match and request.resolver_match.url_name in ALLOWED_URL_NAMES:
            return None
        if request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            return None
        return _to_password_page(request)


def _to_password_page(request: HttpRequest) -> HttpResponse:
    url = reverse("password_change")
    if getattr(request, "htmx", False):
        # A fragment request: the whole page goes to the password page, not the fragment's target.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)
