from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.assessments import actions, importing
from kaohe.assessments.management.commands import _cycle_options as options
from kaohe.organisations.models import Organisation
from kaohe.spreadsheets import ImportRefused


class Command(BaseCommand):
    help = (
        "Brings in a past year's final scores as that year's published cycle: kaohe import_cycle 2025 FILE "
        "--standard SLUG[:VERSION] [--district CODE]. FILE (.xlsx or .csv) has the columns 单位编码, 条目, 得分; "
        "any fault brings in nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=options.year)
        parser.add_argument("file", type=Path)
        parser.add_argument("--standard", required=True, metavar="SLUG[:VERSION]")
        parser.add_argument("--district", metavar="CODE")

    def handle(self, *args: Any, year: int, file: Path, standard: str, district: str | None, **opts: Any) -> None:
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        version = options.standard_named(standard)
        unit = options.district_named(district)
        try:
            with file.open("rb") as upload:
                table = importing.read_past_year_file(upload, file.name)
            cycle = actions.import_past_cycle(None, unit, year, version, table.rows, source=file.name)
        except ImportRefused as refused:
            for error in refused.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                _("%(file)s: %(count)s faults; nothing was imported.")
                % {"file": file.name, "count": len(refused.errors)}
            ) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        assessed = cycle.assessments.count()
        left_out = (
            Organisation.objects.subtree_of(unit).active().exclude(pk__in=cycle.assessments.values("organisation_id"))
        ).count()
        self.stdout.write(
            f"{cycle.name}: {assessed} assessments brought in, published; "
            f"{left_out} active units of {unit.code} are not in the file and have no assessment in {year}"
        )
