"""Where each role starts (issue 11, "Land where the work is"): the home page opens on the user's own unit,
with its figures of this year, the records it keeps and, for a unit with units under it, its system."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from kaohe.accounts.models import Role
from kaohe.conftest import make_user
from kaohe.records.models import Activity, ActivityCategory, Document

HOME = "/"
THIS_YEAR = timezone.localdate().year
IN_THIS_YEAR = datetime.date(THIS_YEAR, 3, 5)
LAST_YEAR = datetime.date(THIS_YEAR - 1, 6, 1)


def opened(client, user):
    client.force_login(user)
    response = client.get(HOME)
    assert response.status_code == 200
    return response


def first_heading(response) -> str:
    found = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert found
    return found.group(1).strip()


def lectures(unit, count: int, day=IN_THIS_YEAR) -> None:
    Activity.objects.bulk_create(
        Activity(organisation=unit, category=ActivityCategory.LECTURE, name=f"讲座{n}", date=day, participants=20)
        for n in range(count)
    )


@pytest.mark.parametrize(
    ("persona", "unit_name"),
    [
        ("grassroots_cadre", "城关社区工会"),
        ("secondary_cadre", "城关街道总工会"),
        ("district_admin", "云溪区总工会"),
    ],
)
def test_each_role_lands_on_its_own_unit(client, personas, standard, persona, unit_name):
    response = opened(client, personas[persona])

    assert first_heading(response) == unit_name
    assert response.context["landing"].unit.name == unit_name


def test_a_grassroots_cadre_sees_this_years_figures_of_the_unit_against_its_column(
    client, grassroots_cadre, tree, standard
):
    lectures(tree["YX-S1-G1"], 5)

    response = opened(client, grassroots_cadre)

    page = response.content.decode()
    assert 'id="figures-summary"' in page
    shown = {figure.key: figure.value for figure in response.context["figures"]}
    assert shown["lecture_count"] == "5"
    # the item links go to the unit's own figures page, not to anchors of the home page
    assert f'href="/figures/YX-S1-G1/?year={THIS_YEAR}#item-' in page


def test_the_records_card_counts_the_units_own_records_of_this_year(client, grassroots_cadre, tree, standard):
    lectures(tree["YX-S1-G1"], 3)
    lectures(tree["YX-S1-G1"], 4, day=LAST_YEAR)  # another year: not counted
    lectures(tree["YX-S1-G2"], 6)  # another unit: not counted
    Document.objects.create(organisation=tree["YX-S1-G1"], title="学习制度", date=IN_THIS_YEAR)

    response = opened(client, grassroots_cadre)

    counts = {entry.kind.slug: entry.count for entry in response.context["landing"].records}
    assert counts["activities"] == 3
    assert counts["documents"] == 1
    assert counts["funds"] == 0
    activities = next(entry for entry in response.context["landing"].records if entry.kind.slug == "activities")
    assert activities.list_href.startswith("/records/activities/?unit=YX-S1-G1&date_from=")
    # and the list it links to shows exactly those three
    listed = client.get(activities.list_href)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 3


def test_a_grassroots_cadre_has_no_system_card(client, grassroots_cadre, standard):
    response = opened(client, grassroots_cadre)

    assert response.context["landing"].system is None
    assert 'id="home-system"' not in response.content.decode()


def test_a_secondary_cadre_sees_its_system_and_the_units_without_an_account(
    client, secondary_cadre, grassroots_cadre, standard
):
    response = opened(client, secondary_cadre)

    system = response.context["landing"].system
    assert [(entry.tier.value, entry.count) for entry in system.tiers] == [("grassroots", 2)]
    assert system.without_account == 1  # 城关小学工会: 城关社区工会 has the grassroots cadre
    page = response.content.decode()
    assert 'id="home-without-account" data-count="1"' in page
    assert 'href="/accounts/people/#units-without-account"' in page


def test_a_district_admin_sees_the_whole_district(client, district_admin, tree, standard):
    tree["YX-S2-G1"].is_active = False
    tree["YX-S2-G1"].save()

    response = opened(client, district_admin)

    system = response.context["landing"].system
    counts = {entry.tier.value: entry.count for entry in system.tiers}
    assert counts == {"secondary": 2, "direct": 1, "grassroots": 2}  # the inactive unit is left out
    assert "邻区" not in response.content.decode()  # another district's units are never counted or named


def test_an_account_made_after_the_first_visit_drops_the_count(client, secondary_cadre, tree, standard):
    assert opened(client, secondary_cadre).context["landing"].system.without_account == 2

    make_user("xiaoxue", Role.CADRE, tree["YX-S1-G2"])

    assert opened(client, secondary_cadre).context["landing"].system.without_account == 1


def test_without_a_standard_the_page_says_no_figure_is_counted(client, grassroots_cadre, tree):
    response = opened(client, grassroots_cadre)

    assert response.context["landing"].figures is None
    assert 'id="home-no-standard"' in response.content.decode()
    assert first_heading(response) == "城关社区工会"
