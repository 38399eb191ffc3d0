"""Published cycles with totals chosen by the test: each unit's final scores fill the items in order, full
points until the total is reached (so 89.5 is 89.5 exactly, category 8 pooled as one item)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kaohe.assessments import actions
from kaohe.assessments.models import Cycle
from kaohe.organisations.models import Organisation
from kaohe.standard.actions import load_standard
from kaohe.standard.files import SHIPPED, read_standard_path
from kaohe.standard.models import Standard

# 云溪区 (the tree fixture) in a year: secondary YX-S1 (grassroots G1, G2) and YX-S2 (G1), direct YX-D1, the
# district YX; two grassroots unions tied, and totals on the grade bands' edges.
TOTALS = {
    "YX": "88",
    "YX-S1": "90",
    "YX-S2": "89.5",
    "YX-D1": "79.5",
    "YX-S1-G1": "80",
    "YX-S1-G2": "80",
    "YX-S2-G1": "95",
}


def scores_adding_up_to(standard: Standard, total: Decimal) -> dict[str, Decimal]:
    left = Decimal(total)
    scores = {}
    for row in actions.scored_items(standard.doc):
        scores[row.number] = min(row.points, left)
        left -= scores[row.number]
    assert left == 0, f"{total} is more than the standard's points"
    return scores


def publish_past_year(
    admin: Any, district: Organisation, year: int, standard: Standard, totals: dict[str, str]
) -> Cycle:
    """The year's cycle, published (as a past year's file brings it), each unit with the total given."""
    rows: list[tuple[int, dict[str, str]]] = []
    for code, total in totals.items():
        for number, score in scores_adding_up_to(standard, Decimal(total)).items():
            rows.append((len(rows) + 2, {"单位编码": code, "条目": number, "得分": str(score)}))
    return actions.import_past_cycle(admin, district, year, standard, rows)


@pytest.fixture(name="standard")
def seed_standard(db: Any) -> Standard:
    """The seed's standard, loaded as `make run` loads it."""
    return load_standard(None, read_standard_path(SHIPPED / "fangshan-2026-trial.yaml"))[0]


@pytest.fixture
def publish(district_admin, tree, standard):
    def published(year: int, totals: dict[str, str]) -> Cycle:
        return publish_past_year(district_admin, tree["YX"], year, standard, totals)

    return published


@pytest.fixture(autouse=True)
def dashboards_uncached(settings):
    """Each test reads the tables as the database has them (test_dashboard tests the cache on its own)."""
    settings.DASHBOARD_CACHE_SECONDS = 0
