"""The pages of one unit's assessment cost the same queries however much it holds: pinned for a small
assessment and for one with forty more units in the district, two hundred more records, forty more pieces of
evidence, more rounds and a long history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaohe.assessments import actions
from kaohe.assessments.models import Assessment, Evidence, Item
from kaohe.conftest import make_unit
from kaohe.organisations.models import Category
from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.pins import pinned_pages

PDF = b"%PDF-1.4\n%%EOF\n"

# (persona, page, expected queries); {evidence} is a file of YX-S1-G1's item 6.1.
# Session, user; the assessment with its cycle and unit; its items (and the evidence counted); its returns;
# the unit that reviews it.
PAGES = pinned_pages(
    [
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/", 6),
        # The page above's, one item, the figures (3), the evidence and the records it links (one per kind linked),
        # whether the year has records, and the records the unit may link (one per kind: 6).
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/6.1/", 17),
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/8/", 16),  # no record linked to it: one query fewer
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/history/", 6),
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/history/?item=6.1", 6),
        ("grassroots_cadre", "/assessments/2026/YX-S1-G1/evidence/{evidence}/", 4),
        ("secondary_cadre", "/assessments/2026/YX-S1-G1/", 6),
        ("secondary_cadre", "/assessments/2026/YX-S1-G1/6.1/", 11),  # no records to link: reviewers do not link
        ("secondary_cadre", "/assessments/2026/YX-S1-G1/return/", 4),
        ("district_admin", "/assessments/2026/YX-S1-G1/reopen/", 4),
    ]
)


def lecture(unit: Any, number: int) -> Activity:
    return Activity(
        organisation=unit,
        category=ActivityCategory.LECTURE,
        name=f"讲堂{number}",
        date=datetime.date(2026, 3, 1 + number % 28),
        participants=10,
    )


def grow(tree: dict[str, Any], cycle: Any, cadre: Any, times: int) -> None:
    """`times` more units, five times as many records, twice as many pieces of evidence, a longer history."""
    for number in range(times):
        make_unit(f"YX-S1-Z{number}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    Activity.objects.bulk_create(lecture(tree["YX-S1-G1"], number) for number in range(times * 5))
    item = Item.objects.get(assessment__cycle=cycle, assessment__organisation__code="YX-S1-G1", number="6.1")
    records = list(Activity.objects.filter(organisation=tree["YX-S1-G1"])[:times])
    for number in range(times):
        actions.add_evidence(cadre, item, uploaded=SimpleUploadedFile(f"f{number}.pdf", PDF + str(number).encode()))
        actions.add_evidence(cadre, item, record=records[number], requirement=1)
        item = actions.save_self_item(cadre, item, self_score=str(number % 15), explanation=f"第{number}次")


def prepare(tree: dict[str, Any], cycle: Any, cadre: Any) -> int:
    """One file and one record of 6.1 as evidence."""
    Activity.objects.bulk_create([lecture(tree["YX-S1-G1"], 0)])
    item = Item.objects.get(assessment__cycle=cycle, assessment__organisation__code="YX-S1-G1", number="6.1")
    piece = actions.add_evidence(cadre, item, uploaded=SimpleUploadedFile("签到表.pdf", PDF))
    actions.add_evidence(cadre, item, record=Activity.objects.first())
    return piece.pk


def submit_and_return(cycle: Any, cadre: Any, secondary: Any) -> None:
    assessment = Assessment.objects.select_related("cycle", "organisation").get(
        cycle=cycle, organisation__code="YX-S1-G1"
    )
    for item in assessment.items.all():
        actions.save_self_item(cadre, item, self_score=item.points, explanation="见材料")
    actions.submit_self_assessment(cadre, assessment)
    actions.return_assessment(secondary, assessment, comment="改", item_comments={"6.1": "补"})
    actions.submit_self_assessment(cadre, Assessment.objects.get(pk=assessment.pk))


def queries_for(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@pytest.mark.parametrize(("persona", "page", "expected"), PAGES)
def test_a_page_costs_the_same_queries_however_much_the_assessment_holds(
    client, settings, tmp_path, tree, cycle, personas, persona, page, expected
):
    settings.MEDIA_ROOT = tmp_path
    cadre, secondary = personas["grassroots_cadre"], personas["secondary_cadre"]
    evidence = prepare(tree, cycle, cadre)
    reviewing = persona == "secondary_cadre"
    if reviewing:
        submit_and_return(cycle, cadre, secondary)
    client.force_login(personas[persona])
    small = queries_for(client, page.format(evidence=evidence))

    if reviewing:  # evidence is added while the unit fills in: reopen the draft for growing, then submit again
        Assessment.objects.filter(cycle=cycle, organisation__code="YX-S1-G1").update(status="draft")
    grow(tree, cycle, cadre, 40)
    if reviewing:
        Assessment.objects.filter(cycle=cycle, organisation__code="YX-S1-G1").update(status="submitted")
    large = queries_for(client, page.format(evidence=evidence))

    assert Evidence.objects.count() > 40
    assert (small, large) == (expected, expected)
