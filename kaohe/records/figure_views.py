# Being written: the figures pages.
from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


overview = overview_export = unit_figures = _pending
