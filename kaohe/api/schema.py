"""The OpenAPI schema's shared parts: the error body every operation may answer with, and the statuses."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class FieldError(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="The field (or an import's column) at fault; null for the whole request."
    )
    message = serializers.CharField()
    row = serializers.IntegerField(required=False, help_text="An import's row, numbered as the spreadsheet shows it.")


class Error(serializers.Serializer):
    detail = serializers.CharField(
        help_text="What went wrong, in a sentence (Chinese unless Accept-Language asks otherwise)."
    )
    errors = FieldError(many=True)
    current_version = serializers.IntegerField(
        required=False, allow_null=True, help_text="On 409: the version stored now."
    )
    existing = serializers.IntegerField(required=False, help_text="On 409 for a record: the identical record stored.")
    retry_after = serializers.IntegerField(required=False, help_text="On 429: seconds to wait.")
    errors_not_listed = serializers.IntegerField(
        required=False, help_text="On a refused import of more than 1,000 faults: how many more there are."
    )


ERRORS = {
    400: "Bad input: each field at fault is named.",
    401: "No key, or a key that is not valid, revoked, or of a deactivated account.",
    403: "The key's person may see this but not do it.",
    404: "Not there, or outside the key's person's units.",
    409: "Someone saved a newer version since it was read, or an identical record exists.",
    413: "The request is larger than kaohe accepts.",
    415: "The body is not JSON or a form.",
    429: "Too many requests with this key: wait and try again.",
}


class KaoheSchema(AutoSchema):
    """Every operation documents the error answers it may give, in the one shape of kaohe/api/errors.py."""

    def _get_response_bodies(self, direction: Literal["request", "response"] = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for code, description in ERRORS.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(OpenApiResponse(Error, description), str(code))
        return responses
