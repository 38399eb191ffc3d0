# Being written: imports of records.
from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


import_records = import_template = _pending
