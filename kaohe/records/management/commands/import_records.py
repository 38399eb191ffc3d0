from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.records import importing
from kaohe.records.kinds import KINDS
from kaohe.spreadsheets import ImportRefused


class Command(BaseCommand):
    help = "Imports records of one kind from an .xlsx or .csv file, e.g. import_records activities 活动.xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, kind: str, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with file.open("rb") as upload:
                # No user and no scope: whoever runs the command may import into any unit of the tree.
                result = importing.import_file(None, KINDS[kind], upload, file.name, scope=None)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                _("%(file)s: %(count)s faults; nothing was imported.")
                % {"file": file.name, "count": len(refused.errors)}
            ) from None
        for skipped in result.skipped:
            self.stdout.write(f"{file.name}: {skipped}")
        self.stdout.write(result.summary(file.name))
