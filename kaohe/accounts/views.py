"""Password change, and the people pages where managers look after the accounts of their system.

Who manages whose account is decided in kaohe.access; every change goes through accounts/actions.py.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.access import (
    can_manage_account,
    get_account,
    get_organisation,
    may_manage_accounts_at,
    may_manage_people,
    scope_root_or_404,
)
from kaohe.accounts import actions, queries
from kaohe.accounts.forms import AccountForm, NewAccountForm, PasswordForm, PeopleFilterForm, ResetPasswordForm
from kaohe.accounts.models import Role, User
from kaohe.forms import posted, saved_or_form_error
from kaohe.history.actions import record_event
from kaohe.history.models import Action
from kaohe.organisations.models import Organisation
from kaohe.versions import saved_or_current_shown

PER_PAGE = 50


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


def _manager_root(request: HttpRequest) -> Organisation:
    """The signed-in manager's unit; those who manage nobody (assessors, grassroots cadres) get a 403."""
    root = scope_root_or_404(request.user)
    if not may_manage_people(request.user):
        raise PermissionDenied
    return root


def _people_of(account: User) -> str:
    """The list filtered to the account's unit: where the manager sees what they just saved."""
    unit = account.organisation.code if account.organisation else ""
    return f"{reverse('people')}?{urlencode({'unit': unit})}"


@login_required
def people(request: HttpRequest) -> HttpResponse:
    root = _manager_root(request)
    form = PeopleFilterForm(PeopleFilterForm.data_for(request, root))
    page, rows, unit = None, [], None
    if form.is_valid():
        # A unit outside the manager's system is a 404, as on every page.
        unit = get_organisation(request.user, form.cleaned_data["unit"].strip() or root.code)
        accounts = queries.filtered_accounts(unit, subtree=form.cleaned_data["subtree"], text=form.cleaned_data["q"])
        page = Paginator(accounts, PER_PAGE).get_page(request.GET.get("page"))
        rows = [(account, can_manage_account(request.user, account)) for account in page.object_list]
    context = {"form": form, "unit": unit, "page": page, "rows": rows}
    return render(request, "accounts/people_list.html", context)


def _starting_unit(request: HttpRequest, root: Organisation) -> str:
    """The unit the list showed, unless it is a cadre's own unit: its accounts are managed from above."""
    code = request.GET.get("unit") or root.code
    return "" if code == root.code and not may_manage_accounts_at(request.user, root) else code


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    root = _manager_root(request)
    # Most accounts are cadres', for the unit the list was filtered to: the form starts there.
    initial = {"role": Role.CADRE, "unit": _starting_unit(request, root)}
    form = NewAccountForm(posted(request), manager=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = saved_or_form_error(
            form,
            lambda: actions.create_account(
                request.user,
                username=data["username"],
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
                password=data["password1"],
            ),
        )
        if account is not None:
            messages.success(
                request,
                _("The account %(username)s was created. Give %(name)s the initial password to change at first login.")
                % {"username": account.username, "name": account.get_full_name()},
            )
            return redirect(_people_of(account))
    return render(request, "accounts/people_form.html", {"form": form, "account": None})


@login_required
def person_edit(request: HttpRequest, username: str) -> HttpResponse:
    account = get_account(request.user, username)
    form = AccountForm(posted(request), manager=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = saved_or_current_shown(
            form,
            lambda: actions.update_account(
                request.user,
                account,
                full_name=data["full_name"],
                role=data["role"],
                unit=data["unit"],
                read_version=form.read_version,
            ),
        )
        if saved is not None:
            messages.success(request, _("The account %(username)s was saved.") % {"username": saved.username})
            return redirect(_people_of(saved))
    return render(request, "accounts/people_form.html", {"form": form, "account": account})


@login_required
@require_POST
def person_set_active(request: HttpRequest, username: str, active: bool) -> HttpResponse:
    account = get_account(request.user, username)
    try:
        actions.set_account_active(request.user, account, active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(request, _("%(username)s may log in again.") % {"username": account.username})
        else:
            messages.success(request, _("%(username)s can no longer log in.") % {"username": account.username})
    return redirect("people_edit", username=account.username)


@login_required
def person_password(request: HttpRequest, username: str) -> HttpResponse:
    account = get_account(request.user, username)
    form = ResetPasswordForm(account, posted(request))
    if request.method == "POST" and form.is_valid():
        actions.reset_password(request.user, account, form.cleaned_data["new_password1"])
        messages.success(
            request,
            _("The password of %(username)s was reset. Give them the new one to change after logging in.")
            % {"username": account.username},
        )
        return redirect("people_edit", username=account.username)
    return render(request, "accounts/people_password.html", {"form": form, "account": account})
