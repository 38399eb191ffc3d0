"""kaohe's addresses and three that fail on purpose, for the error pages' tests (pytest.mark.urls)."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from kaohe.urls import handler400, handler403, handler404, handler500
from kaohe.urls import urlpatterns as kaohe_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def a_bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug on purpose")


def tampered(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a tampered request on purpose")


urlpatterns = [path("fails/", a_bug), path("tampered/", tampered), *kaohe_urlpatterns]
