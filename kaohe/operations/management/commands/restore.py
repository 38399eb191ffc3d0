from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.operations.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Replaces the database and the uploaded files with those of an archive written by `kaohe backup`, "
        "after checking it whole; refuses to overwrite an installation that holds data unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true", help="Replace the units, records and files this installation holds."
        )

    def handle(self, *args: Any, file: Path, force: bool, **options: Any) -> None:
        try:
            summary = restore_backup(file, force=force)
        except BackupError as error:
            raise CommandError(error) from None
        for line in summary.describe():
            self.stdout.write(line)
