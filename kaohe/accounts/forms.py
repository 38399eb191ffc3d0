from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm, SetPasswordMixin
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kaohe.access import assignable_roles, may_manage_accounts_at
from kaohe.accounts.actions import check_role_fits_unit, check_unit_active, check_username_free
from kaohe.accounts.models import User
from kaohe.forms import StyledFormMixin, UnitChoiceField, UnitFilterForm, offer_units_of
from kaohe.limits import FileSizeValidator, import_file_max_bytes
from kaohe.organisations.models import Organisation
from kaohe.versions import VersionedFormMixin


class LoginForm(StyledFormMixin, AuthenticationForm):
    pass


class PasswordForm(StyledFormMixin, PasswordChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # The old password is one somebody else may know (a slip, a manager's reset): keeping it changes nothing.
        old, new = cleaned.get("old_password"), cleaned.get("new_password1")
        if old and new and old == new and "new_password2" not in self.errors:
            self.add_error("new_password2", _("Choose a new password, not the one you have now."))
        return cleaned


class AccountsFileForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Accounts file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[FileSizeValidator(import_file_max_bytes)],
    )


class PeopleFilterForm(UnitFilterForm):
    """What the people list is narrowed to: a unit, and a username or name."""

    q = forms.CharField(label=_("Username or name"), max_length=150, required=False)


class AccountForm(VersionedFormMixin, StyledFormMixin, forms.Form):
    """Full name, role and unit, as a manager sets them: roles they may give, units of their system."""

    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=capfirst(_("role")))
    unit = UnitChoiceField(
        label=capfirst(_("unit")),
        help_text=_("District administrators and assessors belong to the district federation; cadres to any unit."),
    )

    def __init__(self, *args: Any, manager: Any, account: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, edited=account, **kwargs)
        self.manager = manager
        self.account = account
        offer_units_of(self, manager)
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [(role.value, role.label) for role in assignable_roles(manager)]
        if account is not None:
            self.initial.update(
                full_name=account.get_full_name(),
                role=account.role,
                unit=account.organisation.code if account.organisation else "",
            )

    def clean_unit(self) -> Organisation:
        unit: Organisation = self.cleaned_data["unit"]  # one of the manager's subtree (UnitChoiceField)
        if not may_manage_accounts_at(self.manager, unit):
            raise ValidationError(_("The accounts of %(unit)s are managed by the unit above it.") % {"unit": unit})
        if self.account is None or unit != self.account.organisation:
            check_unit_active(unit)  # an account may stay at its unit after the unit was deactivated
        return unit

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") and cleaned.get("unit"):
            try:
                check_role_fits_unit(cleaned["role"], cleaned["unit"])
            except ValidationError as error:
                self.add_error("role", error)
        return cleaned


class NewAccountForm(SetPasswordMixin, AccountForm):
    """A new account: its username and a first password, which the person changes after logging in."""

    username = forms.CharField(
        label=capfirst(_("username")),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("What the person logs in with; it cannot be changed later."),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("Initial password"), label2=_("Initial password again")
    )

    field_order = ["username", "full_name", "role", "unit", "password1", "password2"]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"].strip()
        check_username_free(username, self.manager)
        return username

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.validate_passwords()
        # Checked against the person's username and name too, so that "zhangwei2026" is refused for 张伟's
        # account zhangwei.
        self.validate_password_for_user(
            User(username=cleaned.get("username", ""), first_name=cleaned.get("full_name", ""))
        )
        return cleaned


class ResetPasswordForm(StyledFormMixin, SetPasswordForm):  # type: ignore[type-arg]
    """The new password, typed twice and checked against the account's own name by Django's validators."""


class ApiTokenForm(StyledFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name of the key"),
        max_length=100,
        help_text=_("What the program using it is, so that you know which key to revoke (例如：会员系统同步)."),
    )
