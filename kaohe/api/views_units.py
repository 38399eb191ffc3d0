"""Units: the tree of the key's person's subtree, and the pages' changes to it (kaohe/organisations/views.py):
the same access calls, forms and action functions, answering JSON."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe.access import (
    Do,
    SeeButNotChange,
    can,
    can_move_or_deactivate,
    get_organisation,
    scope_root_or_404,
    visible_organisations,
)
from kaohe.api.inputs import bound, cleaned, form_data, form_serializer
from kaohe.api.serializers_units import (
    UnitChildOut,
    UnitChildrenFilterForm,
    UnitDetailOut,
    UnitEditInput,
    UnitEventOut,
    UnitMoveInput,
    UnitOut,
    UnitSeen,
    UnitsFilterForm,
    UnitsImportInput,
    UnitsImportOut,
)
from kaohe.history.models import Event
from kaohe.organisations import actions, queries
from kaohe.organisations.forms import ImportForm, MoveForm, OrganisationForm
from kaohe.organisations.importing import read_units_file
from kaohe.organisations.models import TIER_OF_CATEGORY, Organisation, is_code
from kaohe.versions import StaleEdit

TAGS = ["units"]


def unit_of(user: Any, code: str, action: Do = Do.VIEW) -> Organisation:
    """As the pages' get_organisation (404 outside the subtree, 403 without the right); a code no unit can
    have is not looked up (a NUL would fail the query on PostgreSQL)."""
    if not is_code(code):
        raise Http404
    return get_organisation(user, code, action)


def may_move(user: Any, unit: Organisation) -> None:
    if not can_move_or_deactivate(user, unit):
        raise SeeButNotChange


class Units(ListAPIView):
    serializer_class = UnitOut
    queryset = Organisation.objects.none()  # for the schema; get_queryset says which

    @extend_schema(
        operation_id="units_list",
        summary="The units of the key's subtree, in the tree's order",
        tags=TAGS,
        parameters=[form_serializer(UnitsFilterForm)],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Organisation]:
        user = self.request.user
        wanted = cleaned(bound(UnitsFilterForm, self.request, data=self.request.query_params, user=user))
        units = visible_organisations(user)
        if wanted["under"] is not None:
            units = units.subtree_of(wanted["under"])
        if wanted["children_of"] is not None:
            units = units.filter(parent=wanted["children_of"])
        if wanted["tier"]:
            units = units.filter(category__in=[c for c, tier in TIER_OF_CATEGORY.items() if tier == wanted["tier"]])
        if wanted["active"] is not None:
            units = units.filter(is_active=wanted["active"])
        if wanted["q"]:
            units = units.filter(Q(name__icontains=wanted["q"]) | Q(code__icontains=wanted["q"]))
        return units.order_by("path")


class Unit(APIView):
    @extend_schema(
        operation_id="unit_read",
        summary="One unit, with the counts of the units under it and what the key may do to it",
        tags=TAGS,
        responses=UnitDetailOut,
    )
    def get(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code)
        return Response(UnitDetailOut(seen(request.user, unit)).data)

    @extend_schema(
        operation_id="unit_update",
        summary="Edit a unit's name, member count (and category, from above) at the version read",
        tags=TAGS,
        request=UnitEditInput,
        responses=UnitOut,
    )
    def patch(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code, Do.EDIT)
        stored = {"name": unit.name, "category": unit.category, "members": unit.members}
        form = bound(OrganisationForm, request, data=sent_or_stored(request, stored), instance=unit, parent=unit.parent)
        if not can_move_or_deactivate(request.user, unit):
            del form.fields["category"]  # one's own unit's category is set by the unit above (as the page)
        values = cleaned(form)
        try:
            saved = actions.update_organisation(request.user, unit, read_version=form.read_version, **values)
        except StaleEdit:
            raise
        except ValidationError as error:  # a category that its units could not stay under
            raise refused_on("category", error) from error
        return Response(UnitOut(saved).data)


def seen(user: Any, unit: Organisation) -> UnitSeen:
    """The unit as its page shows it: two queries (its children counted, the totals of its subtree)."""
    counts = Organisation.objects.filter(parent=unit).aggregate(
        children=Count("pk"), active_children=Count("pk", filter=Q(is_active=True))
    )
    return UnitSeen(
        unit=unit,
        children=counts["children"],
        active_children=counts["active_children"],
        totals=queries.with_totals(unit, []),
        may_edit=can(user, Do.EDIT, unit),
        may_add_units=can(user, Do.RESTRUCTURE, unit),
        may_move=can_move_or_deactivate(user, unit),
    )


def sent_or_stored(request: Request, stored: dict[str, Any]) -> Any:
    """The body, each of the form's fields it leaves out as stored: PATCH changes what it names. A field sent
    as null is not left out: the form says it is required."""
    given = form_data(request.data)
    merged = given.copy() if isinstance(given, MultiValueDict) else dict(given)
    for name, value in stored.items():
        if name not in request.data:
            merged[name] = str(value)
    return merged


class UnitChildren(ListAPIView):
    serializer_class = UnitChildOut
    queryset = Organisation.objects.none()  # for the schema; get says which

    @extend_schema(
        operation_id="unit_children_list",
        summary="The units directly under a unit, each with its subtree's totals (the tree, a level at a time)",
        tags=TAGS,
        parameters=[form_serializer(UnitChildrenFilterForm)],
    )
    def get(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code)
        wanted = cleaned(bound(UnitChildrenFilterForm, request, data=request.query_params))
        page = self.paginate_queryset(queries.children_of(unit, include_inactive=bool(wanted["include_inactive"])))
        children = list(page or [])
        queries.with_totals(unit, children)
        return self.get_paginated_response(UnitChildOut(children, many=True).data)

    @extend_schema(
        operation_id="unit_create",
        summary="Add a unit under this one (a category that fits under it)",
        tags=TAGS,
        request=form_serializer(OrganisationForm, "UnitNewInput"),
        responses={201: UnitOut},
    )
    def post(self, request: Request, code: str) -> Response:
        parent = unit_of(request.user, code, Do.RESTRUCTURE)
        values = cleaned(bound(OrganisationForm, request, parent=parent))
        unit = actions.create_organisation(request.user, parent=parent, **values)
        return Response(UnitOut(unit).data, status=status.HTTP_201_CREATED)


def refused_on(field: str, error: ValidationError) -> ValidationError:
    """An action's refusal named by the field the page shows it on, when the action names none."""
    return error if hasattr(error, "error_dict") else ValidationError({field: error.messages})


class UnitMove(APIView):
    @extend_schema(
        operation_id="unit_move",
        summary="Move a unit, with everything under it, under another unit",
        tags=TAGS,
        request=UnitMoveInput,
        responses=UnitOut,
    )
    def post(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code)
        may_move(request.user, unit)
        form = bound(MoveForm, request, edited=unit, user=request.user)
        new_parent = cleaned(form)["new_parent"]  # one of the key's subtree (UnitChoiceField)
        try:
            moved = actions.move_organisation(request.user, unit, new_parent, read_version=form.read_version)
        except StaleEdit:
            raise
        except ValidationError as error:
            raise refused_on("new_parent", error) from error
        return Response(UnitOut(moved).data)


class UnitDeactivate(APIView):
    @extend_schema(
        operation_id="unit_deactivate",
        summary="Deactivate a unit with no active units under it, and its accounts",
        tags=TAGS,
        request=None,
        responses=UnitOut,
    )
    def post(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code)
        may_move(request.user, unit)
        # As the page's button: it names the state it leads to, so it carries no version.
        return Response(UnitOut(actions.deactivate_organisation(request.user, unit)).data)


class UnitReactivate(APIView):
    @extend_schema(
        operation_id="unit_reactivate",
        summary="Reactivate a unit (the unit above it active)",
        tags=TAGS,
        request=None,
        responses=UnitOut,
    )
    def post(self, request: Request, code: str) -> Response:
        unit = unit_of(request.user, code)
        may_move(request.user, unit)
        return Response(UnitOut(actions.reactivate_organisation(request.user, unit)).data)


class UnitsImport(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="units_import",
        summary="Import a units file into the key's subtree: all of it, or nothing with every row's faults",
        description=(
            "The import page's file (单位编码, 单位名称, 上级单位编码, 单位类别, 会员人数): new codes are added, "
            "known ones updated. Any fault refuses the whole file: 400 with each fault's `row` and `field` "
            "(the column) and nothing written. Like the page, it has no separate check: one request imports."
        ),
        tags=TAGS,
        request={"multipart/form-data": UnitsImportInput},
        responses=UnitsImportOut,
    )
    def post(self, request: Request) -> Response:
        root = scope_root_or_404(request.user)
        if not can(request.user, Do.RESTRUCTURE, root):
            raise PermissionDenied
        upload = cleaned(bound(ImportForm, request))["file"]
        plan = read_units_file(upload, upload.name, root)
        summary = actions.import_organisations(request.user, plan, scope=root, filename=upload.name)
        return Response(UnitsImportOut({"file": upload.name, **summary.__dict__}).data)


class UnitHistory(ListAPIView):
    serializer_class = UnitEventOut
    queryset = Event.objects.none()  # for the schema; get_queryset says which

    @extend_schema(
        operation_id="unit_history",
        summary="What happened to a unit, newest first (as its page lists it)",
        tags=TAGS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Event]:
        unit = unit_of(self.request.user, self.kwargs["code"])
        return Event.objects.filter(organisation=unit).select_related("actor").order_by("-at", "-id")
