"""What the API says of records (台账) of every kind, and how their bodies show in the schema.

Each kind has its own shape, built from the fields its page's form edits (kaohe.records.actions.editable_fields),
so that what a program reads back is what it sends. The operations serve every kind under one path
(records/{kind}/), so the schema gives their bodies as one of the six shapes; each shape has fields no other
has, so a record matches exactly one.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from kaohe.access import Do, can
from kaohe.api.inputs import form_serializer
from kaohe.limits import LARGEST_STORED_INTEGER
from kaohe.records.actions import editable_fields
from kaohe.records.forms import model_field, record_form_class
from kaohe.records.import_views import MAX_SKIPPED_SHOWN, RecordsFileForm
from kaohe.records.kinds import KINDS, RecordKind

COMMON_FIELDS = ["id", "unit", "version", "may_edit", "created_at", "updated_at"]


class RecordUnit(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField(help_text="district, secondary, direct or grassroots")


class RecordOut(serializers.ModelSerializer):
    """What every record says besides its kind's own fields."""

    unit = RecordUnit(source="organisation", read_only=True, help_text="The unit that keeps the record.")
    may_edit = serializers.SerializerMethodField(help_text="Whether the key's person may edit and delete it.")

    kind: RecordKind  # set on each kind's subclass

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_may_edit(self, record: Any) -> bool:
        return can(self.context["request"].user, Do.EDIT, record.organisation)


def _file_fields(kind: RecordKind) -> dict[str, Any]:
    """For a kind with a file: its name and download address in place of the stored path."""
    if "file" not in editable_fields(kind):
        return {}

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_name(self: Any, record: Any) -> str | None:
        return os.path.basename(record.file.name) if record.file else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self: Any, record: Any) -> str | None:
        if not record.file:
            return None
        address = reverse("api:record_file", args=[kind.slug, record.pk])
        return str(self.context["request"].build_absolute_uri(address))

    return {
        "file_name": serializers.SerializerMethodField(help_text="The attached file's name; null if none."),
        "file_url": serializers.SerializerMethodField(help_text="Where to download it with the key; null if none."),
        "get_file_name": get_file_name,
        "get_file_url": get_file_url,
    }


def record_serializer(kind: RecordKind) -> type[RecordOut]:
    """The kind's record as the API shows it: every field always present (null where the record has none)."""
    return _record_serializer(kind.slug)


@cache  # by slug: a kind (a dataclass holding dicts) cannot be a key
def _record_serializer(slug: str) -> type[RecordOut]:
    kind = KINDS[slug]
    own = [name for name in editable_fields(kind) if name != "file"]
    files = _file_fields(kind)
    fields = [*COMMON_FIELDS, *own, *(name for name in files if not name.startswith("get_"))]
    meta = type("Meta", (), {"model": kind.model, "fields": fields, "read_only_fields": fields})
    name = f"{kind.model.__name__}Record"
    attributes = {"Meta": meta, "kind": kind, "__doc__": f"A record of {kind.slug}.", **files}
    return type(name, (RecordOut,), attributes)  # type: ignore[return-value]


def any_record(many: bool = False) -> PolymorphicProxySerializer:
    """For the schema: a record of whichever kind the path names."""
    return PolymorphicProxySerializer(
        component_name="Record",
        serializers=[record_serializer(kind) for kind in KINDS.values()],
        resource_type_field_name=None,
        many=many,
    )


# A list -----------------------------------------------------------------------------------------------------


class RecordsPageHead(serializers.Serializer):
    """A page of a list, with what the list page shows beside it: the unit, the count and the total."""

    count = serializers.IntegerField(help_text="How many records the filter finds, on every page.")
    next = serializers.CharField(allow_null=True, help_text="The next page's address; null on the last.")
    previous = serializers.CharField(allow_null=True, help_text="The previous page's address; null on the first.")
    unit = RecordUnit(help_text="The unit listed.")
    subtree = serializers.BooleanField(help_text="Whether the records of the units under it are listed too.")
    participants = serializers.IntegerField(
        allow_null=True, help_text="activities: the participants (person-times) of every record found; else null."
    )
    amount = serializers.DecimalField(
        max_digits=24,
        decimal_places=2,
        coerce_to_string=False,
        allow_null=True,
        help_text="funds: the amount (yuan) of every record found; else null.",
    )


class RecordsPage(RecordsPageHead):
    results = any_record(many=True)


def records_page(kind: RecordKind) -> type[RecordsPageHead]:
    """The page of one kind, as it is written out (RecordsPage describes every kind's in the schema)."""
    return _records_page(kind.slug)


@cache
def _records_page(slug: str) -> type[RecordsPageHead]:
    kind = KINDS[slug]
    results = record_serializer(kind)(many=True, read_only=True)
    return type(f"{kind.model.__name__}RecordsPage", (RecordsPageHead,), {"results": results})


class PageQuery(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="The page, from 1.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=500, help_text="Records a page: 50 unless asked, at most 500."
    )


# What a program sends ---------------------------------------------------------------------------------------

ANYWAY_HELP = (
    "true: save it even if an identical record is stored (else 409 naming that record, as the page asks first)."
)


def record_input(slug: str, editing: bool = False, upload: bool = False) -> type[serializers.Serializer]:
    """For the schema: the fields of the kind's form, as the page's form reads them (the form reads the body);
    a document's file only in a multipart body (`upload`): JSON holds no files."""
    return _record_input(slug, editing, with_file=upload and "file" in editable_fields(KINDS[slug]))


@cache
def _record_input(slug: str, editing: bool, with_file: bool) -> type[serializers.Serializer]:
    kind = KINDS[slug]
    name = f"{kind.model.__name__}Record{'Edit' if editing else ''}{'Upload' if with_file else ''}Input"
    form_fields = form_serializer(record_form_class(kind), f"{kind.model.__name__}RecordFields")
    fields: dict[str, Any] = {"anyway": serializers.BooleanField(required=False, help_text=ANYWAY_HELP)}
    for field_name, field in form_fields._declared_fields.items():
        if isinstance(field, serializers.ChoiceField):
            # With their labels, as the records show them: one enum of the schema for both.
            choices = model_field(kind, field_name).choices or ()
            fields[field_name] = serializers.ChoiceField(choices=choices, required=field.required)
    if not with_file:
        fields["file"] = None  # DRF's way to leave out a field of the base
    if editing:
        fields["version"] = serializers.IntegerField(
            min_value=1,
            max_value=LARGEST_STORED_INTEGER,
            help_text="Required: the version read (GET). A newer one stored is a 409, and nothing is saved.",
        )
    return type(name, (form_fields,), fields)


def record_body(editing: bool = False) -> dict[str, Any]:
    """For the schema: a record's fields of whichever kind the path names as JSON; a document with its file as a
    multipart form. (One shape, not one of six: schema tools cannot check a file against a choice of shapes.)"""
    every_kind = PolymorphicProxySerializer(
        component_name=f"Record{'Edit' if editing else ''}Input",
        serializers=[record_input(slug, editing) for slug in KINDS],
        resource_type_field_name=None,
        many=False,
    )
    return {"application/json": every_kind, "multipart/form-data": record_input("documents", editing, upload=True)}


# Imports ----------------------------------------------------------------------------------------------------

RecordsImportInput = form_serializer(RecordsFileForm, "RecordsImportInput")


class SkippedRowOut(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row, numbered as the spreadsheet shows it.")
    same_as_row = serializers.IntegerField(
        allow_null=True, help_text="The earlier row of the file it repeats; null if it was recorded before."
    )
    reason = serializers.CharField()


class RecordsImported(serializers.Serializer):
    added = serializers.IntegerField(help_text="Records added.")
    skipped_count = serializers.IntegerField(help_text="Rows skipped as already recorded, or repeating a row.")
    skipped = SkippedRowOut(many=True, help_text=f"The rows skipped, the first {MAX_SKIPPED_SHOWN} of them.")
    summary = serializers.CharField(help_text="What the import page says once the file is in.")
