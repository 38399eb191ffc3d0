"""Who the key acts as: the first call of any script, to check its key and see its units."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class MeUnit(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tier = serializers.CharField()


class MeOut(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField()
    role = serializers.CharField(help_text="district_admin, assessor or cadre")
    unit = MeUnit(allow_null=True, help_text="The unit whose subtree the key sees and acts on.")
    key_name = serializers.CharField()


class Me(APIView):
    @extend_schema(operation_id="me", responses=MeOut, tags=["me"], summary="Who this key acts as")
    def get(self, request: Request) -> Response:
        user = request.user
        unit = user.organisation
        body = {
            "username": user.username,
            "full_name": user.get_full_name(),
            "role": user.role,
            "unit": {"code": unit.code, "name": unit.name, "tier": unit.tier} if unit else None,
            "key_name": request.auth.name,
        }
        return Response(MeOut(body).data)
