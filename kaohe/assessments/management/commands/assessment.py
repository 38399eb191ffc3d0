import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kaohe.assessments import queries_cycle as queries
from kaohe.assessments.management.commands import _cycle_options as options
from kaohe.assessments.models import Assessment

ITEM_HEADINGS = ("item", "points", "proposed", "self", "final")


class Command(BaseCommand):
    help = (
        "One unit's assessment of a year, item by item: kaohe assessment 2026 CODE [--json]. proposed is null where "
        "no rule counts; category 8 is the item 8."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=options.year)
        parser.add_argument("code", metavar="CODE")
        parser.add_argument("--json", action="store_true", help="Print JSON rather than a table.")

    def handle(self, *args: Any, year: int, code: str, json: bool, **opts: Any) -> None:
        assessment = (
            Assessment.objects.filter(cycle__year=year, organisation__code=code).select_related("organisation").first()
        )
        if assessment is None:
            raise CommandError(_("%(code)s has no assessment in %(year)s.") % {"code": code, "year": year})
        shown = as_json(assessment)
        if json:
            self.stdout.write(_json(shown))
            return
        self.stdout.write(f"{shown['org']}  {shown['tier']}  {shown['status']}")
        self.stdout.write(
            options.plain_table(ITEM_HEADINGS, [[row[key] for key in ITEM_HEADINGS] for row in shown["items"]])
        )
        grade = f"  grade {shown['grade']}" if shown["grade"] else ""
        self.stdout.write(
            f"self_total {_shown(shown['self_total'])}  final_total {_shown(shown['final_total'])}{grade}"
        )


def as_json(assessment: Assessment) -> dict[str, Any]:
    items = list(assessment.items.order_by("position"))
    totals = queries.totals_of([assessment.pk]).get(assessment.pk)
    return {
        "org": assessment.organisation.code,
        "tier": assessment.tier,
        "status": assessment.status,
        "items": [
            {
                "item": item.number,
                "points": queries.json_number(item.points),
                "proposed": queries.json_number(item.proposed),
                "self": queries.json_number(item.self_score),
                "final": queries.json_number(item.final_score),
            }
            for item in items
        ],
        "self_total": queries.json_number(totals.self_total if totals else None),
        "final_total": queries.json_number(queries.final_total(assessment, totals)),
        "grade": assessment.grade or None,
    }


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
