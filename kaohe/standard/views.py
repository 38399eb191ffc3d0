from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kaohe.standard.models import Standard


@login_required
def standard_list(request: HttpRequest) -> HttpResponse:
    standards = Standard.objects.all()
    return render(request, "standard/list.html", {"standards": standards})
