"""Checking an accounts file (单位编码, 姓名, 登录名, 角色, 手机号) before any account is made.

`plan_accounts` reads every row, collects every fault of every row, and either refuses the whole file or
returns the accounts to make and the rows skipped because their account is there already.
`kaohe.accounts.actions.import_accounts` makes them, each with a generated initial password.

Whom the importer may give accounts is decided in kaohe.access, as on the people pages: units of their
system whose accounts they look after, and the roles they may give. A unit outside their system reads as a
unit that does not exist, and a username taken outside it as one that cannot be had: the file tells nobody
what other systems hold.

Importing a file again makes only the accounts that are new: a row whose username already has an account
at the same unit is skipped and listed, whatever else the row says (names and roles change on the account's
page, where the version check keeps two people from undoing each other's edits). A username that has an
account at another unit is a fault: the file most likely means someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kaohe import limits
from kaohe.access import assignable_roles, may_manage_accounts_at, scope_root_or_404, visible_organisations
from kaohe.accounts.actions import check_role_fits_unit, check_unit_active
from kaohe.accounts.models import PHONE_MAX_LENGTH, Role, User
from kaohe.accounts.queries import LOOKUP_BATCH_SIZE, existing_accounts
from kaohe.organisations.models import CODE_MAX_LENGTH, CODE_PATTERN, Organisation
from kaohe.spreadsheets import ImportRefused, RowError, clean_text, read_table

CODE = "单位编码"
NAME = "姓名"
USERNAME = "登录名"
ROLE = "角色"
PHONE = "手机号"
REQUIRED_COLUMNS = (CODE, NAME, USERNAME, ROLE)
COLUMNS = (*REQUIRED_COLUMNS, PHONE)
UNIT_NAME = "单位名称"  # in the template filled in with units: there to help, never read

# 角色 as written in files, the words the people pages show: part of the file format, so never translated.
ROLE_BY_FILE_NAME: dict[str, str] = {
    "区总工会管理员": Role.DISTRICT_ADMIN,
    "考核组成员": Role.ASSESSOR,
    "单位干部": Role.CADRE,
}
FILE_NAME_OF_ROLE: dict[str, str] = {role: name for name, role in ROLE_BY_FILE_NAME.items()}

USERNAME_MAX_LENGTH = User._meta.get_field("username").max_length or 150
NAME_MAX_LENGTH = User._meta.get_field("first_name").max_length or 150
# A mainland mobile number (spaces and hyphens allowed between its digits, +86 before it), or a landline
# with its area code and perhaps an extension: 010-12345678, 0571-8765432-123.
MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(?:-\d{1,6})?")

Rows = list[tuple[int, dict[str, Any]]]


@dataclass(frozen=True)
class PlannedAccount:
    row: int
    unit: Organisation
    full_name: str
    username: str
    role: str
    phone: str


@dataclass(frozen=True)
class SkippedRow:
    """A row whose username has its account at the row's unit already: nothing is made or changed."""

    row: int
    username: str
    account: User

    @property
    def reason(self) -> str:
        if not self.account.is_active:
            return _("%(username)s has an account here already, deactivated: reactivate it on its page.") % {
                "username": self.username
            }
        return _("%(username)s has an account here already; it was left as it is.") % {"username": self.username}


@dataclass(frozen=True)
class AccountsPlan:
    accounts: list[PlannedAccount]
    skipped: list[SkippedRow]


def plan_accounts(rows: Rows, importer: Any) -> AccountsPlan:
    """Every fault of every row, or the accounts to make: the importer's rights decide units and roles."""
    if len(rows) > limits.ACCOUNTS_FILE_MAX_ROWS:
        row = rows[limits.ACCOUNTS_FILE_MAX_ROWS][0]
        message = _("A file may hold at most %(max)s accounts; import the rest in another file.")
        raise ImportRefused([RowError(row, "", message % {"max": f"{limits.ACCOUNTS_FILE_MAX_ROWS:,}"})])
    errors: list[RowError] = []
    units = _units_named(rows, importer)
    parsed = [account for number, row in rows if (account := _parse_row(number, row, importer, units, errors))]
    parsed = _without_repeated_usernames(parsed, errors)
    accounts, skipped = _against_existing_accounts(parsed, importer, errors)
    if errors:
        raise ImportRefused(sorted(errors, key=_reading_order))
    return AccountsPlan(accounts=accounts, skipped=skipped)


def _reading_order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1


def _units_named(rows: Rows, importer: Any) -> dict[str, Organisation]:
    """The units of the importer's system that the file names: a few queries for the whole file."""
    codes = sorted({code for _number, row in rows if is_code(code := clean_text(row.get(CODE)))})
    visible = visible_organisations(importer)
    units: dict[str, Organisation] = {}
    for start in range(0, len(codes), LOOKUP_BATCH_SIZE):
        units.update((unit.code, unit) for unit in visible.filter(code__in=codes[start : start + LOOKUP_BATCH_SIZE]))
    return units


def is_code(text: str) -> bool:
    # fullmatch: re.match's $ would let a code end in a line break.
    return len(text) <= CODE_MAX_LENGTH and re.fullmatch(CODE_PATTERN, text) is not None


def _parse_row(
    number: int, row: dict[str, Any], importer: Any, units: dict[str, Organisation], errors: list[RowError]
) -> PlannedAccount | None:
    before = len(errors)

    def fault(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    unit = _parse_unit(row.get(CODE), importer, units, fault)
    full_name = _parse_text(row.get(NAME), NAME, NAME_MAX_LENGTH, fault)
    username = _parse_username(row.get(USERNAME), fault)
    role = _parse_role(row.get(ROLE), importer, fault)
    phone = _parse_phone(row.get(PHONE), fault)
    if role and unit is not None:
        try:
            check_role_fits_unit(role, unit)
        except ValidationError as error:
            fault(ROLE, " ".join(error.messages))
    if len(errors) > before or unit is None or role is None:
        return None
    return PlannedAccount(number, unit, full_name, username, role, phone)


def _parse_unit(value: Any, importer: Any, units: dict[str, Organisation], fault: Any) -> Organisation | None:
    code = clean_text(value)
    if not code:
        fault(CODE, _("This cell is required but empty."))
        return None
    unit = units.get(code)
    if unit is None:
        # The same words for a code that does not exist and one outside the system: the file must not
        # tell anyone which codes other systems use.
        fault(CODE, _("There is no unit with the code %(code)s in your system.") % {"code": code})
        return None
    if not may_manage_accounts_at(importer, unit):
        fault(CODE, _("The accounts of %(unit)s are managed by the unit above it.") % {"unit": unit})
        return None
    try:
        check_unit_active(unit)
    except ValidationError as error:
        fault(CODE, " ".join(error.messages))
        return None
    return unit


def _parse_text(value: Any, column: str, max_length: int, fault: Any) -> str:
    text = clean_text(value)
    if not text:
        fault(column, _("This cell is required but empty."))
    elif message := limits.length_fault(text, max_length) or limits.character_fault(text):
        fault(column, message)
    return text


def _parse_username(value: Any, fault: Any) -> str:
    username = _parse_text(value, USERNAME, USERNAME_MAX_LENGTH, fault)
    if username and len(username) <= USERNAME_MAX_LENGTH and not limits.character_fault(username):
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            fault(
                USERNAME,
                _("“%(value)s” cannot be a username: use only letters, digits and @ . + - _, without spaces.")
                % {"value": username},
            )
    return username


def _parse_role(value: Any, importer: Any, fault: Any) -> str | None:
    name = clean_text(value)
    allowed = [FILE_NAME_OF_ROLE[role] for role in assignable_roles(importer)]
    if not name:
        fault(ROLE, _("This cell is required but empty."))
        return None
    role = ROLE_BY_FILE_NAME.get(name)
    if role is None:
        message = _("Unknown role “%(value)s”; use one of %(choices)s.")
        fault(ROLE, message % {"value": name, "choices": "、".join(allowed)})
        return None
    if name not in allowed:
        fault(
            ROLE,
            _("You cannot give the role %(role)s; you may give %(choices)s.")
            % {"role": name, "choices": "、".join(allowed)},
        )
        return None
    return role


def _parse_phone(value: Any, fault: Any) -> str:
    phone = clean_text(value)
    if not phone:
        return ""
    digits = re.sub(r"[\s-]", "", phone)
    if MOBILE.fullmatch(digits):
        return digits[-11:]  # stored as people dial it: without +86, spaces or hyphens
    if len(phone) <= PHONE_MAX_LENGTH and LANDLINE.fullmatch(phone):
        return phone
    fault(
        PHONE,
        _("“%(value)s” is not a phone number: write an 11-digit mobile number, or a landline such as 010-12345678.")
        % {"value": phone},
    )
    return ""


def _without_repeated_usernames(accounts: list[PlannedAccount], errors: list[RowError]) -> list[PlannedAccount]:
    """A username once per file, whatever its letter case: "Zhang" and "zhang" would be two people nobody
    could tell apart (kaohe.accounts.actions.check_username_free)."""
    first_row: dict[str, int] = {}
    kept = []
    for account in accounts:
        key = account.username.lower()
        if key in first_row:
            message = _("The username %(username)s already appears in row %(row)s.")
            errors.append(
                RowError(account.row, USERNAME, message % {"username": account.username, "row": first_row[key]})
            )
        else:
            first_row[key] = account.row
            kept.append(account)
    return kept


def _against_existing_accounts(
    accounts: list[PlannedAccount], importer: Any, errors: list[RowError]
) -> tuple[list[PlannedAccount], list[SkippedRow]]:
    """The accounts to make, and the rows whose account exists at their unit already; other usernames that
    are taken are faults, named in as much detail as the importer may see."""
    existing = existing_accounts(account.username for account in accounts)
    root = scope_root_or_404(importer)
    new: list[PlannedAccount] = []
    skipped: list[SkippedRow] = []
    for account in accounts:
        holder = existing.get(account.username.lower())
        if holder is None:
            new.append(account)
        elif holder.organisation_id == account.unit.pk and holder.username == account.username:
            skipped.append(SkippedRow(account.row, account.username, holder))
        elif holder.organisation is not None and holder.organisation.is_within(root):
            message = _("The username %(username)s is already in use by an account of %(unit)s.")
            details = {"username": holder.username, "unit": holder.organisation}
            errors.append(RowError(account.row, USERNAME, message % details))
        else:
            # Usernames are unique across every district: saying whose would tell what another system holds.
            message = _("The username %(username)s is already taken; choose another.")
            errors.append(RowError(account.row, USERNAME, message % {"username": account.username}))
    return new, skipped


def read_accounts_file(upload: IO[bytes], filename: str, importer: Any) -> AccountsPlan:
    table = read_table(upload, filename, REQUIRED_COLUMNS)
    return plan_accounts(table.rows, importer)
