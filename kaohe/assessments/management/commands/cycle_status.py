import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kaohe.assessments import queries_cycle as queries
from kaohe.assessments.management.commands import _cycle_options as options

HEADINGS = ("org", "tier", "status", "self_total", "final_total")


class Command(BaseCommand):
    help = (
        "Every assessment of a year's cycle: kaohe cycle_status 2026 [--json] [--district CODE]. "
        "final_total is the published total, or before publication the final scores given so far (null if none)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=options.year)
        parser.add_argument("--district", metavar="CODE")
        parser.add_argument("--json", action="store_true", help="Print JSON rather than a table.")

    def handle(self, *args: Any, year: int, district: str | None, json: bool, **opts: Any) -> None:
        cycle = options.cycle_named(year, district)
        assessments = cycle.assessments.select_related("organisation").order_by("organisation__path")
        totals = queries.totals_of(assessments.values("pk"))
        rows = [
            {
                "org": assessment.organisation.code,
                "tier": assessment.tier,
                "status": assessment.status,
                "self_total": queries.json_number(
                    totals[assessment.pk].self_total if assessment.pk in totals else None
                ),
                "final_total": queries.json_number(queries.final_total(assessment, totals.get(assessment.pk))),
            }
            for assessment in assessments.iterator(chunk_size=2000)
        ]
        if json:
            self.stdout.write(_json(rows))
        else:
            self.stdout.write(options.plain_table(HEADINGS, [[row[key] for key in HEADINGS] for row in rows]))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
