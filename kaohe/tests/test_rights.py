"""The rights matrix: each persona against its own unit, a unit in its subtree and a unit outside it.

Seeing follows the subtree (outside it: 404, on pages, exports and downloads alike); changing follows the
role (an assessor may look, not touch: 403).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

OK, FORBIDDEN, NOT_FOUND = 200, 403, 404


def main_of(page: str) -> str:
    return page[page.index("<main") : page.index("</main>")]


# persona, unit, (view, export, edit form, add-under form)
MATRIX = [
    ("district_admin", "YX", (OK, OK, OK, OK)),  # own unit
    ("district_admin", "YX-S1-G1", (OK, OK, OK, FORBIDDEN)),  # in subtree; nothing goes under grassroots
    ("district_admin", "YX-D1", (OK, OK, OK, FORBIDDEN)),  # nor under a directly affiliated union
    ("district_admin", "LQ-S1", (NOT_FOUND,) * 4),  # outside
    ("assessor", "YX", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("assessor", "YX-S2-G1", (OK, OK, FORBIDDEN, FORBIDDEN)),
    ("assessor", "LQ", (NOT_FOUND,) * 4),
    ("secondary_cadre", "YX-S1", (OK, OK, OK, OK)),
    ("secondary_cadre", "YX-S1-G2", (OK, OK, OK, FORBIDDEN)),
    ("secondary_cadre", "YX-S2", (NOT_FOUND,) * 4),  # a sibling system
    ("secondary_cadre", "YX", (NOT_FOUND,) * 4),  # the unit above
    ("grassroots_cadre", "YX-S1-G1", (OK, OK, OK, FORBIDDEN)),
    ("grassroots_cadre", "YX-S1-G2", (NOT_FOUND,) * 4),
    ("grassroots_cadre", "YX-S1", (NOT_FOUND,) * 4),
    ("outsider", "LQ-S1-G1", (OK, OK, OK, FORBIDDEN)),
    ("outsider", "YX-S1-G1", (NOT_FOUND,) * 4),
]
PAGES = ("organisations:detail", "organisations:export", "organisations:edit", "organisations:create")


@pytest.mark.parametrize(("persona", "code", "expected"), MATRIX)
def test_rights_matrix(client, personas, persona, code, expected):
    client.force_login(personas[persona])

    statuses = tuple(client.get(reverse(page, args=[code])).status_code for page in PAGES)

    assert statuses == expected


@pytest.mark.parametrize(
    ("persona", "code", "expected"),
    [
        ("district_admin", "YX-S1", OK),
        ("district_admin", "YX", FORBIDDEN),  # one's own root is moved by the unit above it
        ("assessor", "YX-S1", FORBIDDEN),
        ("secondary_cadre", "YX-S1-G1", OK),
        ("secondary_cadre", "YX-S1", FORBIDDEN),
        ("secondary_cadre", "YX-S2-G1", NOT_FOUND),
        ("grassroots_cadre", "YX-S1-G1", FORBIDDEN),
        ("outsider", "YX-S1-G1", NOT_FOUND),
    ],
)
def test_who_may_move_a_unit(client, personas, persona, code, expected):
    client.force_login(personas[persona])

    assert client.get(reverse("organisations:move", args=[code])).status_code == expected


def test_a_direct_unions_cadre_edits_their_unit_but_has_nothing_to_add_or_import(client, tree):
    from kaohe.conftest import make_user

    client.force_login(make_user("yiyuan", "cadre", tree["YX-D1"]))

    assert client.get(reverse("organisations:edit", args=["YX-D1"])).status_code == OK
    assert client.get(reverse("organisations:create", args=["YX-D1"])).status_code == FORBIDDEN
    assert client.get(reverse("organisations:import")).status_code == FORBIDDEN


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("district_admin", OK), ("assessor", FORBIDDEN), ("secondary_cadre", OK), ("grassroots_cadre", FORBIDDEN)],
)
def test_who_may_import_units(client, personas, persona, expected):
    client.force_login(personas[persona])

    assert client.get(reverse("organisations:import")).status_code == expected


def test_a_unit_that_does_not_exist_is_not_found(client, district_admin):
    client.force_login(district_admin)

    assert client.get(reverse("organisations:detail", args=["NO-SUCH"])).status_code == NOT_FOUND


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, tree):
    response = client.get(reverse("organisations:detail", args=["YX"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_not_found_page_does_not_say_whether_the_unit_exists(client, secondary_cadre):
    client.force_login(secondary_cadre)

    outside = client.get(reverse("organisations:detail", args=["YX-S2"]))
    missing = client.get(reverse("organisations:detail", args=["NO-SUCH"]))

    assert outside.status_code == missing.status_code == NOT_FOUND
    assert main_of(outside.content.decode()) == main_of(missing.content.decode())
    assert "区教委工会" not in outside.content.decode()
