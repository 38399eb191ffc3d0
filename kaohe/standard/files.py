"""Standards from and to files: YAML (the shipped form), JSON and xlsx."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any

import yaml
from django.utils.translation import gettext as _

from kaohe import limits
from kaohe.spreadsheets import check_xlsx_archive
from kaohe.standard.document import StandardDocument, StandardInvalid, parse_standard, to_data

SHIPPED = Path(__file__).resolve().parent / "data"


def read_standard(upload: IO[bytes], filename: str) -> StandardDocument:
    """The document a file holds, or StandardInvalid: whatever the file is, never another exception."""
    content = _content_within_limit(upload, filename)
    if filename.lower().endswith(".xlsx"):
        return _read_xlsx(content, filename)
    if not filename.lower().endswith((".yaml", ".yml", ".json")):
        raise StandardInvalid([("(file)", _("A standard is read from .yaml, .json or .xlsx."))], filename)
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StandardInvalid([("(file)", _("The file is not UTF-8 text."))], filename) from error
    try:
        return parse_standard(_load_yaml(text, filename), filename)
    except RecursionError as error:  # lists in lists in lists…: no standard nests deeper than a few levels
        raise StandardInvalid([("(file)", _("The file nests lists or mappings too deeply."))], filename) from error


def _content_within_limit(upload: IO[bytes], filename: str) -> bytes:
    max_bytes = limits.standard_file_max_bytes()
    content = upload.read(max_bytes + 1)
    if message := limits.file_size_fault(len(content), max_bytes):
        raise StandardInvalid([("(file)", message)], filename)
    return content


def _read_xlsx(content: bytes, filename: str) -> StandardDocument:
    from kaohe.standard.spreadsheet import read_standard_xlsx  # openpyxl's reader, loaded when asked for

    # The standard's reader opens the whole workbook (it needs merged cells): checked smaller than a table's.
    if message := check_xlsx_archive(content, limits.STANDARD_XLSX_MAX_UNPACKED_BYTES):
        raise StandardInvalid([("(file)", message)], filename)
    return read_standard_xlsx(io.BytesIO(content), filename)


def _load_yaml(text: str, filename: str) -> Any:
    try:
        return yaml.load(text, Loader=_LoaderWithoutAliases)  # noqa: S506 (a SafeLoader, aliases refused too)
    except (yaml.YAMLError, ValueError) as error:  # ValueError: an int of more than 4,300 digits
        mark = getattr(error, "problem_mark", None)
        where = _("line %(line)s") % {"line": mark.line + 1} if mark else "(file)"
        message = _("The file is not valid YAML: %(problem)s") % {"problem": error}
        raise StandardInvalid([(where, message)], filename) from error


class _LoaderWithoutAliases(yaml.SafeLoader):
    """YAML (and JSON) without anchors and aliases: a standard needs none, and a few lines of aliases can
    stand for billions of entries (the "billion laughs") that checking the document would walk one by one."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, _("Aliases (*name) are not allowed."), event.start_mark)
        return super().compose_node(parent, index)


def read_standard_path(path: Path) -> StandardDocument:
    with path.open("rb") as upload:
        return read_standard(upload, path.name)


def as_json(document: StandardDocument) -> str:
    return json.dumps(to_data(document), ensure_ascii=False, indent=2)


def as_yaml(document: StandardDocument) -> str:
    return yaml.safe_dump(to_data(document), allow_unicode=True, sort_keys=False, width=200)
