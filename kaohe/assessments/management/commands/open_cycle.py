from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kaohe.assessments import actions
from kaohe.assessments.management.commands import _cycle_options as options


class Command(BaseCommand):
    help = (
        "Opens a district's cycle of a year: kaohe open_cycle 2026 --standard fangshan-2026-trial[:VERSION] "
        "[--district CODE] [--self-deadline YYYY-MM-DD] [--review-deadline YYYY-MM-DD]. Without :VERSION, the "
        "latest version loaded; without --district, the only district federation. A year has one cycle."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=options.year)
        parser.add_argument("--standard", required=True, metavar="SLUG[:VERSION]")
        parser.add_argument("--district", metavar="CODE")
        parser.add_argument("--self-deadline", type=options.date, metavar="YYYY-MM-DD")
        parser.add_argument("--review-deadline", type=options.date, metavar="YYYY-MM-DD")

    def handle(self, *args: Any, year: int, standard: str, district: str | None, **opts: Any) -> None:
        version = options.standard_named(standard)
        unit = options.district_named(district)
        try:
            cycle = actions.open_cycle(
                None,
                unit,
                year,
                version,
                self_deadline=opts["self_deadline"],
                review_deadline=opts["review_deadline"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        count = cycle.assessments.count()
        self.stdout.write(f"{cycle.name}: {count} assessments opened on {version.slug} v{version.version}")
