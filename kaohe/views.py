"""The pages of no app: the error pages and the favicon.

Each error page says in the reader's words what happened and links back: to the page they came from when the
browser says which (and it is one of kaohe's own), and home. 403 and 404 have the site's frame; 400 and 500
stand alone, rendered without the request's context (no user, no context processors, no database), since
what went wrong may be exactly one of those.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from kaohe.access import SeeButNotChange

logger = logging.getLogger(__name__)
FAVICON = settings.BASE_DIR / "static" / "kaohe" / "favicon.ico"


def api_error(request: HttpRequest, status: int, detail: str) -> JsonResponse | None:
    """An /api/ request's error as the API's JSON (kaohe/api/errors.py), not as a page: None for a page."""
    if not request.path.startswith("/api/"):
        return None
    body = {"detail": detail, "errors": []}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if answer := _safe(lambda r: api_error(r, 400, _("The request was refused.")), request):
        return answer
    # No link to the previous page: with a bad Host header even asking for the request's host fails again.
    return HttpResponseBadRequest(_standalone("400.html", {}))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Someone who may look at a thing but not change it is told so; anyone else only that the page is not
    open to their role (never that they could see it)."""
    if answer := api_error(request, 403, _("You may not do this.")):
        return answer
    context = {"view_only": isinstance(exception, SeeButNotChange), "back_url": previous_page(request)}
    return HttpResponseForbidden(loader.render_to_string("403.html", context, request))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if answer := api_error(request, 404, _("There is nothing at this address.")):
        return answer
    context = {"request_path": request.path, "back_url": previous_page(request)}
    return HttpResponseNotFound(loader.render_to_string("404.html", context, request))


def server_error(request: HttpRequest) -> HttpResponse:
    if answer := _safe(lambda r: api_error(r, 500, _("Something went wrong in kaohe; it has been logged.")), request):
        return answer
    return HttpResponseServerError(_standalone("500.html", {"back_url": _safe(previous_page, request)}))


def _standalone(template_name: str, context: dict[str, Any]) -> str:
    try:
        return loader.render_to_string(template_name, context)
    except Exception:
        logger.exception("The error page %s could not be rendered", template_name)
        return "<!doctype html><title>kaohe</title><h1>kaohe</h1><p><a href='/'>/</a></p>"


def previous_page(request: HttpRequest) -> str | None:
    """The page the browser says it came from, if it is one of kaohe's own and not this one."""
    referer = request.headers.get("referer", "")
    if not referer or referer == request.build_absolute_uri():
        return None
    host = request.get_host()
    return referer if url_has_allowed_host_and_scheme(referer, {host}, require_https=request.is_secure()) else None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused for its missing or stale security token: mostly a page left open across a login, or
    cookies switched off. Said so, with the way back; never Django's English page."""
    return HttpResponseForbidden(_standalone("403_csrf.html", {"back_url": _safe(previous_page, request)}))


def _safe(read: Any, request: HttpRequest) -> Any:
    """What read(request) gives, or None: a page about a failure must come whatever else fails."""
    try:
        return read(request)
    except Exception:
        return None


@cache_control(max_age=7 * 24 * 60 * 60, public=True)
def favicon(request: HttpRequest) -> FileResponse:
    """/favicon.ico, which browsers ask for whatever the page says: kaohe's own icon, not a 404."""
    return FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
