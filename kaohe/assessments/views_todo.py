"""The home page, where everyone starts: what is mine to do (待办), most urgent first, and my unit at a glance
(its figures, its records and, for a unit with units under it, its system)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from kaohe.assessments import landing, todo


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = todo.todo_of(request.user)
    context: dict[str, Any] = {"todo": mine, "open_cycle_url": todo.open_cycle_url()}
    found = landing.landing_of(request.user)
    if found is not None:
        context["landing"] = found
        context["figures_href"] = f"{reverse('figures:unit', args=[found.unit.code])}?year={found.year}"
        context.update(found.figures or {})  # figures/summary.html's context
    return render(request, "assessments/todo/home.html", context)
