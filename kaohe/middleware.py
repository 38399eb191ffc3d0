from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ChineseUnlessChosenMiddleware:
    """Chinese for everyone until they pick English with the language switch (a cookie).

    Browsers on government PCs often run an English system locale; their Accept-Language must not turn a
    cadre's pages English. Sits just before LocaleMiddleware, which then sees only the chosen language.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
