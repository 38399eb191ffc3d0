"""`make bench`, the round's part (issue 8, "Speed"): on the district of 30,000 units, opening a cycle with
its proposals, the district's progress page, a unit's self-assessment item page and the home page.

All of it runs inside one transaction that is rolled back at the end, so the benchmark's data set stays as
it was and can be benched again: the cycle is opened (a cycle of the year already there is deleted first,
inside the same transaction), a few hundred units are brought to the other states through the actions, so
that the pages have something to count and list, and the pages are asked for with the test client, which
runs in this thread and so reads the transaction's rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import partial

from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from kaohe.accounts.models import User
from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Cycle
from kaohe.organisations.models import Organisation
from kaohe.standard.models import Standard

# (what, target in seconds): issue 8's targets; opening's goal is 10 s.
OPENING = ("opening the cycle for all {units:,} units, with their proposals", 30.0)
PAGES = [
    ("the district's progress page", "admin", "/assessments/{year}/", 0.3, 5),
    ("the progress page filtered to the submitted", "admin", "/assessments/{year}/?status=submitted", 0.3, 5),
    ("a grassroots union's self-assessment item page (6.1)", "grassroots", "/assessments/{year}/{unit}/6.1/", 0.1, 5),
    ("a grassroots union's assessment page", "grassroots", "/assessments/{year}/{unit}/", 0.1, 5),
    ("the home page of the district administrator", "admin", "/", 0.3, 5),
    ("the home page of an assessor", "assessor", "/", 0.3, 5),
    ("the home page of a grassroots cadre", "grassroots", "/", 0.1, 5),
]
SUBMITTED = 300  # units brought as far as submitted (a third of them then reviewed), so that lists are not empty
Report = Callable[..., float]
Page = tuple[str, str, str, float, int]  # what, login, address, target in seconds, times timed


class RolledBack(Exception):
    pass


def bench_round(report: Report, write: Callable[[str], None], year: int, standard: Standard) -> None:
    district = Organisation.objects.get(code="YX", parent=None)
    units = Organisation.objects.subtree_of(district).active().count()
    try:
        with transaction.atomic():
            Cycle.objects.filter(district=district, year=year).delete()  # rolled back with the rest
            what, target = OPENING
            report(what.format(units=units), target, partial(open_bench_cycle, district, year, standard))
            write(f"  (goal: {10:g} s)")
            cycle = Cycle.objects.get(district=district, year=year)
            _bring_some_further(cycle)
            report_pages(report, year, PAGES)
            raise RolledBack
    except RolledBack:
        pass


def open_bench_cycle(district: Organisation, year: int, standard: Standard) -> None:
    today = timezone.localdate()
    actions.open_cycle(
        None,
        district,
        year,
        standard,
        self_deadline=today + datetime.timedelta(days=10),
        review_deadline=today + datetime.timedelta(days=30),
    )


def _bring_some_further(cycle: Cycle) -> None:
    """Units spread over the tree fill in and submit; a third of those are reviewed. The grassroots login's
    unit is left not started, so that its pages show what a unit sees at the start."""
    every = list(cycle.assessments.order_by("pk").values_list("pk", flat=True))
    chosen = cycle.assessments.filter(pk__in=every[1 :: max(1, len(every) // SUBMITTED)][:SUBMITTED])
    for number, assessment in enumerate(chosen.select_related("cycle", "organisation")):
        items = list(assessment.items.all())
        actions.save_self_items(None, assessment, {item.number: (item.points, "见佐证材料") for item in items})
        actions.submit_self_assessment(None, assessment)
        if number % 3 == 0:
            actions.review_items(None, assessment, {item.number: (item.points, "核实无误", "") for item in items})
            actions.complete_review(None, assessment)


@override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False)
def report_pages(report: Report, year: int, pages: list[Page]) -> dict[str, Client]:
    """Each page asked for once (a sanity check that also warms templates), then timed `repeat` times, by its
    demo login; {unit} is the grassroots login's unit. Returns the logged-in clients, by login."""
    clients: dict[str, Client] = {}
    grassroots = User.objects.get(username="grassroots")
    unit = grassroots.organisation.code if grassroots.organisation else ""
    assert Assessment.objects.filter(cycle__year=year, organisation__code=unit).exists()  # noqa: S101 (sanity)
    for label, username, url, target, repeat in pages:
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        address = url.format(year=year, unit=unit)
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)  # noqa: S101 (also warms templates)
        report(label, target, partial(client.get, address), repeat)
    return clients
