"""Records (台账) of every kind: what the record pages do (kaohe/records/views.py and import_views.py), answering
JSON, with the same access calls, forms and action functions, and so the same refusals and history."""

from __future__ import annotations

import os
from typing import Any

from django import forms
from django.http import FileResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe import limits
from kaohe.access import Do, SeeButNotChange, can, get_organisation, scope_root_or_404
from kaohe.api.inputs import bound, cleaned, form_data, form_serializer
from kaohe.api.pagination import Pages
from kaohe.api.serializers_records import (
    PageQuery,
    RecordsImported,
    RecordsImportInput,
    RecordsPage,
    any_record,
    record_body,
    record_serializer,
    records_page,
)
from kaohe.organisations.picker import LONGEST_TEXT
from kaohe.records import actions, importing, queries
from kaohe.records.forms import DuplicateConfirmationForm, FilterForm, RecordForm, record_form_class
from kaohe.records.import_views import MAX_SKIPPED_SHOWN, RecordsFileForm
from kaohe.records.kinds import KINDS, RecordKind, kind_of, kind_or_404
from kaohe.records.models import Record

TAGS = ["records"]
KIND = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=list(KINDS), description="The kind of record, as the pages name it."
)


class RecordsQuery(FilterForm):
    """The list page's filter, its unit given by code: a unit outside one's subtree is not found (404), as
    everywhere in the API, rather than the page's "no unit matches" beside the field."""

    unit = forms.CharField(  # type: ignore[assignment]  # a code, where the page's field also reads names
        required=False,
        max_length=LONGEST_TEXT,
        help_text=gettext_lazy("A unit's code; without it, your own unit."),
    )
    # The page's form has these for the kinds they apply to (its __init__ adds them); declared here for the
    # schema, and dropped again below for the kinds without them, so that each kind reads what its page reads.
    category = forms.CharField(
        required=False,
        help_text=gettext_lazy("activities: the category; documents: the kind; teams: the team; honours: the level."),
    )
    date_from = forms.DateField(required=False, help_text=gettext_lazy("Dated kinds: from this date (YYYY-MM-DD)."))
    date_to = forms.DateField(required=False, help_text=gettext_lazy("Dated kinds: up to this date."))

    def __init__(self, kind: RecordKind, *args: Any, **kwargs: Any) -> None:
        super().__init__(kind, *args, **kwargs)
        if not kind.category_field:
            del self.fields["category"]
        if not kind.date_field:
            del self.fields["date_from"], self.fields["date_to"]


class VersionForm(forms.Form):
    version = forms.IntegerField(
        min_value=1,
        max_value=limits.LARGEST_STORED_INTEGER,
        help_text=gettext_lazy("The version read (GET). A newer one stored is a 409, and nothing is deleted."),
    )


def version_read(request: Request, given: Any) -> int:
    """The version the program read, which every edit must send (the pages' forms carry it, hidden)."""
    version: int = cleaned(bound(VersionForm, request, data=given))["version"]
    return version


def shown(record: Record, request: Request) -> dict[str, Any]:
    return dict(record_serializer(kind_of(record))(record, context={"request": request}).data)


class Records(APIView):
    @extend_schema(
        operation_id="records_list",
        summary="A kind's records, filtered as on the list page, with its count and total",
        description=(
            "Newest first, fifty a page. Without `unit`: your own unit's; with the units under it unless "
            "`subtree` is false, so that the list opens on your whole system as the page does. `participants` "
            "(activities) and `amount` (funds) add up every record found, on every page."
        ),
        tags=TAGS,
        parameters=[KIND, form_serializer(RecordsQuery), PageQuery],
        responses=RecordsPage,
    )
    def get(self, request: Request, kind: str) -> Response:
        record_kind = kind_or_404(kind)
        chosen = self.chosen(request, record_kind)
        records = queries.filtered_records(record_kind, chosen)
        total = queries.total_of(record_kind, records)
        pages = Pages()
        page = pages.paginate_queryset(records, request, view=self)
        body = {
            "count": pages.page.paginator.count,
            "next": pages.get_next_link(),
            "previous": pages.get_previous_link(),
            "unit": chosen.unit,
            "subtree": chosen.subtree,
            "participants": None,
            "amount": None,
            "results": page,
        }
        if total is not None:  # under the name of what it adds up (queries.TOTALLED)
            body[queries.TOTALLED[record_kind.slug]] = total
        return Response(records_page(record_kind)(body, context={"request": request}).data)

    @staticmethod
    def chosen(request: Request, kind: RecordKind) -> queries.RecordFilter:
        """What the list is narrowed to; the unit is checked as the unit pages check theirs."""
        root = scope_root_or_404(request.user)
        given = request.query_params.dict()  # one value a name, as a GET form reads them
        given.setdefault("subtree", "true")  # as the list page opens: with the units under it
        form = bound(RecordsQuery, request, data=given, kind=kind, user=request.user)
        code = cleaned(form)["unit"]
        unit = get_organisation(request.user, code) if code else root
        return form.chosen(unit)

    @extend_schema(
        operation_id="record_create",
        summary="Add a record, as the page's form does (multipart for a document with its file)",
        description=(
            "The unit is a code of your system. An identical record stored already (the same unit and the "
            "fields that make two records the same) is a 409 naming it, unless `anyway` is true."
        ),
        tags=TAGS,
        parameters=[KIND],
        request=record_body(),
        responses={201: any_record()},
    )
    def post(self, request: Request, kind: str) -> Response:
        record_kind = kind_or_404(kind)
        if not can(request.user, Do.EDIT, scope_root_or_404(request.user)):
            raise SeeButNotChange
        form = bound(record_form_class(record_kind), request, user=request.user)
        cleaned(form)
        record = actions.create_record(
            request.user, record_kind, *unit_and_values(form), allow_duplicate=anyway(request)
        )
        return Response(shown(record, request), status=status.HTTP_201_CREATED)


def unit_and_values(form: RecordForm) -> tuple[Any, dict[str, Any]]:
    """The unit and the record's own fields of a valid form, the unit named whole by the program."""
    unit = form.cleaned_data["unit"]
    named = str(form.data.get("unit", "")).strip()
    # The page's field also takes part of a code or name, as a person picks among the units suggested while
    # typing, and sees which under the field; a program sees nothing, and YX-S1 would pick YX-S1-G1.
    if named not in (unit.code, unit.name) and named.casefold() != unit.code.casefold():
        message = _("No unit of yours has the code or the name “%(text)s”.") % {"text": named}
        raise serializers.ValidationError({"unit": [message]})
    return unit, form.values()


def anyway(request: Request) -> bool:
    """Whether the program said to save a record identical to one stored (the page's "anyway" box)."""
    return bound(DuplicateConfirmationForm, request).confirmed()


class RecordDetail(APIView):
    @extend_schema(
        operation_id="record_read",
        summary="One record, with its version",
        tags=TAGS,
        parameters=[KIND],
        responses=any_record(),
    )
    def get(self, request: Request, kind: str, pk: int) -> Response:
        record = queries.record_or_404(request.user, kind_or_404(kind), pk, Do.VIEW)
        return Response(shown(record, request))

    @extend_schema(
        operation_id="record_update",
        summary="Edit a record at the version read (fields left out stay as stored)",
        description="A record changed since `version` was read is a 409 with the version stored now: nothing saved.",
        tags=TAGS,
        parameters=[KIND],
        request=record_body(editing=True),
        responses=any_record(),
    )
    def patch(self, request: Request, kind: str, pk: int) -> Response:
        record_kind = kind_or_404(kind)
        record = queries.record_or_404(request.user, record_kind, pk, Do.EDIT)
        version_read(request, request.data)
        stored = stored_values(record_form_class(record_kind)(instance=record, user=request.user))
        form = bound(
            record_form_class(record_kind), request, data=sent_over(request, stored), instance=record, user=request.user
        )
        cleaned(form)
        unit, values = unit_and_values(form)
        saved = actions.update_record(
            request.user,
            record,
            {"organisation": unit, **values},
            allow_duplicate=anyway(request),
            read_version=form.read_version,
        )
        return Response(shown(saved, request))

    @extend_schema(
        operation_id="record_delete",
        summary="Delete a record at the version read",
        description=(
            "`version` as a query parameter (or in the body, as the page's delete form sends it). A record "
            "changed since it was read is a 409 with the version stored now: nothing deleted."
        ),
        tags=TAGS,
        parameters=[KIND, form_serializer(VersionForm, "RecordVersionQuery")],
        responses={204: None},
    )
    def delete(self, request: Request, kind: str, pk: int) -> Response:
        record = queries.record_or_404(request.user, kind_or_404(kind), pk, Do.EDIT)
        in_query = "version" in request.query_params
        version = version_read(request, request.query_params if in_query else request.data)
        actions.delete_record(request.user, record, read_version=version)
        return Response(status=status.HTTP_204_NO_CONTENT)


def stored_values(form: RecordForm) -> dict[str, str]:
    """The edit form as its page opens: each field's stored value as a browser sends it back (the unit by its
    code), a file and the version aside: the program sends the version it read."""
    values = {}
    for field in form:
        value = field.value()
        if field.name != "version" and not isinstance(field.field, forms.FileField) and value is not None:
            values[field.html_name] = str(value)
    return values


def sent_over(request: Request, stored: dict[str, str]) -> dict[str, Any]:
    """The body over the stored values: PATCH changes what it names. Files come apart (request.FILES)."""
    given = form_data(request.data)
    if isinstance(given, MultiValueDict):
        given = {name: given.get(name) for name in given if name not in request.FILES}
    return {**stored, **given}


class RecordFile(APIView):
    def perform_content_negotiation(self, request: Request, force: bool = False) -> tuple[Any, str]:
        # The file is sent whatever the program accepts; a refusal is JSON, as everywhere.
        return JSONRenderer(), JSONRenderer.media_type

    @extend_schema(
        operation_id="record_file",
        summary="A document's file, as the page's download (an attachment)",
        tags=TAGS,
        parameters=[KIND],
        responses={(200, "*/*"): OpenApiTypes.BINARY},  # the type the page serves: a pdf as a pdf
    )
    def get(self, request: Request, kind: str, pk: int) -> FileResponse:
        stored = queries.attached_file_or_404(request.user, kind_or_404(kind), pk)
        # An attachment, never shown inline, as on the page: an uploaded HTML file must not run in a browser.
        return FileResponse(stored.open("rb"), as_attachment=True, filename=os.path.basename(stored.name))


class RecordsImport(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="records_import",
        summary="Import a file (.xlsx or .csv) of a kind's records for your system: all of it or nothing",
        description=(
            "Every row is checked before anything is written: one fault refuses the whole file (400, each "
            "fault with its `row` and column as `field`). Rows already recorded, or repeating an earlier row, "
            "are skipped and named."
        ),
        tags=TAGS,
        parameters=[KIND],
        request=RecordsImportInput,
        responses=RecordsImported,
    )
    def post(self, request: Request, kind: str) -> Response:
        record_kind = kind_or_404(kind)
        scope = importing.import_scope(request.user)
        upload = cleaned(bound(RecordsFileForm, request))["file"]
        result = importing.import_file(request.user, record_kind, upload, upload.name, scope)
        body = {
            "added": result.added,
            "skipped_count": len(result.skipped),
            "skipped": [
                {"row": row.row, "same_as_row": row.same_as_row, "reason": row.reason}
                for row in result.skipped[:MAX_SKIPPED_SHOWN]
            ],
            "summary": result.summary(upload.name),
        }
        return Response(RecordsImported(body).data)
