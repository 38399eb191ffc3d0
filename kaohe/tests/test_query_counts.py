"""Every page's cost is pinned: the same number of queries for a small system and for one forty units and
two hundred records larger. The lists, the tree and the figures pin theirs beside their own tests; this
file pins every other page a user opens (forms, imports, downloads)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaohe.conftest import make_unit
from kaohe.organisations.models import Category
from kaohe.records.models import Activity, ActivityCategory
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.tests.pins import pinned_pages, pins

# (page, expected queries) for the secondary cadre of YX-S1; {activity} is one of its system's activities.
PAGES = pinned_pages(
    [
        ("/units/YX-S1/edit/", 4),
        ("/units/YX-S1/new/", 3),
        ("/units/YX-S1-G1/move/", 3),
        ("/units/import/", 2),
        ("/units/import/template.xlsx", 2),
        ("/units/YX-S1/export.xlsx", 4),
        ("/records/activities/new/", 2),
        ("/records/activities/{activity}/edit/", 3),
        ("/records/activities/{activity}/delete/", 3),
        ("/records/activities/import/", 2),
        ("/records/activities/import/template.xlsx", 2),
        ("/records/activities/export.xlsx?unit=YX-S1&subtree=on", 4),
        ("/standard/fangshan-2026-trial/1/export.xlsx", 3),
        ("/standard/fangshan-2026-trial/compare/?from=1&to=1", 3),
        ("/accounts/password/", 2),
        ("/units/YX-S1/children/", 6),  # a branch of the tree, as htmx opens it
        ("/figures/export.xlsx?year=2026", 7),
    ]
)


def grow(tree, extra_units: int, extra_records: int) -> int:
    for number in range(extra_units):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    Activity.objects.bulk_create(
        Activity(
            organisation=tree["YX-S1-G1"],
            category=ActivityCategory.LECTURE,
            name=f"讲堂{n}",
            date=datetime.date(2026, 3, 1),
            participants=10,
        )
        for n in range(extra_records + 1)
    )
    return Activity.objects.order_by("pk").values_list("pk", flat=True).first() or 0


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize(("page", "expected"), PAGES)
def test_a_page_costs_the_same_queries_however_large_the_system(client, secondary_cadre, tree, page, expected):
    load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))
    activity = grow(tree, 0, 0)
    client.force_login(secondary_cadre)
    small = queries_for(client, page.format(activity=activity))

    grow(tree, 40, 200)
    large = queries_for(client, page.format(activity=activity))

    assert (small, large) == (expected, expected)


@pins("standard:import")
def test_the_standard_import_page_costs_the_same_queries_however_large_the_district(client, district_admin, tree):
    client.force_login(district_admin)
    small = queries_for(client, "/standard/import/")

    grow(tree, 40, 200)
    large = queries_for(client, "/standard/import/")

    assert (small, large) == (2, 2)  # session, user with unit
