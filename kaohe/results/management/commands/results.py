import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.assessments.management.commands import _cycle_options as options
from kaohe.assessments.queries_cycle import json_number
from kaohe.results.rankings import category_subtotals, cycle_results, is_published

HEADINGS = ("org", "tier", "total", "grade", "rank")


class Command(BaseCommand):
    help = (
        "A published cycle's results: kaohe results --year 2025 [--json] [--district CODE]. Each unit's total, "
        "grade, rank within its group (grassroots unions: within their secondary union's system; ties share a "
        "rank) and category subtotals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=options.year, required=True)
        parser.add_argument("--district", metavar="CODE")
        parser.add_argument("--json", action="store_true", help="Print JSON rather than a table.")

    def handle(self, *args: Any, year: int, district: str | None, json: bool, **opts: Any) -> None:
        cycle = options.cycle_named(year, district)
        if not is_published(cycle):
            raise CommandError(
                _("The %(year)s cycle is not published yet: its results are not final.") % {"year": year}
            )
        results = cycle_results(cycle, with_previous=False)
        subtotals = category_subtotals(cycle)
        rows = [
            {
                "org": result.code,
                "tier": result.tier,
                "total": json_number(result.total),
                "grade": result.grade,
                "rank": result.rank,
                "categories": {
                    key: json_number(value) for key, value in subtotals.get(result.assessment_id, {}).items()
                },
            }
            for result in results
        ]
        if json:
            self.stdout.write(_json(rows))
        else:
            self.stdout.write(options.plain_table(HEADINGS, [[row[key] for key in HEADINGS] for row in rows]))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
