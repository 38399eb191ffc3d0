import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.figures.compute import compute_figures
from kaohe.organisations.models import Organisation
from kaohe.standard.in_force import standard_in_force
from kaohe.standard.models import Standard


class Command(BaseCommand):
    help = "Prints every figure of the standard for each unit (or one) and a year, computed from the records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--org", help="One unit's code; by default every active unit.")
        parser.add_argument("--json", action="store_true", help="JSON (the only output format for now).")
        parser.add_argument("--standard", help="SLUG or SLUG:VERSION; by default the year's cycle's standard.")

    def handle(self, *args: Any, year: int, org: str | None, standard: str | None, **options: Any) -> None:
        chosen = self._standard(standard, year)
        units = Organisation.objects.filter(is_active=True).order_by("path")
        if org:
            units = units.filter(code=org)
            if not units.exists():
                raise CommandError(f"No active unit with the code {org}.")
        unit_list = list(units)
        figures = compute_figures(unit_list, year, chosen.doc)
        output = [
            {"org": unit.code, "year": year, "indicators": [figure.as_json() for figure in figures[unit.pk]]}
            for unit in unit_list
        ]
        self.stdout.write(json.dumps(output, ensure_ascii=False, indent=None if len(output) > 1 else 2))

    def _standard(self, spec: str | None, year: int) -> Standard:
        if spec is None:
            found = standard_in_force(year)
        else:
            slug, _sep, version = spec.partition(":")
            versions = Standard.objects.filter(slug=slug).order_by("-version")
            found = versions.filter(version=int(version)).first() if version else versions.first()
        if found is None:
            raise CommandError("No standard is loaded: run `kaohe load_standard FILE` first.")
        return found
