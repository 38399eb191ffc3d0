from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.standard.actions import StandardLocked, load_standard
from kaohe.standard.document import StandardInvalid
from kaohe.standard.files import read_standard_path
from kaohe.standard.in_force import default_note


class Command(BaseCommand):
    help = (
        "Loads a standard from a .yaml, .json or .xlsx file (refused whole if anything is wrong). Prints "
        "`SLUG vN: created|unchanged|replaced`, and on stderr whether that version is the default."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file") % {"file": file})
        try:
            standard, outcome = load_standard(None, read_standard_path(file), source=file.name)
        except StandardInvalid as invalid:
            for path, message in invalid.errors:
                self.stderr.write(f"{file.name}: {path}: {message}")
            raise CommandError(
                _("%(file)s: %(count)s faults; the standard was not loaded.")
                % {"file": file.name, "count": len(invalid.errors)}
            ) from None
        except StandardLocked as locked:
            raise CommandError(f"{file.name}: {locked}") from None
        self.stdout.write(f"{standard.slug} v{standard.version}: {outcome.value}")
        # For people, beside the line scripts read (and not styled as an error): is it the default?
        self.stderr.write(default_note(standard), style_func=str)
