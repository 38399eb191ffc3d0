"""The one set of input limits: what kaohe accepts from a person, a file or (later) the API.

Forms get these through `kaohe.forms.StyledFormMixin`, imports through their cell readers, the standard
through its parser, so that a value outside them is a message beside the field or the row, never a page
that fails later for everyone who sees the value. Each bound is one that real unions never reach and that
every database kaohe runs on, and every sum over a district of 30,000 units, still holds.

Upload sizes are settings (`kaohe/settings.py`, each overridable from the environment), so an installation
can raise one without a release; the rest are properties of the data and fixed here.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Numbers

# Members of a unit, participants of an activity. The largest federation unit has tens of thousands of
# members; ten million is beyond any, and 30,000 units × ten million still fits the 64-bit sums of every
# database (and the 32-bit PositiveIntegerField of PostgreSQL holds each value).
LARGEST_COUNT = 10_000_000
# Yuan, for one record (an education fund spent, a station's area in m²): one hundred million is beyond any
# union's spending, a million such records still sum exactly in 64 bits of fen, and each fits the
# DecimalFields (max_digits 14 and 10, 2 places).
LARGEST_AMOUNT = Decimal("100000000")
# The largest value of a PositiveIntegerField on SQLite and PostgreSQL alike: a standard's version.
LARGEST_STORED_INTEGER = 2_147_483_647
# A standard's points: the seed document has 100 in all; a thousand for one category or item is beyond any.
LARGEST_POINTS = Decimal(1000)

# Text

# Notes, equipment and other TextFields, which have no max_length of their own: pages of text, not a book.
LONG_TEXT_MAX_LENGTH = 10_000
# Characters no one types on purpose and that break what comes after: NUL (PostgreSQL refuses it), the other
# C0 controls and DEL (XML, so xlsx, cannot hold them; exports would fail), C1 controls (invisible), lone
# surrogates (not characters: no database can encode them) and U+FFFE/U+FFFF (not allowed in XML).
# Multi-line text (notes) keeps tab and line breaks; a browser sends a textarea's line breaks as \r\n.
_FORBIDDEN_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# What a password may not hold: only what no database or hash can encode.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# Files

MB = 1024 * 1024
# A table file: 200,000 rows at most (a 200,000-row activities export is about 10 MB as xlsx, 28 MB as csv).
TABLE_MAX_ROWS = 200_000
# An accounts file: each new account's initial password is hashed (Argon2id, some 35 ms a password on a
# server core), so 1,000 accounts take about half a minute, well within the server's timeout; a district
# with more units imports its accounts in several files.
ACCOUNTS_FILE_MAX_ROWS = 1_000
# Columns of a table read: kaohe's widest file has 9; people add a few of their own. Beyond that, ignored.
TABLE_MAX_COLUMNS = 30
# Characters of one csv field: Python's csv default, left as it is (it is process-wide). Every text limit
# above is far below it, so a longer field is refused by name rather than read.
CSV_FIELD_MAX_CHARS = 131_072
# An xlsx is a zip of XML parts. Before openpyxl opens one, its directory is checked: at most this many
# parts, unpacking to at most this many bytes in all, none compressed more than XLSX_MAX_RATIO times (real
# sheets compress 10-20 times; deflate at its most, a zip bomb, about 1,000). A 200,000-row export unpacks
# to 112 MB. zipfile never yields more than a part's declared size (a part that lies fails its CRC), so no
# file makes kaohe unpack more than XLSX_MAX_UNPACKED_BYTES, whatever its parts claim. Of that, openpyxl
# holds only the shared strings whole (at most XLSX_MAX_SHARED_STRINGS_BYTES of XML) and streams the sheet;
# the rows kept are bounded by TABLE_MAX_ROWS × TABLE_MAX_COLUMNS; and XML entities, which could expand the
# bytes read, are refused by defusedxml (openpyxl parses through it when it is installed). A zip bomb of
# 1 MB claiming 1 GB is refused in 0.14 s having used under 1 MB; one claiming 64 KB for the same 1 GB
# stops at 64 KB (tests/test_limits.py holds both to under a second and 100 MB).
XLSX_MAX_PARTS = 1_000
XLSX_MAX_UNPACKED_BYTES = 256 * MB
XLSX_MAX_SHARED_STRINGS_BYTES = 64 * MB
XLSX_MAX_RATIO = 100
XLSX_RATIO_CHECKED_FROM = 1 * MB  # small parts (styles, themes) compress as they like
# A standard's xlsx is opened whole (its reader needs merged cells), which takes some 20 times the XML in
# memory; the seed standard unpacks to about 50 KB.
STANDARD_XLSX_MAX_UNPACKED_BYTES = 8 * MB


def import_file_max_bytes() -> int:
    """A records or units file: settings.MAX_IMPORT_FILE_SIZE (env MAX_IMPORT_FILE_MB)."""
    return int(settings.MAX_IMPORT_FILE_SIZE)


def document_file_max_bytes() -> int:
    """A record's attached document: settings.MAX_DOCUMENT_FILE_SIZE (env MAX_DOCUMENT_FILE_MB)."""
    return int(settings.MAX_DOCUMENT_FILE_SIZE)


def evidence_file_max_bytes() -> int:
    """A piece of evidence for an assessment: settings.MAX_EVIDENCE_FILE_SIZE (env MAX_EVIDENCE_FILE_MB, 20)."""
    return int(settings.MAX_EVIDENCE_FILE_SIZE)


def standard_file_max_bytes() -> int:
    """A standard's YAML, JSON or xlsx: settings.MAX_STANDARD_FILE_SIZE (env MAX_STANDARD_FILE_MB)."""
    return int(settings.MAX_STANDARD_FILE_SIZE)


def request_max_bytes() -> int:
    """Any request's body: settings.MAX_REQUEST_SIZE (env MAX_REQUEST_MB), above the largest file."""
    return int(settings.MAX_REQUEST_SIZE)


# What is wrong with a value, in the reader's language; None when it is within the limits.


def count_fault(number: int | Decimal, shown: str = "") -> str | None:
    """`shown`: the value as the person wrote it (a cell's text), when it is not the number itself."""
    return too_large(shown or number, LARGEST_COUNT) if number > LARGEST_COUNT else None


def amount_fault(number: Decimal, shown: str = "") -> str | None:
    return too_large(shown or number, LARGEST_AMOUNT) if number > LARGEST_AMOUNT else None


def too_large(shown: object, largest: int | Decimal) -> str:
    return _("%(value)s is too large; at most %(max)s is allowed.") % {"value": shown, "max": f"{largest:,}"}


def character_fault(text: str, multiline: bool = False) -> str | None:
    """The first character that cannot be stored or exported, named so that an invisible one can be found."""
    return _forbidden(_FORBIDDEN_IN_TEXT if multiline else _FORBIDDEN_IN_LINE, text)


def _forbidden(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text)
    if found is None:
        return None
    return _("The text holds a character that cannot be stored (%(code)s, character %(position)s); remove it.") % {
        "code": f"U+{ord(found.group()):04X}",
        "position": found.start() + 1,
    }


def length_fault(text: str, max_length: int) -> str | None:
    if len(text) > max_length:
        return _("The text is %(length)s characters long; at most %(max)s are allowed.") % {
            "length": len(text),
            "max": max_length,
        }
    return None


def file_size_fault(size: int, max_bytes: int) -> str | None:
    if size > max_bytes:
        return _("The file is %(size)s; a file may be at most %(max)s.") % {
            "size": filesizeformat(size),
            "max": filesizeformat(max_bytes),
        }
    return None


# Validators for forms (kaohe.forms.StyledFormMixin attaches them by field type)


def validate_count(value: Any) -> None:
    if isinstance(value, int) and (message := count_fault(value)):
        raise ValidationError(message, code="max_value")


def validate_amount(value: Any) -> None:
    if isinstance(value, Decimal | float) and math.isfinite(value) and (message := amount_fault(Decimal(value))):
        raise ValidationError(message, code="max_value")


def validate_line(value: Any) -> None:
    """One line of text: a name, a title, a code."""
    if isinstance(value, str) and (message := character_fault(value)):
        raise ValidationError(message, code="forbidden_character")


def validate_text(value: Any) -> None:
    """Text of several lines: a note, a list of equipment."""
    if isinstance(value, str) and (message := character_fault(value, multiline=True)):
        raise ValidationError(message, code="forbidden_character")


def validate_storable(value: Any) -> None:
    """A password: anything one can type, but not what no database or hash can encode."""
    if isinstance(value, str) and (message := _forbidden(_UNSTORABLE, value)):
        raise ValidationError(message, code="forbidden_character")


class FileSizeValidator:
    """An uploaded file no larger than a limit read from settings when the form is checked (so tests and
    installations can change it)."""

    def __init__(self, max_bytes: Any) -> None:
        self.max_bytes = max_bytes  # a function returning the limit

    def __call__(self, upload: Any) -> None:
        # Only a new upload: a file stored already was checked when it came.
        if isinstance(upload, UploadedFile) and (message := file_size_fault(upload.size or 0, self.max_bytes())):
            raise ValidationError(message, code="file_too_large")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSizeValidator) and other.max_bytes == self.max_bytes

    def __hash__(self) -> int:
        return hash(self.max_bytes)
