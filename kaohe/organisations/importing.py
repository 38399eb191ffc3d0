"""Checking a units file (单位编码, 单位名称, 上级单位编码, 单位类别, 会员人数) before anything is written.

`plan_import` reads every row, collects every fault of every row, and either refuses the whole file or
returns the rows as they will be written. `kaohe.organisations.actions.import_organisations` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _

from kaohe import limits
from kaohe.organisations.models import (
    ALLOWED_PARENT_CATEGORIES,
    CATEGORY_BY_FILE_NAME,
    FILE_NAME_OF_CATEGORY,
    Organisation,
    is_code,
    path_for,
)
from kaohe.spreadsheets import ImportRefused, RowError, clean_text, read_table

CODE = "单位编码"
NAME = "单位名称"
PARENT = "上级单位编码"
CATEGORY = "单位类别"
MEMBERS = "会员人数"
COLUMNS = (CODE, NAME, PARENT, CATEGORY, MEMBERS)
UNKNOWN = "?"  # a path that cannot be known because a parent is missing
NAME_MAX_LENGTH = Organisation._meta.get_field("name").max_length or 100


@dataclass
class PlannedUnit:
    row: int
    code: str
    name: str
    parent_code: str
    category: str
    members: int
    path: str = ""


@dataclass
class ImportPlan:
    units: list[PlannedUnit]
    existing: dict[str, Organisation]  # the file's codes that are already in the tree


def read_units_file(upload: IO[bytes], filename: str, scope: Organisation | None) -> ImportPlan:
    table = read_table(upload, filename, COLUMNS)
    return plan_import(table.rows, scope)


def plan_import(rows: list[tuple[int, dict[str, Any]]], scope: Organisation | None) -> ImportPlan:
    """Every fault of every row, or the plan. `scope` None means the whole tree (the command line)."""
    errors: list[RowError] = []
    units = [unit for number, row in rows if (unit := _parse_row(number, row, errors))]
    units = _drop_duplicate_codes(units, errors)
    existing = _existing_units(units, scope)
    in_file = {unit.code: unit for unit in units}
    for unit in units:
        _check_against_tree(unit, in_file, existing, scope, errors)
    _assign_paths(units, in_file, {code: org for code, org in existing.items() if _visible(org, scope)}, errors)
    if errors:
        raise ImportRefused(sorted(errors, key=_reading_order))
    return ImportPlan(units=units, existing={code: org for code, org in existing.items() if code in in_file})


def _reading_order(error: RowError) -> tuple[int, int]:
    return error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1


def _parse_row(number: int, row: dict[str, Any], errors: list[RowError]) -> PlannedUnit | None:
    before = len(errors)

    def fault(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    code = clean_text(row.get(CODE))
    if not code:
        fault(CODE, _("The unit code is empty."))
    elif not is_code(code):
        fault(
            CODE,
            _("“%(code)s” is not a valid code: use letters, digits, '.', '_' and '-', at most 40.") % {"code": code},
        )
    name = _parse_name(row.get(NAME), fault)
    parent_code = _parse_parent_code(row.get(PARENT), fault)
    category_name = clean_text(row.get(CATEGORY))
    category = CATEGORY_BY_FILE_NAME.get(category_name)
    if category is None:
        fault(
            CATEGORY,
            _("Unknown unit category “%(value)s”; use one of %(choices)s.")
            % {"value": category_name, "choices": "、".join(CATEGORY_BY_FILE_NAME)},
        )
    members = _parse_members(row.get(MEMBERS), fault)
    if len(errors) > before or category is None or members is None:
        return None
    return PlannedUnit(number, code, name, parent_code, category, members)


def _parse_name(value: Any, fault: Any) -> str:
    name = clean_text(value)
    if not name:
        fault(NAME, _("The unit name is empty."))
    elif len(name) > NAME_MAX_LENGTH:
        fault(NAME, _("The unit name is longer than 100 characters."))
    elif message := limits.character_fault(name):
        fault(NAME, message)
    return name


def _parse_parent_code(value: Any, fault: Any) -> str:
    code = clean_text(value)
    if code and not is_code(code):
        # Never looked up: no unit has such a code, and a NUL would fail the query on PostgreSQL.
        fault(PARENT, _("There is no unit with the code %(code)s, in the file or in your system.") % {"code": code})
    return code


def _parse_members(value: Any, fault: Any) -> int | None:
    text = clean_text(value)
    if text == "":
        fault(MEMBERS, _("The number of members is empty."))
        return None
    number = _finite_number(value, text)
    if number is None:
        fault(MEMBERS, _("“%(value)s” is not a number.") % {"value": text})
        return None
    if number < 0:
        fault(MEMBERS, _("The number of members cannot be negative (%(value)s).") % {"value": text})
        return None
    if number != number.to_integral_value():
        fault(MEMBERS, _("The number of members must be a whole number (%(value)s).") % {"value": text})
        return None
    if message := limits.count_fault(number, text):
        fault(MEMBERS, message)
        return None
    return int(number)


def _finite_number(value: Any, text: str) -> Decimal | None:
    """Decimal, not float: 10000000000000000001 stays itself rather than 1e19; NaN and 1e400 are no numbers,
    and nor is an Excel TRUE (which Python would count as 1)."""
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _drop_duplicate_codes(units: list[PlannedUnit], errors: list[RowError]) -> list[PlannedUnit]:
    first_row: dict[str, int] = {}
    kept = []
    for unit in units:
        if unit.code in first_row:
            errors.append(
                RowError(
                    unit.row,
                    CODE,
                    _("The code %(code)s already appears in row %(row)s.")
                    % {"code": unit.code, "row": first_row[unit.code]},
                )
            )
        else:
            first_row[unit.code] = unit.row
            kept.append(unit)
    return kept


def _existing_units(units: list[PlannedUnit], scope: Organisation | None) -> dict[str, Organisation]:
    """Units of the tree that the file names, as codes or as parents (one query)."""
    codes = {unit.code for unit in units} | {unit.parent_code for unit in units if unit.parent_code}
    return {org.code: org for org in Organisation.objects.filter(code__in=codes)}


def _visible(org: Organisation, scope: Organisation | None) -> bool:
    return scope is None or org.is_within(scope)


def _check_against_tree(
    unit: PlannedUnit,
    in_file: dict[str, PlannedUnit],
    existing: dict[str, Organisation],
    scope: Organisation | None,
    errors: list[RowError],
) -> None:
    def fault(column: str, message: str) -> None:
        errors.append(RowError(unit.row, column, message))

    current = existing.get(unit.code)
    if current is not None and not _visible(current, scope):
        # The same words as the add form: the file must not tell anyone which codes other systems use.
        fault(CODE, _("The code %(code)s cannot be used; choose another.") % {"code": unit.code})
        return
    if scope is not None and unit.code == scope.code:
        if unit.parent_code != (scope.parent.code if scope.parent else "") or unit.category != scope.category:
            fault(PARENT, _("Your own unit's parent and category can only be changed by the unit above it."))
        return
    if not unit.parent_code:
        if unit.category not in {c for c, parents in ALLOWED_PARENT_CATEGORIES.items() if None in parents}:
            fault(PARENT, _("The parent unit code is empty; only a 区总工会 may have no parent."))
        elif scope is not None:
            fault(PARENT, _("The parent unit code is empty; a new 区总工会 can only be added from the command line."))
        return
    parent_category = _parent_category(unit.parent_code, in_file, existing, scope)
    if parent_category is None:
        fault(
            PARENT,
            _("There is no unit with the code %(code)s, in the file or in your system.") % {"code": unit.parent_code},
        )
    elif parent_category not in ALLOWED_PARENT_CATEGORIES[unit.category]:
        fault(
            CATEGORY,
            _("A %(child)s cannot be placed directly under a %(parent)s.")
            % {"child": FILE_NAME_OF_CATEGORY[unit.category], "parent": FILE_NAME_OF_CATEGORY[parent_category]},
        )


def _parent_category(
    code: str, in_file: dict[str, PlannedUnit], existing: dict[str, Organisation], scope: Organisation | None
) -> str | None:
    if code in in_file:
        return in_file[code].category
    parent = existing.get(code)
    return parent.category if parent is not None and _visible(parent, scope) else None


def _assign_paths(
    units: list[PlannedUnit],
    in_file: dict[str, PlannedUnit],
    existing: dict[str, Organisation],
    errors: list[RowError],
) -> None:
    """Each unit's path as the file leaves the tree; parents that loop back are reported on every row.

    Checked even when other faults were found, so that a loop is named whatever else is wrong with the row.
    """
    resolved: dict[str, str] = {}

    def path_of(code: str, chain: list[str]) -> str | None:
        """None for a loop; UNKNOWN where a parent is missing (reported elsewhere)."""
        if code in resolved:
            return resolved[code]
        if code not in in_file:
            return _path_below_moved_ancestor(existing[code].path, chain) if code in existing else UNKNOWN
        if code in chain:
            return None
        unit = in_file[code]
        parent_path = path_of(unit.parent_code, [*chain, code]) if unit.parent_code else ""
        if parent_path is None or parent_path == UNKNOWN:
            return parent_path
        resolved[code] = path_for(parent_path, code)
        return resolved[code]

    def _path_below_moved_ancestor(stored_path: str, chain: list[str]) -> str | None:
        # A unit the file does not name still follows its nearest ancestor that the file names.
        segments = [segment for segment in stored_path.split("/") if segment]
        for index in range(len(segments) - 1, -1, -1):
            if segments[index] in in_file:
                above = path_of(segments[index], chain)
                if above is None or above == UNKNOWN:
                    return above
                return above + "".join(f"{segment}/" for segment in segments[index + 1 :])
        return stored_path

    for unit in units:
        path = path_of(unit.code, [])
        if path is None:
            errors.append(
                RowError(
                    unit.row,
                    PARENT,
                    _("Following the parent codes up from unit %(code)s leads round in a loop.") % {"code": unit.code},
                )
            )
        elif path != UNKNOWN:
            unit.path = path
