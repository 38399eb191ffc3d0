from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.organisations import actions
from kaohe.organisations.importing import read_units_file
from kaohe.spreadsheets import ImportRefused


class Command(BaseCommand):
    help = "Imports units from an .xlsx or .csv file (单位编码, 单位名称, 上级单位编码, 单位类别, 会员人数)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with file.open("rb") as upload:
                plan = read_units_file(upload, file.name, scope=None)
            summary = actions.import_organisations(None, plan, scope=None, filename=file.name)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"{file.name}: {error}")  # noqa: RUF100
            raise CommandError(
                _("%(file)s: %(count)s faults; nothing was imported.")
                % {"file": file.name, "count": len(refused.errors)}
            ) from None
        self.stdout.write(
            _("%(file)s: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
            % {"file": file.name, **summary.__dict__}
        )
