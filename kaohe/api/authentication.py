"""A program signs in with one of its person's API keys (made on the profile page), sent as
`Authorization: Bearer <key>`. It then acts as that person: same role, same subtree, same rights.

The key is looked up by its SHA-256 (the only thing stored). A revoked key, or the key of a deactivated
person, is refused on the very next request: both are read with the key on every request, never cached.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kaohe.accounts.actions import hash_api_key
from kaohe.accounts.models import ApiToken

SCHEMES = ("bearer", "token")  # "Token" as DRF's own TokenAuthentication, for scripts written for it
LONGEST_KEY = 200


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in SCHEMES:
            return None  # no key at all: the view's permission answers 401
        if len(header) != 2 or len(header[1]) > LONGEST_KEY:
            raise exceptions.AuthenticationFailed(_("The Authorization header should be “Bearer” and the key."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API key is not valid.")) from None
        return self.authenticate_key(key)

    def authenticate_key(self, key: str) -> tuple[Any, ApiToken]:
        token = (
            ApiToken.objects.select_related("user__organisation__parent__parent")
            .filter(key_hash=hash_api_key(key), revoked_at__isnull=True)
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("This API key is not valid, or it was revoked."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The account this key belongs to is deactivated."))
        return token.user, token  # the throttle marks it used (kaohe/api/throttling.py)

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="kaohe"'  # makes a missing or wrong key a 401, not a 403


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kaohe.api.authentication.ApiTokenAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A key made on one's profile page (/accounts/profile/): `Authorization: Bearer <key>`.",
        }
