from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kaohe.limits import request_max_bytes


class ChineseUnlessChosenMiddleware:
    """Chinese for everyone until they pick English with the language switch (a cookie).

    Browsers on government PCs often run an English system locale; their Accept-Language must not turn a
    cadre's pages English. Sits just before LocaleMiddleware, which then sees only the chosen language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # A program chooses its language on purpose: the API honours its Accept-Language (Chinese without one).
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than kaohe.limits.request_max_bytes(), before reading it (413).

    DATA_UPLOAD_MAX_MEMORY_SIZE leaves file uploads unbounded: without this a 1 GB upload would be streamed
    to disk in full before the form could say it is too large. A body without a Content-Length is not read
    at all by Django under WSGI, so the header is the whole question.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _content_length(request) > request_max_bytes():
            return _too_large(request, request_max_bytes())
        return self.get_response(request)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0  # as Django reads a malformed header: no body


def _too_large(request: HttpRequest, max_bytes: int) -> HttpResponse:
    from kaohe.views import api_error  # the error pages' module imports access, which needs the apps loaded

    detail = _("The request is larger than %(max_size)s.") % {"max_size": filesizeformat(max_bytes)}
    if answer := api_error(request, 413, detail):
        return answer
    return render(request, "413.html", {"max_size": filesizeformat(max_bytes)}, status=413)


class NulInPathMiddleware:
    """A path holding NUL (`/units/%00/`) names nothing kaohe has, and PostgreSQL refuses to even compare a
    text with NUL: such a request is a 404 here, before any view turns it into a query (and a 500)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path_info:
            raise Http404  # Django turns it into kaohe's 404 page (JSON under /api/)
        return self.get_response(request)
