"""Standards through the API, read only: everyone reads every version, as on the pages, and of the cycles that
use a version each key sees its own district's."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.urls import reverse

from kaohe.assessments import actions as cycles
from kaohe.standard.actions import load_standard
from kaohe.standard.models import Standard
from kaohe.tests.pins import pins

STANDARDS = reverse("api:standards")


def standard_url(slug: str, version: int) -> str:
    return reverse("api:standard", args=[slug, version])


def more_versions(standard: Standard, count: int) -> None:
    """Later versions of the same standard, each with a title of its own, as revisions are loaded."""
    for number in range(2, 2 + count):
        revised = dataclasses.replace(standard.doc, version=number, title=f"{standard.title}（修订{number}）")
        load_standard(None, revised, source=f"revision-{number}.yaml")


@pytest.mark.parametrize("persona", ["district_admin", "assessor", "secondary_cadre", "grassroots_cadre", "outsider"])
def test_everyone_lists_the_standards_versions(api, standard, persona):
    response = api[persona].get(STANDARDS)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    listed = response.json()["results"][0]
    assert {key: listed[key] for key in ("slug", "version", "title", "is_default", "sha256", "locked", "cycles")} == {
        "slug": standard.slug,
        "version": standard.version,
        "title": standard.title,
        "is_default": True,  # the first version loaded
        "sha256": standard.content_hash,
        "locked": False,
        "cycles": [],
    }


def test_the_newest_version_comes_first(api, standard):
    more_versions(standard, 2)

    versions = [(s["version"], s["is_default"]) for s in api["assessor"].get(STANDARDS).json()["results"]]

    assert versions == [(3, False), (2, False), (1, True)]


def test_a_version_a_cycle_uses_is_locked_and_names_the_cycle_to_its_district_only(api, cycle, tree, standard):
    other = cycles.open_cycle(None, tree["LQ"], 2025, standard, self_deadline=datetime.date(2025, 11, 30))

    seen_by_yx = api["secondary_cadre"].get(STANDARDS).json()["results"][0]
    seen_by_lq = api["outsider"].get(STANDARDS).json()["results"][0]

    assert (seen_by_yx["locked"], seen_by_yx["cycles"]) == (True, [{"year": 2026, "name": cycle.name}])
    assert (seen_by_lq["locked"], seen_by_lq["cycles"]) == (True, [{"year": 2025, "name": other.name}])


def test_one_version_comes_with_its_document_as_stored(api, standard, cycle):
    response = api["grassroots_cadre"].get(standard_url(standard.slug, standard.version))

    assert response.status_code == 200
    body = response.json()
    assert body["document"] == standard.document  # numbers as numbers: 5 and 5.0 alike
    assert (body["sha256"], body["locked"], body["cycles"]) == (
        standard.content_hash,
        True,
        [{"year": 2026, "name": cycle.name}],
    )
    item = body["document"]["categories"][0]["items"][0]
    assert set(item["requirements"]) == {"district", "secondary", "direct"}
    assert any(rule["target"] for c in body["document"]["categories"] for i in c["items"] for rule in i["rules"])


@pytest.mark.parametrize(
    "address",
    [
        "/api/standards/fangshan-2026-trial/99/",
        "/api/standards/no-such-standard/1/",
        f"/api/standards/fangshan-2026-trial/{10**12}/",  # beyond any stored version: not a query
        "/api/standards/fangshan-2026-trial/v1/",
        "/api/standards/fangshan-2026-trial/-1/",
    ],
)
def test_a_version_that_is_not_loaded_is_not_found(api, standard, address):
    assert standard.slug == "fangshan-2026-trial"

    response = api["district_admin"].get(address)

    assert response.status_code == 404
    assert response.json()["detail"]


def test_standards_are_read_only(api, standard):
    assert api["district_admin"].post(STANDARDS, {}, format="json").status_code == 405
    assert api["district_admin"].delete(standard_url(standard.slug, standard.version)).status_code == 405


def test_without_a_key_no_standard_is_read(anonymous, standard):
    assert anonymous.get(STANDARDS).status_code == 401
    assert anonymous.get(standard_url(standard.slug, standard.version)).status_code == 401


@pins("api:standards")
def test_the_list_costs_the_same_with_more_versions_and_cycles(api, cycle, standard, django_assert_num_queries):
    client = api["secondary_cadre"]
    # The key and its use (2), the count and the page with whether each is locked (2), the cycles (1).
    with django_assert_num_queries(5):
        client.get(STANDARDS)
    more_versions(standard, 5)
    with django_assert_num_queries(5):
        body = client.get(STANDARDS).json()

    assert body["count"] == 6


@pins("api:standard")
def test_one_version_costs_the_same_whichever_it_is(api, cycle, standard, django_assert_num_queries):
    client = api["secondary_cadre"]
    more_versions(standard, 1)
    # The key and its use (2), the version (1), the cycles using it (1).
    for version in (1, 2):
        with django_assert_num_queries(4):
            client.get(standard_url(standard.slug, version))
