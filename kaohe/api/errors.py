"""Every refusal as one JSON shape, in the reader's language (Chinese unless asked otherwise):

    {"detail": "what went wrong, in a sentence", "errors": [{"field": "self_score", "message": "…"}]}

`errors` names each field at fault (`field` is null for a fault of the whole request); an import's faults
also carry the spreadsheet's `row`, as on the import page. A save over a newer version is 409 and says the
version now stored. The action functions raise Django's ValidationError (and ImportRefused, StaleEdit,
Incomplete, DuplicateRecord), the same as the pages turn into messages on their forms; here they become 400s.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from kaohe.assessments.actions import Incomplete
from kaohe.records.actions import DuplicateRecord
from kaohe.spreadsheets import ImportRefused
from kaohe.versions import StaleEdit

NON_FIELD = ("non_field_errors", "__all__")
IMPORT_ERRORS_LISTED = 1000


def handle(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception handler for the whole API (settings.REST_FRAMEWORK["EXCEPTION_HANDLER"])."""
    if isinstance(exc, ImportRefused):
        return refused_import(exc)
    if isinstance(exc, StaleEdit):
        body = refusal(exc)
        body["current_version"] = getattr(exc.current, "version", None)
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DuplicateRecord):
        detail = _("An identical record is stored already (number %(id)s): nothing was saved.") % {
            "id": exc.existing.pk
        }
        return Response({"detail": detail, "errors": [], "existing": exc.existing.pk}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        return Response(refusal(exc), status=status.HTTP_400_BAD_REQUEST)
    response = exception_handler(exc, context)
    if response is not None:
        response.data = normalised(response.data, exc)
    return response


def refusal(error: ValidationError) -> dict[str, Any]:
    """A refusal of an action (or a form): each message under its field, the first one as the detail."""
    errors: list[dict[str, Any]] = []
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            errors += [{"field": None if field in NON_FIELD else field, "message": m} for m in messages]
    else:
        errors = [{"field": None, "message": m} for m in error.messages]
    if isinstance(error, Incomplete):  # "not submitted:" heads the list of what is missing
        return {"detail": error.messages[0], "errors": [{"field": None, "message": m} for m in error.missing]}
    return {"detail": summary(errors), "errors": errors}


def refused_import(error: ImportRefused) -> Response:
    """Every fault counted, the first thousand listed (as the import pages show them): a file of 200,000 bad
    rows must not become a response of 200,000 objects."""
    errors = [{"row": e.row, "field": e.column or None, "message": e.message} for e in error.errors]
    detail = _("Nothing was imported: the file has %(count)d fault(s). Correct them and send it again.") % {
        "count": len(errors)
    }
    body: dict[str, Any] = {"detail": detail, "errors": errors[:IMPORT_ERRORS_LISTED]}
    if len(errors) > IMPORT_ERRORS_LISTED:
        body["errors_not_listed"] = len(errors) - IMPORT_ERRORS_LISTED
    return Response(body, status=status.HTTP_400_BAD_REQUEST)


def normalised(data: Any, exc: Exception) -> dict[str, Any]:
    """DRF's own errors ({"field": ["…"]}, {"detail": "…"}) in kaohe's shape."""
    if isinstance(exc, exceptions.ValidationError):
        errors = list(_flattened(data, None))
        return {"detail": summary(errors), "errors": errors}
    detail = data.get("detail") if isinstance(data, dict) else None
    body: dict[str, Any] = {"detail": str(detail or exc), "errors": []}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait)
    return body


def _flattened(data: Any, field: str | None) -> Any:
    if isinstance(data, dict):
        for key, value in data.items():
            name = None if key in NON_FIELD else (f"{field}.{key}" if field else str(key))
            yield from _flattened(value, name)
    elif isinstance(data, list):
        for value in data:
            yield from _flattened(value, field)
    else:
        yield {"field": field, "message": str(data)}


def summary(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return _("The request was refused.")
    first = errors[0]
    if first.get("field"):
        return _("%(field)s: %(message)s") % {"field": first["field"], "message": first["message"]}
    return str(first["message"])
