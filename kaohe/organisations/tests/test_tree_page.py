from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.conftest import make_unit
from kaohe.organisations import queries
from kaohe.organisations.models import Category
from kaohe.tests.pins import pins


def test_the_district_admin_sees_the_district_with_member_counts(client, district_admin):
    client.force_login(district_admin)

    page = client.get(reverse("organisations:tree")).content.decode()

    assert "云溪区总工会" in page
    # 6 units under the district, 40 + 30 + 120 + 80 + 20 + 150 + 900 members in all.
    assert "系统内 6 个单位，会员 1340 人" in page
    assert "城关街道总工会" in page
    assert "下级 2 个，共 230 名会员" in page  # 城关街道: 30 + 120 + 80
    assert "邻区" not in page


def test_a_secondary_cadre_sees_only_their_system(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = client.get(reverse("organisations:tree")).content.decode()

    assert "城关社区工会" in page
    assert "城关小学工会" in page
    assert "区教委工会" not in page
    assert "区人民医院工会" not in page


def test_opening_a_branch_loads_only_its_rows(client, district_admin):
    client.force_login(district_admin)

    response = client.get(reverse("organisations:children", args=["YX-S1"]), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body
    assert "城关社区工会" in body
    assert "城关小学工会" in body
    assert "区教委工会" not in body


def test_a_branch_outside_the_system_is_not_found(client, secondary_cadre):
    client.force_login(secondary_cadre)

    assert client.get(reverse("organisations:children", args=["YX-S2"])).status_code == 404


def test_search_finds_units_of_ones_own_system_only(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = client.get(reverse("organisations:tree"), {"q": "工会"}).content.decode()

    assert "找到 3 个单位" in page
    assert "区教委工会" not in page


def test_a_user_without_a_unit_sees_no_tree(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x-long-password-1"))

    assert client.get(reverse("organisations:tree")).status_code == 404


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("organisations:tree")
def test_the_tree_page_costs_the_same_queries_whatever_the_number_of_units(
    client, district_admin, tree, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        parent = tree["YX-S1"] if number % 2 else tree["YX-S2"]
        make_unit(f"{parent.code}-X{number}", f"新工会{number}", Category.GRASSROOTS, parent, 10)
    client.force_login(district_admin)

    # session, user with unit, subtree totals, children, grandchildren grouped by child
    with django_assert_num_queries(5):
        assert client.get(reverse("organisations:tree")).status_code == 200


@pytest.mark.parametrize("extra_units", [0, 40])
@pins("organisations:detail")
def test_the_unit_page_costs_the_same_queries_whatever_the_number_of_units(
    client, district_admin, tree, django_assert_num_queries, extra_units
):
    for number in range(extra_units):
        make_unit(f"YX-S1-X{number}", f"新工会{number}", Category.GRASSROOTS, tree["YX-S1"], 10)
    client.force_login(district_admin)

    # session, user with unit, the unit, ancestors, subtree totals, children, grandchildren, history
    with django_assert_num_queries(8):
        assert client.get(reverse("organisations:detail", args=["YX-S1"])).status_code == 200


# A district has hundreds of units directly under it: the tree shows them a page at a time.


def test_the_district_admin_sees_the_units_under_the_district_a_page_at_a_time(client, district_admin, monkeypatch):
    monkeypatch.setattr(queries, "CHILDREN_PER_PAGE", 2)  # the tree holds three units under the district
    client.force_login(district_admin)

    first = client.get(reverse("organisations:tree")).content.decode()
    second = client.get(reverse("organisations:tree"), {"page": 2}).content.decode()

    # townships first, then bureaus, then direct units; every page says the whole district's totals
    assert "城关街道总工会" in first
    assert "区教委工会" in first
    assert "区人民医院工会" not in first
    assert "区人民医院工会" in second
    assert "城关街道总工会" not in second
    assert "系统内 6 个单位，会员 1340 人" in first
    assert "系统内 6 个单位，会员 1340 人" in second
    assert "下级 2 个，共 230 名会员" in first  # a unit's totals on the page it is shown on
    assert "?page=2" in first


def test_a_branch_shows_its_first_rows_and_brings_the_next_in_place_of_its_more_link(
    client, district_admin, tree, monkeypatch
):
    monkeypatch.setattr(queries, "CHILDREN_PER_PAGE", 1)
    client.force_login(district_admin)
    branch = reverse("organisations:children", args=["YX-S1"])

    opened = client.get(branch, headers={"HX-Request": "true"}).content.decode()
    more = client.get(branch, {"page": 2}, headers={"HX-Request": "true"}).content.decode()

    assert "城关社区工会" in opened
    assert "城关小学工会" not in opened
    assert 'class="tree-more"' in opened
    assert f'hx-get="{branch}?page=2"' in opened
    assert "城关小学工会" in more
    assert "城关社区工会" not in more
    assert "<ul" not in more
    assert "tree-more" not in more


def test_a_page_number_past_the_end_shows_the_last_page(client, district_admin, monkeypatch):
    monkeypatch.setattr(queries, "CHILDREN_PER_PAGE", 2)
    client.force_login(district_admin)

    for page in ("99", "abc"):
        assert client.get(reverse("organisations:tree"), {"page": page}).status_code == 200
