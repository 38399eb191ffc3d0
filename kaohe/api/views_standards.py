"""Standards, read only (kaohe/standard/views.py): every loaded version, and one version's document as stored.
A standard is the whole federation's, so every key reads them all; of the cycles using a version, each key
sees those of its own district (another district's cycles do not exist for it)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe.access import visible_cycles
from kaohe.api.serializers_units import StandardDetailOut, StandardOut
from kaohe.assessments.models import Cycle
from kaohe.limits import LARGEST_STORED_INTEGER
from kaohe.standard.models import Standard

TAGS = ["standards"]


def standards_seen(user: Any) -> QuerySet[Standard]:
    """Every version, whether a cycle uses it (locked), and the user's district's cycles using it: two queries."""
    cycles = visible_cycles(user, Cycle.objects.order_by("-year", "name")).only("year", "name", "standard_id")
    return Standard.objects.annotate(locked=Exists(Cycle.objects.filter(standard=OuterRef("pk")))).prefetch_related(
        Prefetch("cycles", queryset=cycles, to_attr="cycles_seen")
    )


class Standards(ListAPIView):
    serializer_class = StandardOut
    queryset = Standard.objects.none()  # for the schema; get_queryset says which

    @extend_schema(
        operation_id="standards_list",
        summary="Every loaded version of the standards, by identifier, newest version first",
        tags=TAGS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Standard]:
        return standards_seen(self.request.user).defer("document")  # large, and the list shows none


class StandardVersion(APIView):
    @extend_schema(
        operation_id="standard_read",
        summary="One version of a standard: categories, items, each tier's requirements and the rules",
        tags=TAGS,
        responses=StandardDetailOut,
    )
    def get(self, request: Request, slug: str, version: int) -> Response:
        if version > LARGEST_STORED_INTEGER:  # no version is larger; PostgreSQL would refuse to compare
            raise Http404
        standard = get_object_or_404(standards_seen(request.user), slug=slug, version=version)
        return Response(StandardDetailOut(standard).data)
