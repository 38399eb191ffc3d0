from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.operations.backups import BackupError, write_backup


class Command(BaseCommand):
    help = (
        "Writes one archive (.tar.gz) holding the database, copied consistently while the server runs, every "
        "uploaded file and a manifest of both; `kaohe restore FILE` puts them back."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive to write, e.g. /backups/kaohe-2026-11-24.tar.gz.")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            summary = write_backup(file)
        except BackupError as error:
            raise CommandError(error) from None
        self.stdout.write(summary.describe())
