"""The home page: what is mine to do (待办), most urgent first, and the way to my unit's own pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaohe.assessments import todo


@login_required
def home(request: HttpRequest) -> HttpResponse:
    mine = todo.todo_of(request.user)
    context = {"todo": mine, "open_cycle_url": todo.open_cycle_url()}
    return render(request, "assessments/todo/home.html", context)
