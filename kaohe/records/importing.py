"""Importing a file of one kind of record: every row is checked before anything is written.

`plan_records` reads every cell of every row and either refuses the whole file, naming every fault by row
and column, or returns the records as they will be written. `import_file` then skips the rows already
recorded (kinds.py says what makes two records the same) and the rows that repeat an earlier row of the
file, naming each, and writes the rest in one transaction with one history event. The columns and how each
is read come from `kaohe.records.kinds`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kaohe import limits
from kaohe.access import Do, can, scope_root
from kaohe.history.actions import record_event
from kaohe.history.models import Action
from kaohe.organisations.models import Organisation
from kaohe.records.actions import lock_records_of
from kaohe.records.kinds import Cell, Column, RecordKind
from kaohe.records.models import Record
from kaohe.spreadsheets import ImportRefused, RowError, clean_text, read_table

BATCH_SIZE = 2000
# Fingerprints asked about per query: a few hundred keeps each statement small on every database (SQLite
# allows 32,766 parameters, older builds 999) while 100,000 rows still take only a few hundred queries.
LOOKUP_BATCH_SIZE = 500
# 2026-03-05, and the 2026/3/5 that Excel on Chinese Windows writes when it saves dates to csv.
DATE_PATTERN = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")

Rows = list[tuple[int, dict[str, Any]]]
Planned = list[tuple[int, Record]]  # (row number, the record it will be)
Reader = Callable[[Any], Any]  # a cell as the file holds it → the value to store; raises CellFault


class CellFault(Exception):
    """A cell that cannot be stored; the message says why, in the reader's language."""


@dataclass(frozen=True)
class SkippedRow:
    """A row not added because its record is stored already, or because an earlier row of the file is the same."""

    row: int
    same_as_row: int | None = None  # the earlier row it repeats; None when it was recorded before the import

    @property
    def reason(self) -> str:
        if self.same_as_row is None:
            return _("Already recorded.")
        return _("The same as row %(row)s.") % {"row": self.same_as_row}

    def __str__(self) -> str:
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.reason}


@dataclass(frozen=True)
class ImportResult:
    added: int
    skipped: list[SkippedRow]

    def summary(self, filename: str) -> str:
        """What the page and the command say once the file is in."""
        if not self.skipped:
            return ngettext(
                "Imported %(file)s: %(count)s record added.", "Imported %(file)s: %(count)s records added.", self.added
            ) % {"file": filename, "count": self.added}
        return ngettext(
            "Imported %(file)s: %(added)s records added, %(skipped)s row skipped as already recorded.",
            "Imported %(file)s: %(added)s records added, %(skipped)s rows skipped as already recorded.",
            len(self.skipped),
        ) % {"file": filename, "added": self.added, "skipped": len(self.skipped)}


def import_scope(user: Any) -> Organisation:
    """The unit whose system the user may import records for: everyone who may edit their own unit (else 403)."""
    root = scope_root(user)
    if root is None:
        raise Http404
    if not can(user, Do.EDIT, root):
        raise PermissionDenied
    return root


def import_file(
    actor: Any, kind: RecordKind, upload: IO[bytes], filename: str, scope: Organisation | None
) -> ImportResult:
    """Every new row of the file as a record of `kind`, or nothing (ImportRefused).

    Rows already recorded, and rows repeating an earlier row, are skipped and named, so that importing a
    file again, or twice at once, never doubles its records.
    """
    table = read_table(upload, filename, kind.required_headings)
    planned = plan_records(kind, table.rows, scope)
    created_by = actor if getattr(actor, "pk", None) else None
    for _number, record in planned:
        record.created_by = created_by
    with transaction.atomic():
        # Taken before looking, so that another import of the same rows waits and then finds them recorded.
        lock_records_of(scope)
        new, skipped = _without_duplicates(kind, planned)
        kind.model._default_manager.bulk_create(new, batch_size=BATCH_SIZE)
        record_event(
            actor, Action.RECORDS_IMPORTED, scope, kind=kind.slug, file=filename, added=len(new), skipped=len(skipped)
        )
    return ImportResult(added=len(new), skipped=skipped)


def import_records(actor: Any, kind: RecordKind, upload: IO[bytes], filename: str, scope: Organisation | None) -> int:
    """`import_file` for callers that only count: how many records were added."""
    return import_file(actor, kind, upload, filename, scope).added


def plan_records(kind: RecordKind, rows: Rows, scope: Organisation | None) -> Planned:
    """The unsaved records by row number, fingerprints set, or ImportRefused with every fault of every row.

    `scope` is the unit whose system the records may belong to; None means the whole tree (the command
    line). Everyone who may import may edit every unit of their own system, so the scope is the whole rule.
    """
    readers = [(column, _attribute(column), _reader(kind, column, scope)) for column in kind.columns]
    errors: list[RowError] = []
    planned: Planned = []
    for number, row in rows:
        values = {}
        for column, attribute, read in readers:
            try:
                values[attribute] = read(row.get(column.heading))
            except CellFault as fault:
                errors.append(RowError(number, column.heading, str(fault)))
        if not errors:  # once the file is refused, building more records is wasted work
            record = kind.model(**values)
            record.fingerprint = kind.fingerprint(record)
            planned.append((number, record))
    if errors:
        raise ImportRefused(errors)
    return planned


def _without_duplicates(kind: RecordKind, planned: Planned) -> tuple[list[Record], list[SkippedRow]]:
    """The records to add, and the rows skipped: recorded already, or the same as an earlier row."""
    recorded = _recorded_fingerprints(kind, {record.fingerprint for _number, record in planned})
    first_row_of: dict[str, int] = {}
    new: list[Record] = []
    skipped: list[SkippedRow] = []
    for number, record in planned:
        if record.fingerprint in recorded:
            skipped.append(SkippedRow(number))
        elif record.fingerprint in first_row_of:
            skipped.append(SkippedRow(number, same_as_row=first_row_of[record.fingerprint]))
        else:
            first_row_of[record.fingerprint] = number
            new.append(record)
    return new, skipped


def _recorded_fingerprints(kind: RecordKind, fingerprints: Iterable[str]) -> set[str]:
    """Those of the fingerprints that a stored record has, asked through the index in batches.

    Never the scope's records themselves: a district holds a million, a file a few thousand rows.
    The unit is part of every fingerprint, so records of other units never match.
    """
    wanted = sorted(fingerprints)
    records = kind.model._default_manager
    recorded: set[str] = set()
    for start in range(0, len(wanted), LOOKUP_BATCH_SIZE):
        batch = wanted[start : start + LOOKUP_BATCH_SIZE]
        recorded.update(records.filter(fingerprint__in=batch).values_list("fingerprint", flat=True))
    return recorded


def _attribute(column: Column) -> str:
    # Units are set by id: the file's codes are resolved to ids once, never to one instance per row.
    return f"{column.field}_id" if column.cell is Cell.UNIT else column.field


def _reader(kind: RecordKind, column: Column, scope: Organisation | None) -> Reader:
    field = kind.model._meta.get_field(column.field)
    assert isinstance(field, models.Field), "a column names a field of the model"  # noqa: S101 (for mypy; not a check of input)
    parse = _parser(column, field, scope)
    empty = None if field.null else ""

    def read(raw: Any) -> Any:
        if clean_text(raw) == "":
            if column.required:
                raise CellFault(_("This cell is required but empty."))
            return empty
        return parse(raw)

    return read


def _parser(column: Column, field: models.Field[Any, Any], scope: Organisation | None) -> Reader:
    if column.cell is Cell.UNIT:
        return _unit_parser(_unit_ids(scope))
    if column.cell is Cell.CHOICE:
        assert column.choices is not None  # noqa: S101 (for mypy: a choice column has choices)
        return _choice_parser(column.choices)
    if column.cell is Cell.DATE:
        return _parse_date
    if column.cell is Cell.INTEGER:
        return _parse_whole_number
    if column.cell is Cell.DECIMAL:
        assert isinstance(field, models.DecimalField)  # noqa: S101 (for mypy; not a check of input)
        return _decimal_parser(field.max_digits or 0, field.decimal_places or 0)
    return _text_parser(column.max_length)


def _unit_ids(scope: Organisation | None) -> dict[str, int]:
    """Code → id of every unit the records may belong to: one query for the whole file.

    The scope's whole subtree rather than the file's codes, so that the query carries no list of
    parameters that a large file could push past the database's limit; a system has thousands of units
    at most, a file up to 200,000 rows.
    """
    units = Organisation.objects.all() if scope is None else Organisation.objects.subtree_of(scope)
    return dict(units.values_list("code", "pk"))


def _unit_parser(unit_ids: dict[str, int]) -> Reader:
    def parse(raw: Any) -> int:
        code = clean_text(raw)
        if code not in unit_ids:
            # The same words for a code that does not exist and one outside the system: the file must
            # not tell anyone which codes other systems use.
            raise CellFault(_("There is no unit with the code %(code)s in your system.") % {"code": code})
        return unit_ids[code]

    return parse


def _choice_parser(choices: dict[str, str]) -> Reader:
    def parse(raw: Any) -> str:
        name = clean_text(raw)
        if name not in choices:
            raise CellFault(
                _("Unknown value “%(value)s”; use one of %(choices)s.") % {"value": name, "choices": "、".join(choices)}
            )
        return choices[name]

    return parse


def _parse_date(raw: Any) -> datetime.date:
    # openpyxl reads a date cell as a datetime (midnight); a date typed as text arrives as text.
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = clean_text(raw)
    match = DATE_PATTERN.match(text)
    if match is None:
        raise CellFault(_("“%(value)s” is not a date; write dates as YYYY-MM-DD.") % {"value": text})
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellFault(_("“%(value)s” is not a possible date.") % {"value": text}) from None


def _parse_whole_number(raw: Any) -> int:
    number, text = _number(raw)
    if number != number.to_integral_value():
        raise CellFault(_("“%(value)s” is not a whole number.") % {"value": text})
    if message := limits.count_fault(number, text):  # before int(): 1e999999 is a whole number too
        raise CellFault(message)
    return int(number)


def _decimal_parser(max_digits: int, decimal_places: int) -> Reader:
    step = Decimal(1).scaleb(-decimal_places)
    # What the field holds (99,999,999.99 for 10 digits, 2 places), and no more than any amount may be.
    largest = min(Decimal(10) ** (max_digits - decimal_places) - step, limits.LARGEST_AMOUNT)

    def parse(raw: Any) -> Decimal:
        number, text = _number(raw)
        if number < largest + 1:  # small enough to round (quantize fails on numbers beyond its precision)
            # Rounded to the field's places, as Excel shows it: its sums often end in ...0000000001.
            number = number.quantize(step, rounding=ROUND_HALF_UP)
        if number > largest:  # checked after rounding: 99,999,999.999 rounds up past the limit
            raise CellFault(limits.too_large(text, largest))
        return number

    return parse


def _number(raw: Any) -> tuple[Decimal, str]:
    """A number ≥ 0, and the cell as text for messages; commas may separate thousands."""
    text = clean_text(raw)
    if isinstance(raw, bool):  # an Excel TRUE/FALSE cell, which Python would count as 1 or 0
        raise CellFault(_("“%(value)s” is not a number.") % {"value": text})
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise CellFault(_("“%(value)s” is not a number.") % {"value": text}) from None
    if not number.is_finite():
        raise CellFault(_("“%(value)s” is not a number.") % {"value": text})
    if number < 0:
        raise CellFault(_("“%(value)s” is negative; the number must be 0 or more.") % {"value": text})
    return number, text


def _text_parser(max_length: int | None) -> Reader:
    # A column without a length of its own is a note (a TextField): several lines, up to the long-text limit.
    multiline = max_length is None

    def parse(raw: Any) -> str:
        text = clean_text(raw)
        message = limits.length_fault(text, max_length or limits.LONG_TEXT_MAX_LENGTH) or limits.character_fault(
            text, multiline
        )
        if message:
            raise CellFault(message)
        return text

    return parse
