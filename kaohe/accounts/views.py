from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from kaohe.accounts.forms import PasswordForm
from kaohe.history.actions import record_event
from kaohe.history.models import Action


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordForm
    success_url = reverse_lazy("home")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        record_event(self.request.user, Action.PASSWORD_CHANGED, self.request.user.organisation)  # type: ignore[union-attr]
        messages.success(self.request, _("Your password was changed."))
        return response
