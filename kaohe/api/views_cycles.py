"""A district's yearly cycles through the API: the list, opening a year, its progress and its assessments,
giving units to assessors, publishing. Each endpoint does what its page in kaohe/assessments/views_cycle.py
does: the same access call (a cycle is its district's, else 404; running it is its administrators', else
403), the same form, the same action function, answered as JSON.

Also the round's helpers for reading a request with a page's form, shared with views_assessments.py.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kaohe import access, limits
from kaohe.api.inputs import form_data, form_errors
from kaohe.api.serializers_assessments import (
    AssignInput,
    AssignOut,
    CycleDetailOut,
    CycleOut,
    OpenCycleInput,
    ProgressFilter,
    ProgressRowOut,
    PublishOut,
)
from kaohe.assessments import actions
from kaohe.assessments import queries_cycle as queries
from kaohe.assessments import views_cycle as pages
from kaohe.assessments.forms_cycle import MAX_UNITS_CHOSEN, AssignForm, OpenCycleForm, ProgressFilterForm
from kaohe.assessments.models import Assessment, Cycle, Status
from kaohe.organisations.models import Organisation, is_code
from kaohe.versions import UNVERSIONED, StaleEdit

Form = TypeVar("Form", bound=forms.BaseForm)

# A cycle's year is a PositiveSmallIntegerField: any other number is no cycle's, found without a query (and
# without asking PostgreSQL to compare a smallint with 10**12).
YEARS = range(0, 32768)
STATUS_LABELS = dict(Status.choices)
MAX_USERNAME_LENGTH = 150


# Reading a request with a page's form ---------------------------------------------------------------------


def page_form(form_class: type[Form], given: Any, *args: Any, **kwargs: Any) -> Form:
    """The page's form bound to what the program sent (a JSON object, a form, the query), its fields named
    plainly: a page prefixes them ("self-self_score") only to keep several forms apart on one page."""
    form = form_class(form_data(given), *args, **kwargs)
    form.prefix = None
    return form


def as_sent(shown: forms.BaseForm, given: Any) -> Any:
    """What a browser sends from the form as the page shows it (`shown`, unbound) with the program's changes:
    a field left out keeps its value (a PATCH), null empties it. The version is never filled in for them."""
    if not isinstance(given, Mapping):
        return given  # form_data refuses it
    values = {name: _as_sent(shown[name].value()) for name, field in shown.fields.items() if _filled_in(name, field)}
    if isinstance(given, MultiValueDict):
        merged: MultiValueDict[str, Any] = MultiValueDict({key: list(given.getlist(key)) for key in given})
        for name, value in values.items():
            if name not in merged:
                merged[name] = str(value)
        return merged
    return {**values, **{name: "" if value is None else value for name, value in given.items()}}


def _filled_in(name: str, field: forms.Field) -> bool:
    return name != "version" and not isinstance(field, forms.FileField | forms.BooleanField)


def _as_sent(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value if isinstance(value, str | int | float) else str(value)


def read(form: forms.BaseForm, renamed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The form's cleaned data, or a 400 naming each field at fault. A form sent without its version is
    refused as the page refuses it, under `version`: the field the program must send."""
    if form.is_valid():
        return form.cleaned_data
    errors = {(renamed or {}).get(name, name): messages for name, messages in form_errors(form).items()}
    general = errors.get("non_field_errors", [])
    if str(UNVERSIONED) in general:
        general.remove(str(UNVERSIONED))
        errors = {"version": [str(UNVERSIONED)], **{name: faults for name, faults in errors.items() if faults}}
    raise serializers.ValidationError(errors)


def refusals_on(field: str, act: Any) -> Any:
    """What the action returns; its refusal of the whole request named as `field`, where the page shows it
    (kaohe.forms.saved_or_form_error's `refusals_on`). A stale version stays a 409."""
    try:
        return act()
    except ValidationError as error:
        if hasattr(error, "error_dict") or isinstance(error, StaleEdit):
            raise
        raise ValidationError({field: error.messages}) from None


# What the answers hold ------------------------------------------------------------------------------------


def unit_ref(unit: Organisation) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name, "tier": str(unit.tier)}


def person(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name() or user.get_username()}


def cycle_or_404(user: Any, year: int) -> Cycle:
    """The page's cycle_or_404: the year's cycle of the user's district."""
    if year not in YEARS:
        raise Http404
    return access.get_cycle(user, pages.cycles_of(user), year)


def cycle_body(cycle: Cycle, by_status: Counter[str] | None) -> dict[str, Any]:
    row = pages.cycle_row(cycle, by_status)
    standard = cycle.standard
    return {
        "year": cycle.year,
        "name": cycle.name,
        "district": unit_ref(cycle.district) if cycle.district else None,
        "standard": {"id": standard.pk, "slug": standard.slug, "version": standard.version, "title": standard.title},
        "self_deadline": cycle.self_deadline,
        "review_deadline": cycle.review_deadline,
        "bands": [{"grade": grade, "lowest": float(Decimal(str(lowest)))} for grade, lowest in cycle.bands],
        "opened_at": cycle.opened_at,
        "published_at": cycle.published_at,
        "imported": cycle.imported,
        "state": row.state.key,
        "state_label": row.state.label,
        "counts": {
            "units": row.units,
            "with_units": row.with_units,
            "submitted": row.submitted,
            "reviewed": row.reviewed,
            "published": row.published,
        },
        "version": cycle.version,
    }


def cycle_detail(user: Any, cycle: Cycle) -> dict[str, Any]:
    """The cycle with the progress page's counts of what the user sees, per state and tier, and who is late."""
    counts = queries.state_counts(access.visible_assessments_of(user, cycle))
    late = queries.overdue(cycle, counts, timezone.localdate())
    body = cycle_body(cycle, counts.by_status)
    body["progress"] = {
        "total": counts.total,
        "by_status": [{"status": key, "label": label, "count": count} for key, label, count in counts.statuses],
        "tiers": [
            {
                "tier": row.tier,
                "label": row.label,
                "total": row.total,
                "by_status": [
                    {"status": key, "label": str(STATUS_LABELS[key]), "count": count} for key, count in row.by_status
                ],
            }
            for row in counts.tiers
        ],
        "overdue": {"self_count": late.self_count, "review_count": late.review_count},
    }
    body["rights"] = {"may_run": pages.may_run(user, cycle), "may_review": access.may_review_some(user)}
    return body


# The list of cycles, opening a year -----------------------------------------------------------------------


class Cycles(GenericAPIView):  # type: ignore[type-arg]
    @extend_schema(
        operation_id="cycles_list",
        summary="The cycles of one's district",
        description="Each with the counts of the assessments the key's person sees, newest year first.",
        tags=["cycles"],
        responses=CycleOut(many=True),
    )
    def get(self, request: Request) -> Response:
        cycles: list[Cycle] = self.paginate_queryset(pages.cycles_of(request.user)) or []
        seen = access.visible_assessments(request.user, Assessment.objects.filter(cycle__in=[c.pk for c in cycles]))
        counts = queries.counts_by_cycle(seen)
        rows = [cycle_body(cycle, counts.get(cycle.pk)) for cycle in cycles]
        return self.get_paginated_response(CycleOut(rows, many=True).data)

    @extend_schema(
        operation_id="cycles_open",
        summary="Open a year",
        description=(
            "The open page's form (only a district's administrators): every active unit gets its assessment. "
            "A field left out takes the value the page offers: the first year without a cycle, the default "
            "version of the standard, no deadlines, READING.md's grade bands."
        ),
        tags=["cycles"],
        request=OpenCycleInput,
        responses={201: CycleDetailOut},
    )
    def post(self, request: Request) -> Response:
        district = pages.district_run_by(request.user)
        defaults = pages.opening_defaults(district)
        form = page_form(OpenCycleForm, as_sent(OpenCycleForm(initial=defaults), request.data), initial=defaults)
        data = read(form)
        cycle = actions.open_cycle(
            request.user,
            district,
            data["year"],
            data["standard"],
            self_deadline=data["self_deadline"],
            review_deadline=data["review_deadline"],
            bands=form.bands(),
        )
        return Response(CycleDetailOut(cycle_detail(request.user, cycle)).data, status=status.HTTP_201_CREATED)


# One cycle: its progress, its assessments -----------------------------------------------------------------


class CycleDetail(APIView):
    @extend_schema(
        operation_id="cycle",
        summary="A cycle and its progress",
        description="The progress page's counts: per state and tier, and who is overdue today.",
        tags=["cycles"],
        responses=CycleDetailOut,
    )
    def get(self, request: Request, year: int) -> Response:
        cycle = cycle_or_404(request.user, year)
        return Response(CycleDetailOut(cycle_detail(request.user, cycle)).data)


class ProgressFilterProgram(ProgressFilterForm):
    """The progress page's filter, and the assessor given the units (the assignment page's column)."""

    reviewer = forms.CharField(required=False, max_length=MAX_USERNAME_LENGTH)


class CycleAssessments(GenericAPIView):  # type: ignore[type-arg]
    @extend_schema(
        operation_id="cycle_assessments",
        summary="The cycle's assessments one sees",
        description=(
            "The progress page's list, by the units' place in the tree: filtered by state, tier, system (a "
            "secondary union's code, for those who see several), overdue, part of a name or code, and the "
            "assessor given the unit. A final total is given only to those who see the unit's final scores."
        ),
        tags=["cycles"],
        parameters=[ProgressFilter],
        responses=ProgressRowOut(many=True),
    )
    def get(self, request: Request, year: int) -> Response:
        user, cycle, today = request.user, cycle_or_404(request.user, year), timezone.localdate()
        seen = access.visible_assessments_of(user, cycle)
        systems = pages.systems_to_filter_by(user, seen)
        choices = read(page_form(ProgressFilterProgram, request.query_params, systems=systems))
        listed = queries.filtered(seen, cycle, choices, systems, today)
        if choices["reviewer"]:
            listed = listed.filter(reviewer__username=choices["reviewer"])
        ids: list[int] = (
            self.paginate_queryset(listed.order_by("organisation__path").values_list("pk", flat=True)) or []
        )
        totals = queries.totals_of(ids)
        rows = [
            progress_row(user, cycle, assessment, totals.get(assessment.pk), today)
            for assessment in pages.in_order(pages.with_people(listed), list(ids))
        ]
        return self.get_paginated_response(ProgressRowOut(rows, many=True).data)


def progress_row(
    user: Any, cycle: Cycle, assessment: Assessment, totals: queries.Totals | None, today: datetime.date
) -> dict[str, Any]:
    unit = assessment.organisation
    return {
        "code": unit.code,
        "name": unit.name,
        "tier": assessment.tier,
        "tier_label": queries.tier_label(assessment.tier),
        "status": assessment.status,
        "status_label": assessment.get_status_display(),
        "overdue": queries.is_overdue(cycle, assessment, today),
        "self_total": totals.self_total if totals else None,
        "final_total": queries.final_total(assessment, totals),
        "grade": assessment.grade,
        "reviewer": queries.reviewer_of(assessment),
        "submitted_at": assessment.submitted_at,
        "version": assessment.version,
        # The progress page shows every row's final total; the unit's own page hides it until publication.
        "sees_final": access.can_see_final_scores(user, assessment),
    }


# Giving units to assessors, publishing --------------------------------------------------------------------


class CycleAssign(APIView):
    @extend_schema(
        operation_id="cycle_assign",
        summary="Give units to an assessor",
        description=(
            "The assignment page (only a district's administrators): the units named, each one the district's "
            "assessors review, go to the assessor named, or back to every assessor (null)."
        ),
        tags=["cycles"],
        request=AssignInput,
        responses=AssignOut,
    )
    def post(self, request: Request, year: int) -> Response:
        cycle = cycle_or_404(request.user, year)
        pages.refuse_unless_running(request.user, cycle)
        assessors = pages.assessors_of(pages.district_of(cycle))
        units = cycle.assessments.filter(tier__in=access.REVIEWED_BY_THE_DISTRICT)
        username, codes = assignment_asked(request.data)
        ids = units_named(units, codes)
        sent = MultiValueDict({"assessor": [assessor_id(assessors, username)], "units": [str(ids[c]) for c in codes]})
        form = page_form(AssignForm, sent, assessors=assessors)
        assessor = read(form, renamed={"non_field_errors": "units"})["assessor"]
        chosen = list(units.filter(pk__in=form.chosen_ids()))
        changed = actions.assign_reviewer(request.user, chosen, assessor)
        return Response(AssignOut({"changed": changed, "assessor": person(assessor), "units": codes}).data)


def assignment_asked(given: Any) -> tuple[str, list[str]]:
    """The assessor's username ("" for every assessor) and the units' codes, from a JSON object or a form."""
    if isinstance(given, MultiValueDict):
        return str(given.get("assessor") or ""), [str(code) for code in given.getlist("units")]
    if not isinstance(given, Mapping):
        form_data(given)  # refuses it
    assessor, units = given.get("assessor"), given.get("units")
    codes = units if isinstance(units, list) else [] if units is None else [units]
    for field, values in (("assessor", [assessor] if assessor is not None else []), ("units", codes)):
        if any(isinstance(value, bool) or not isinstance(value, str | int) for value in values):
            raise serializers.ValidationError({field: [_("Send one value, not a list or an object.")]})
    return str(assessor or ""), [str(code) for code in codes]


def units_named(units: Any, codes: list[str]) -> dict[str, int]:
    """Code → assessment id of the units named, each one the district's assessors review (else a 400)."""
    if len(codes) > MAX_UNITS_CHOSEN:
        raise serializers.ValidationError(
            {"units": [_("Choose at most %(max)s units at a time.") % {"max": MAX_UNITS_CHOSEN}]}
        )
    wanted = [code for code in codes if is_code(code)]
    ids = dict(units.filter(organisation__code__in=wanted).values_list("organisation__code", "pk"))
    unknown = [code for code in codes if code not in ids]
    if unknown:
        message = _("The district's assessors do not review %(code)s in this cycle.") % {"code": unknown[0][:40]}
        raise serializers.ValidationError({"units": [message]})
    return ids


def assessor_id(assessors: Any, username: str) -> str:
    """The form's value for the assessor: their id ("" for every assessor), or a 400 as the form's own."""
    if not username:
        return ""
    found = None
    if len(username) <= MAX_USERNAME_LENGTH and not limits.character_fault(username):
        found = assessors.filter(username=username).values_list("pk", flat=True).first()
    if found is None:
        raise serializers.ValidationError(
            {"assessor": [AssignForm.base_fields["assessor"].error_messages["invalid_choice"]]}
        )
    return str(found)


class CyclePublish(APIView):
    @extend_schema(
        operation_id="cycle_publish",
        summary="Publish the cycle",
        description=(
            "Totals and grades fixed and every reviewed assessment locked (only a district's administrators); "
            "refused while any assessment is not reviewed. Also publishes one reopened and reviewed again."
        ),
        tags=["cycles"],
        request=None,
        responses=PublishOut,
    )
    def post(self, request: Request, year: int) -> Response:
        cycle = cycle_or_404(request.user, year)
        pages.refuse_unless_running(request.user, cycle)
        published = actions.publish_cycle(request.user, cycle)
        cycle = cycle_or_404(request.user, year)  # published now: its date and version as stored
        return Response(PublishOut({"published": published, "cycle": cycle_detail(request.user, cycle)}).data)
