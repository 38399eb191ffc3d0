"""Password change, and the people pages where managers look after the accounts of their system.

Who manages whose account is decided in kaohe.access; every change goes through accounts/actions.py.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kaohe.access import (
    assignable_roles,
    can_manage_account,
    get_account,
    get_organisation,
    may_manage_accounts_at,
    may_manage_people,
    scope_root_or_404,
)
from kaohe.accounts import actions, queries, slips
from kaohe.accounts.forms import (
    AccountForm,
    AccountsFileForm,
    ApiTokenForm,
    NewAccountForm,
    PasswordForm,
    PeopleFilterForm,
    ResetPasswordForm,
)
from kaohe.accounts.importing import (
    CODE,
    COLUMNS,
    FILE_NAME_OF_ROLE,
    NAME,
    PHONE,
    ROLE,
    UNIT_NAME,
    USERNAME,
    is_code,
    read_accounts_file,
)
from kaohe.accounts.models import Role, User
from kaohe.forms import posted, saved_or_form_error
from kaohe.organisations.models import Organisation
from kaohe.spreadsheets import ImportRefused, RowError, export_response, write_xlsx
from kaohe.versions import saved_or_current_shown

PER_PAGE = 50
# The people page names the first of the units without an account; the template filled in with them has all.
UNITS_WITHOUT_ACCOUNT_SHOWN = 50
# As on the records import: a page of 1,000 faults is the most a browser shows well; the count is in full.
MAX_ERRORS_SHOWN = 1000


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordForm
    success_url = reverse_lazy("home")

    def form_valid(self, form: Any) -> HttpResponse:
        user = actions.change_own_password(form.user, form.cleaned_data["new_password1"])
        # The new password ends every other session of the person; this one stays logged in.
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("Your password was changed."))
        return redirect(self.get_success_url())


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
    form = PeopleFilterForm(PeopleFilterForm.data_for(request, root), user=request.user)
    page, rows, unit = None, [], None
    if form.is_valid():
        # One of the manager's subtree: a name or code that matches none is the form's error, said on the page.
        unit = form.cleaned_data["unit"] or root
        accounts = queries.filtered_accounts(unit, subtree=form.cleaned_data["subtree"], text=form.cleaned_data["q"])
        page = Paginator(accounts, PER_PAGE).get_page(request.GET.get("page"))
        rows = [(account, can_manage_account(request.user, account)) for account in page.object_list]
    context = {"form": form, "unit": unit, "page": page, "rows": rows, **_units_without_account(unit)}
    return render(request, "accounts/people_list.html", context)


def _units_without_account(unit: Organisation | None) -> dict[str, Any]:
    """The units under the one the list shows that nobody can log in for yet: two queries however many."""
    if unit is None:
        return {}
    missing = queries.units_without_active_account(unit)
    return {
        "units_without_account": list(missing[:UNITS_WITHOUT_ACCOUNT_SHOWN]),
        "units_without_account_count": missing.count(),
    }


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


# Importing accounts: who may is who manages people; which units and roles, kaohe.accounts.importing decides.


@never_cache  # the answer to an import holds initial passwords: no browser or proxy may keep a copy
@login_required
def people_import(request: HttpRequest) -> HttpResponse:
    root = _manager_root(request)
    form = AccountsFileForm(posted(request), request.FILES if request.method == "POST" else None)
    errors: list[RowError] = []
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = read_accounts_file(upload, upload.name, request.user)
            result = actions.import_accounts(request.user, plan, scope=root, filename=upload.name)
        except ImportRefused as refused:
            errors = refused.errors
        else:
            if result.issued:
                return _login_slips(request, result, upload.name)
            form = AccountsFileForm()  # every row had its account already: listed on the page below
    context = {
        "form": form,
        "errors": errors,
        "errors_shown": errors[:MAX_ERRORS_SHOWN],
        "result": result,
        "guide": _column_guide(request.user),
    }
    return render(request, "accounts/people_import.html", context)


def _login_slips(request: HttpRequest, result: actions.AccountsImported, filename: str) -> HttpResponse:
    """The one page that ever shows the initial passwords: slips to print, and the same as xlsx inside it."""
    login_url = request.build_absolute_uri(reverse("login"))
    workbook = slips.slips_xlsx(result.issued, login_url, filename)
    context = {
        "result": result,
        "filename": filename,
        "login_url": login_url,
        "xlsx_uri": slips.as_data_uri(workbook),
        "xlsx_name": slips.slips_filename(),
    }
    return render(request, "accounts/people_slips.html", context)


def _column_guide(manager: Any) -> list[tuple[str, bool, str]]:
    roles = "、".join(FILE_NAME_OF_ROLE[role] for role in assignable_roles(manager))
    return [
        (CODE, True, _("The code of a unit of your system whose accounts you look after.")),
        (NAME, True, _("The person's full name, at most 150 characters.")),
        (
            USERNAME,
            True,
            _("What the person logs in with: letters, digits and @ . + - _, at most 150 characters; one per person."),
        ),
        (ROLE, True, _("One of %(choices)s.") % {"choices": roles}),
        (PHONE, False, _("An 11-digit mobile number, or a landline such as 010-12345678.")),
    ]


@login_required
def people_import_template(request: HttpRequest) -> HttpResponse:
    _manager_root(request)
    # Headings only, in row 1: a sheet to fill in, not a report (imports find the headings either way).
    content = write_xlsx(_("Accounts"), COLUMNS, [])
    return export_response(content, f"{_('Accounts import template')}.xlsx", ascii_filename="accounts-template.xlsx")


@login_required
def people_import_template_for_units(request: HttpRequest) -> HttpResponse:
    """The template with a row for each unit without an active account, under the unit the list showed:
    the codes (and names, to help) filled in, as cadres; the person adds names and usernames."""
    root = _manager_root(request)
    code = request.GET.get("unit", "").strip() or root.code
    if not is_code(code):
        raise Http404  # never looked up: no unit has such a code, and a NUL would fail the query on PostgreSQL
    unit = get_organisation(request.user, code)
    units = queries.units_without_active_account(unit)
    rows = ((org.code, org.name, None, None, FILE_NAME_OF_ROLE[Role.CADRE], None) for org in units.iterator())
    headings = (CODE, UNIT_NAME, NAME, USERNAME, ROLE, PHONE)
    content = write_xlsx(_("Accounts"), headings, rows)
    name = f"{_('Accounts import template')}-{unit.code}.xlsx"
    return export_response(content, name, ascii_filename=f"accounts-template-{unit.code}.xlsx")


@login_required
@never_cache  # the response that shows a new key must not be kept by any cache
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own page: who they are in kaohe, and the keys their programs use for the API."""
    user = cast(User, request.user)  # login_required
    form = ApiTokenForm(posted(request))
    new_key = None
    if form.is_valid():
        created = saved_or_form_error(form, lambda: actions.create_api_token(user, form.cleaned_data["name"]))
        if created:
            new_key = created[1]
            form = ApiTokenForm()
    tokens = user.api_tokens.all()
    return render(request, "accounts/profile.html", {"form": form, "tokens": tokens, "new_key": new_key})


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    token = user.api_tokens.filter(pk=token_id).first()  # another person's key is not there at all
    if token is None:
        raise Http404
    actions.revoke_api_token(user, token)
    messages.success(
        request, _("The key “%(name)s” was revoked: programs using it are refused from now on.") % {"name": token.name}
    )
    return redirect("profile")
