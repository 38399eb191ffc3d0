"""`make bench`, the results' part (issue 9, "Speed"): on the district of 30,000 units, a cycle opened with
its proposals and published at once (every unit's final scores its proposals, else full points), then the
rankings, the dashboard, a score-sheet PDF and the ranking xlsx of every grassroots union.

All of it inside one transaction that is rolled back, as the round's bench does (kaohe/assessments/bench.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.db.models import Case, CharField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.test import override_settings
from django.utils import timezone

from kaohe.assessments.bench import Page, RolledBack, open_bench_cycle, report_pages
from kaohe.assessments.models import Cycle, Item, Status
from kaohe.organisations.models import Organisation
from kaohe.standard.models import Standard

# (what, login, address, target in seconds, repeat): issue 9's targets (goals: pages 0.2 s, a PDF 1 s, 5 s).
PAGES: list[Page] = [
    ("the ranking of the secondary unions", "admin", "/results/{year}/?group=secondary", 0.5, 5),
    (
        "the ranking of every grassroots union across the district, first page",
        "admin",
        "/results/{year}/?group=grassroots_district",
        0.5,
        5,
    ),
    ("the district's dashboard", "admin", "/results/dashboard/", 0.5, 5),
    ("a secondary union's dashboard", "secondary", "/results/dashboard/", 0.5, 5),
    ("a grassroots union's own results", "grassroots", "/results/unit/{unit}/", 0.5, 5),
    ("a grassroots union's score-sheet PDF", "admin", "/results/{year}/{unit}/sheet.pdf", 2.0, 3),
    (
        "the ranking xlsx of every grassroots union",
        "admin",
        "/results/{year}/ranking.xlsx?group=grassroots_district",
        10.0,
        1,
    ),
]
Report = Callable[..., float]


def bench_results(report: Report, write: Callable[[str], None], year: int, standard: Standard) -> None:
    district = Organisation.objects.get(code="YX", parent=None)
    try:
        with transaction.atomic():
            Cycle.objects.filter(district=district, year=year).delete()  # rolled back with the rest
            open_bench_cycle(district, year, standard)
            cycle = Cycle.objects.get(district=district, year=year)
            _publish_at_once(cycle)
            write(f"  ({cycle.assessments.count():,} published assessments)")
            _report_pages(report, year)
            raise RolledBack
    except RolledBack:
        pass


def _publish_at_once(cycle: Cycle) -> None:
    """Final scores, totals and grades written in a few statements (the actions would take minutes here)."""
    Item.objects.filter(assessment__cycle=cycle).update(
        self_score=Coalesce("proposed", "points"), final_score=Coalesce("proposed", "points")
    )
    totals = Item.objects.filter(assessment=OuterRef("pk")).values("assessment").annotate(sum=Sum("final_score"))
    now = timezone.now()
    cycle.assessments.update(final_total=Subquery(totals.values("sum")), status=Status.PUBLISHED, published_at=now)
    bands = [When(final_total__gte=lowest, then=Value(str(grade))) for grade, lowest in cycle.bands]
    cycle.assessments.update(grade=Case(*bands, default=Value(""), output_field=CharField()))
    Cycle.objects.filter(pk=cycle.pk).update(published_at=now)


def _report_pages(report: Report, year: int) -> None:
    clients = report_pages(report, year, PAGES)
    with override_settings(DASHBOARD_CACHE_SECONDS=0, ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        # what the first reader after a publication waits
        admin = clients["admin"]
        report(
            "the district's dashboard worked out, not from the cache", 0.5, partial(admin.get, "/results/dashboard/"), 3
        )
