"""Every page's query count is pinned (a test that it is the same for a small and a grown system): this walks
every URL pattern of the project and fails for a URL name that no pin test declares (kaohe/tests/pins.py),
unless it is below as a POST-only endpoint or a file download, with the reason."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import kaohe
from kaohe.tests import pins

NOT_OURS = ("admin/", "i18n/", "static/")  # Django's admin and language switch, files

# URL name → why it has no pin of its own.
EXEMPT = {
    "logout": "POST only: logs out and redirects",
    "favicon": "a file: the icon, read from disk without a query",
    "organisations:deactivate": "POST only: the action, then a redirect to the unit",
    "organisations:reactivate": "POST only: the action, then a redirect to the unit",
    "records:home": "a redirect to the activities list, without a query",
    "people_deactivate": "POST only: the action, then a redirect to the list",
    "people_reactivate": "POST only: the action, then a redirect to the list",
    "api:schema": "the OpenAPI schema, generated from the code without a query",
    "api:docs": "Swagger UI's page (drf-spectacular-sidecar), which reads the schema; no query",
    "profile_revoke_token": "POST only: the key revoked, then a redirect to the profile",
    "records:file": "a file download: the record's attachment, two queries (session, user) and the file",
    "assessments:assessment_submit": "POST only: the action, then a redirect to the assessment",
    "assessments:assessment_complete_review": "POST only: the action, then a redirect to the assessment",
    "assessments:assessment_item_self": "POST only: the self-score saved, then the item page",
    "assessments:assessment_item_review": "POST only: the final score saved, then the item page",
    "assessments:assessment_item_upload": "POST only: the file stored, then the item page",
    "assessments:assessment_item_link": "POST only: the record linked, then the item page",
    "assessments:assessment_item_remove": "POST only: the evidence removed, then the item page",
}


def url_names() -> Iterator[tuple[str, str]]:
    """(URL name, its pattern) of every page of the project."""
    yield from _walk(get_resolver(), "", "")


def _walk(resolver: URLResolver, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith(NOT_OURS):
            continue
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace or "") if part)
            yield from _walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = ":".join(part for part in (namespace, pattern.name or "") if part) if pattern.name else ""
            yield name, route


def import_every_test_module() -> None:
    """Pin tests declare what they pin when they are imported: all of them, whichever tests this run chose."""
    for module in pkgutil.walk_packages(kaohe.__path__, "kaohe."):
        parts = module.name.split(".")
        if "tests" in parts and parts[-1].startswith("test_"):
            importlib.import_module(module.name)


def test_every_url_has_its_query_count_pinned():
    import_every_test_module()

    unpinned = sorted(
        f"{name or '(no name)'}  /{route}"
        for name, route in url_names()
        if name not in pins.PINNED and name not in EXEMPT
    )

    assert not unpinned, "pin these pages' query counts (kaohe/tests/pins.py): " + ", ".join(unpinned)


def test_every_exemption_and_declaration_names_a_url_that_exists():
    import_every_test_module()
    names = {name for name, _route in url_names()}

    assert set(EXEMPT) - names == set()
    assert set(pins.PINNED) - names == set()
    assert set(EXEMPT) & set(pins.PINNED) == set()  # pinned after all: the exemption goes


def test_every_page_has_a_name():
    assert [route for name, route in url_names() if not name] == []


def test_a_test_declaring_a_pin_must_open_that_page(client, db):
    def opens_only_the_icon():
        client.get("/favicon.ico")

    declared = pins.pins("standard:list")(opens_only_the_icon)
    try:
        with pytest.raises(AssertionError, match="standard:list"):
            declared()
    finally:  # this declaration pins nothing: it must not count for the page
        pins.PINNED["standard:list"].discard(f"{__name__}::opens_only_the_icon")
        if not pins.PINNED["standard:list"]:
            del pins.PINNED["standard:list"]


def test_a_list_of_pages_is_registered_under_their_url_names():
    assert pins.url_name_of("/records/activities/{activity}/edit/?x=1") == "records:edit"
    assert pins.url_name_of("/assessments/2026/YX-S1-G1/6.1/") == "assessments:assessment_item"
