"""Records for the demo district (kaohe/records/demo.py): a year of every kind, never dated after today."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.records import demo


class Command(BaseCommand):
    help = (
        "Adds a year of demo records of every kind to every active unit, none dated after today. A unit that "
        "has records of a kind that year gets none of that kind, so running it again never duplicates."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, help="the year of the records (this year unless given)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="kept for scripts: every run adds only what is missing, so it changes nothing",
        )

    def handle(self, *args: Any, year: int | None, **options: Any) -> None:
        year = year or demo.today().year
        try:
            made = demo.add_demo_records(year)
        except demo.FutureYear:
            raise CommandError(
                f"{year} has not begun: demo records are never dated after today ({demo.today()})."
            ) from None
        if not made.total:
            self.stdout.write(f"Records for {year} exist already; no demo records were added.")
            return
        self.stdout.write(", ".join(f"{count} {kind}" for kind, count in made.counts.items()) + f" for {year}.")
