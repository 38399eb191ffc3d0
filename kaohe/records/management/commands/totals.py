"""`kaohe totals`: whether the yearly totals the figures read agree with the records; `--rebuild` makes them
again from the records (after records were written by plain SQL, which passes their upkeep by)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.records import totals
from kaohe.records.models import YearTotals

SHOWN_DIFFERENCES = 20


class Command(BaseCommand):
    help = "Checks the yearly totals of every unit against its records; --rebuild makes them again."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rebuild", action="store_true", help="make the totals again from the records")

    def handle(self, *args: Any, rebuild: bool, **options: Any) -> None:
        if rebuild:
            self.stdout.write(f"{totals.rebuild()} rows of yearly totals made from the records")
        differences = totals.differences()
        if not differences:
            rows = YearTotals.objects.count()
            self.stdout.write(self.style.SUCCESS(f"the yearly totals agree with the records ({rows} rows)"))
            return
        for (unit, year), (kept, expected) in sorted(differences.items())[:SHOWN_DIFFERENCES]:
            self.stderr.write(f"unit {unit}, {year}: kept {kept}, the records add up to {expected}")
        raise CommandError(f"{len(differences)} units' yearly totals differ from their records: kaohe totals --rebuild")
