"""Picking a unit by part of its name or its code: the matching units of the user's subtree, and the
suggestions the unit picker (kaohe.forms.UnitChoiceField) shows as the person types.

Which units a person may pick from is kaohe.access's decision: the suggestions are always a part of
`visible_organisations`, so that a unit outside one's system is never suggested, as it is never found.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from kaohe import limits
from kaohe.access import visible_organisations
from kaohe.organisations.models import TIER_OF_CATEGORY, Organisation, Tier

# Enough to find a unit among those whose names share a word (城关…), few enough to read on a phone.
SUGGESTIONS_SHOWN = 10
# No unit's name is longer (Organisation.name), nor any code: a longer text matches nothing.
LONGEST_TEXT = Organisation._meta.get_field("name").max_length or 100
# The id of the input the suggestions are for, as the picker sends it: it names the list's elements.
PICKER_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")

# District federations first, then secondary unions, directly affiliated and grassroots unions.
TIER_ORDER = Case(
    *(When(category=category, then=Value(list(Tier).index(tier))) for category, tier in TIER_OF_CATEGORY.items()),
    output_field=IntegerField(),
)


def searchable(text: str) -> str:
    """The text to look for, or "" when no unit can hold it (too long, or characters no name has)."""
    text = text.strip()
    if len(text) > LONGEST_TEXT or limits.character_fault(text):
        return ""
    return text


def matching_units(units: QuerySet[Organisation], text: str, limit: int) -> list[Organisation]:
    """The units whose name or code contains the text, in one query: exact codes and names first, then
    active before deactivated, by tier and code. The subtree narrows by the path's index; within it a
    district's few thousand names are scanned."""
    exactly = Case(
        When(code=text, then=Value(0)),
        When(code__iexact=text, then=Value(1)),
        When(name=text, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    found = units.filter(Q(name__icontains=text) | Q(code__icontains=text))
    return list(found.order_by(exactly, "-is_active", TIER_ORDER, "code")[:limit])


def the_one_meant(text: str, found: list[Organisation]) -> Organisation | None:
    """The unit a person means by the text among those matching it: the one with that code, else the one
    code in other letter case, else the one of that exact name, else the only match; None if several."""
    for meant in (
        [unit for unit in found if unit.code == text],
        [unit for unit in found if unit.code.casefold() == text.casefold()],
        [unit for unit in found if unit.name == text],
        found,
    ):
        if len(meant) == 1:
            return meant[0]
    return None


@login_required
@never_cache
def suggest(request: HttpRequest) -> HttpResponse:
    """The picker's list (htmx swaps it under the input): up to ten units of the user's subtree whose name
    or code contains ?q=, or, from a form, the text of the field that `field` names. Junk is answered
    with an empty list, never an error."""
    asked = request.GET.get("q", request.GET.get(request.GET.get("field", "q"), ""))
    text = searchable(asked)
    picker = request.GET.get("for", "")
    found = matching_units(visible_organisations(request.user), text, SUGGESTIONS_SHOWN + 1) if text else []
    context = {
        "units": found[:SUGGESTIONS_SHOWN],
        "more": len(found) > SUGGESTIONS_SHOWN,
        "asked": text,
        "junk": bool(asked.strip()) and not text,  # said without echoing it: it may hold control characters
        "picker": picker if PICKER_ID.match(picker) else "",
    }
    return render(request, "organisations/unit_suggestions.html", context)
