"""Codes that differ only in letter case are different units, on SQLite as on PostgreSQL: the subtree of one
never takes in the other's (FACTS.md: SQLite's LIKE ignores ASCII case unless told otherwise)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.access import visible_organisations
from kaohe.accounts.models import Role
from kaohe.conftest import make_unit, make_user
from kaohe.organisations.models import Category, Organisation

pytestmark = pytest.mark.django_db


def test_a_lower_case_district_sees_nothing_of_its_upper_case_twin(client, tree):
    twin = make_unit("yx", "另一区总工会", Category.DISTRICT, members=10)
    make_unit("yx-S1", "另一区街道总工会", Category.TOWNSHIP, twin, 10)
    cadre = make_user("twin-admin", Role.DISTRICT_ADMIN, twin)

    assert set(visible_organisations(cadre).values_list("code", flat=True)) == {"yx", "yx-S1"}
    assert set(Organisation.objects.subtree_of(tree["YX"]).values_list("code", flat=True)).isdisjoint({"yx", "yx-S1"})
    client.force_login(cadre)
    assert client.get(reverse("organisations:detail", args=["YX-S1"])).status_code == 404
    assert client.get(reverse("figures:unit", args=["YX"])).status_code == 404
