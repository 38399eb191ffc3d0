# Being written: lists, forms and exports of records.
from django.http import Http404, HttpRequest, HttpResponse


def _pending(request: HttpRequest, **kwargs: object) -> HttpResponse:
    raise Http404


record_list = record_create = record_export = record_edit = record_delete = record_file = _pending
