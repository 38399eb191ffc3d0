"""`kaohe setup`: starts a real federation on an empty database, without the demo.

It makes the district federation (区总工会) and its first district administrator, then says how to bring in
the units and their accounts. Every value is checked by the same rules as the pages' forms: a code as on the
unit form, a username, full name and password as on the new-account form. Options give the values for a
script; whatever is missing is asked for in a terminal, and asked again until it is right.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kaohe.accounts.forms import NewAccountForm
from kaohe.accounts.models import User
from kaohe.forms import StyledFormMixin
from kaohe.organisations import actions
from kaohe.organisations.models import CODE_MAX_LENGTH, Organisation
from kaohe.standard.files import SHIPPED

PASSWORD_ENVIRONMENT_VARIABLE = "KAOHE_ADMIN_PASSWORD"  # noqa: S105 (the variable's name, not a password)
# The options, in the order they are asked for, and the form field each fills.
ASKED = (("code", "code"), ("name", "name"), ("admin_username", "username"), ("admin_name", "full_name"))


class SetupForm(SetPasswordMixin, StyledFormMixin, forms.Form):
    """The district's code and name as the unit form takes them, its administrator as the new-account form
    does (the fields are those forms' own, so that the limits cannot drift apart)."""

    code = forms.CharField(
        label=gettext_lazy("District federation's code"),
        max_length=CODE_MAX_LENGTH,
        validators=Organisation._meta.get_field("code").validators,
        help_text=Organisation._meta.get_field("code").help_text,
    )
    name = forms.CharField(
        label=gettext_lazy("District federation's name"),
        max_length=Organisation._meta.get_field("name").max_length,
    )
    username = NewAccountForm.base_fields["username"]
    full_name = NewAccountForm.base_fields["full_name"]
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=gettext_lazy("Password"), label2=gettext_lazy("Password again")
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.validate_passwords()
        # As on the new-account form: "zhangwei2026" is refused for 张伟's account zhangwei.
        self.validate_password_for_user(
            User(username=cleaned.get("username", ""), first_name=cleaned.get("full_name", ""))
        )
        return cleaned


class Command(BaseCommand):
    help = (
        "Starts kaohe for real on an empty database: the district federation and its first district "
        "administrator. Asks for what the options do not give."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", help="the district federation's unit code, e.g. FS")
        parser.add_argument("--name", help="the district federation's name, e.g. 房山区总工会")
        parser.add_argument("--admin-username", help="the first district administrator's login")
        parser.add_argument("--admin-name", help="the first district administrator's full name")
        parser.add_argument(
            "--password-file",
            type=Path,
            help=f"a file whose first line is the administrator's password (or set {PASSWORD_ENVIRONMENT_VARIABLE})",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="ask nothing: every value must come from the options",
        )

    def handle(self, *args: Any, interactive: bool, password_file: Path | None, **options: Any) -> None:
        _refuse_if_set_up()
        values = {field: (options.get(option) or "").strip() for option, field in ASKED}
        password = _given_password(password_file)
        if password:
            values["password1"] = values["password2"] = password
        form = self._checked(values, interactive)
        data = form.cleaned_data
        try:
            district, administrator = actions.set_up_district(
                code=data["code"],
                name=data["name"],
                admin_username=data["username"],
                admin_full_name=data["full_name"],
                admin_password=data["password1"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(self.style.SUCCESS(_created_message(district, administrator)))
        self.stdout.write(_next_steps(district))

    def _checked(self, values: dict[str, str], interactive: bool) -> SetupForm:
        """The values checked; in a terminal, what is missing or wrong is asked for until it is right."""
        while True:
            missing = [field for field in SetupForm.base_fields if not values.get(field)]
            if missing and not interactive:
                raise CommandError(_missing_message(missing))
            for field in missing:
                self._ask(values, field)
            form = SetupForm(values)
            if form.is_valid():
                return form
            faults = _faults(form)
            if not interactive:
                raise CommandError("\n".join(faults))
            for fault in faults:
                self.stderr.write(fault)
            for field in form.errors:
                for wrong in _asked_again(field):
                    values.pop(wrong, None)

    def _ask(self, values: dict[str, str], field: str) -> None:
        """Asks until the answer passes the field's own checks (a password's are those of the whole form)."""
        checked = SetupForm().fields[field]
        label = capfirst(checked.label or field)
        prompt = f"{label} ({hint}): " if (hint := _hint(field)) else f"{label}: "
        while True:
            try:
                answer = ask_password(prompt) if field.startswith("password") else ask(prompt).strip()
            except (EOFError, KeyboardInterrupt):
                raise CommandError(_("Nothing was set up.")) from None
            try:
                checked.clean(answer)
            except ValidationError as error:
                for message in error.messages:
                    self.stderr.write(f"{label}: {message}")
                continue
            values[field] = answer
            return


def _hint(field: str) -> str:
    """The field's help: "Enter a valid value" says little on a terminal. Not the passwords' (HTML for pages)."""
    if field not in SetupForm.base_fields or field.startswith("password"):
        return ""
    return str(SetupForm.base_fields[field].help_text)


def _asked_again(field: str) -> tuple[str, ...]:
    """A password refused (too short, too like the name, typed differently twice) is asked for again whole."""
    return ("password1", "password2") if field.startswith("password") or field == "__all__" else (field,)


def ask(prompt: str) -> str:
    return input(prompt)


def ask_password(prompt: str) -> str:
    return getpass.getpass(prompt)


def _refuse_if_set_up() -> None:
    """Before any question: nobody should type in a federation only to hear it cannot be made."""
    try:
        actions.check_no_district()
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from None


def _given_password(password_file: Path | None) -> str:
    if password_file is None:
        return os.environ.get(PASSWORD_ENVIRONMENT_VARIABLE, "")
    try:
        lines = password_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            _("The password file %(file)s cannot be read: %(error)s") % {"file": password_file, "error": error}
        ) from None
    if not lines or not lines[0]:
        raise CommandError(_("The password file %(file)s is empty.") % {"file": password_file})
    return lines[0]


def _missing_message(missing: list[str]) -> str:
    options = {"code": "--code", "name": "--name", "username": "--admin-username", "full_name": "--admin-name"}
    named = [options[field] for field in missing if field in options]
    if any(field.startswith("password") for field in missing):
        named.append(f"--password-file / {PASSWORD_ENVIRONMENT_VARIABLE}")
    return _("Without questions (--no-input) these must be given: %(options)s.") % {"options": ", ".join(named)}


def _faults(form: SetupForm) -> list[str]:
    faults = []
    for field, errors in form.errors.items():
        label = capfirst(form.fields[field].label) if field in form.fields else ""
        hint = f" ({_hint(field)})" if _hint(field) else ""
        faults += [f"{label}: {message}{hint}" if label else str(message) for message in errors]
    return faults


def _created_message(district: Organisation, administrator: User) -> str:
    return _("%(unit)s is set up; its district administrator %(username)s (%(name)s) may log in.") % {
        "unit": district,
        "username": administrator.username,
        "name": administrator.get_full_name(),
    }


def _next_steps(district: Organisation) -> str:
    return _(
        "Next:\n"
        "1. Import the units: log in as the administrator and open the units import page, %(import_page)s, "
        "which also gives the empty template; or, on this server, run `kaohe import_orgs FILE` with an .xlsx "
        "or .csv file. Its columns are 单位编码, 单位名称, 上级单位编码, 单位类别, 会员人数; secondary unions and "
        "directly affiliated units have %(code)s as their 上级单位编码, and a row for %(code)s itself sets "
        "the federation's member count.\n"
        "2. Give the units their accounts on the People page, %(people_page)s: one by one, or all at once from "
        "an accounts file.\n"
        "3. Load the assessment standard, unless it is loaded already: `kaohe load_standard %(standard)s`, "
        "or a revised one on the standard's import page."
    ) % {
        "standard": SHIPPED / "fangshan-2026-trial.yaml",
        "import_page": reverse("organisations:import"),
        "people_page": reverse("people"),
        "code": district.code,
    }
