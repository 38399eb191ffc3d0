"""Standards from and to files: YAML (the shipped form), JSON and xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

import yaml
from django.utils.translation import gettext as _

from kaohe.standard.document import StandardDocument, StandardInvalid, parse_standard, to_data

SHIPPED = Path(__file__).resolve().parent / "data"


def read_standard(upload: IO[bytes], filename: str) -> StandardDocument:
    if filename.lower().endswith(".xlsx"):
        from kaohe.standard.spreadsheet import read_standard_xlsx

        return read_standard_xlsx(upload, filename)
    if not filename.lower().endswith((".yaml", ".yml", ".json")):
        raise StandardInvalid([("(file)", _("A standard is read from .yaml, .json or .xlsx."))], filename)
    try:
        data = yaml.safe_load(upload.read().decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        where = _("line %(line)s") % {"line": mark.line + 1} if mark else "(file)"
        raise StandardInvalid(
            [(where, _("The file is not valid YAML: %(problem)s") % {"problem": error})], filename
        ) from error
    return parse_standard(data, filename)


def read_standard_path(path: Path) -> StandardDocument:
    with path.open("rb") as upload:
        return read_standard(upload, path.name)


def as_json(document: StandardDocument) -> str:
    return json.dumps(to_data(document), ensure_ascii=False, indent=2)


def as_yaml(document: StandardDocument) -> str:
    return yaml.safe_dump(to_data(document), allow_unicode=True, sort_keys=False, width=200)
