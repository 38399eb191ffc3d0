"""Personas and a small tree shared by every test.

云溪区总工会 YX (district)                    ← district admin, assessor
├── 城关街道总工会 YX-S1 (township)           ← secondary cadre
│   ├── 社区工会 YX-S1-G1 (grassroots)        ← grassroots cadre
│   └── 小学工会 YX-S1-G2 (grassroots)
├── 区教委工会 YX-S2 (bureau)
│   └── 中学工会 YX-S2-G1 (grassroots)
└── 区人民医院工会 YX-D1 (direct)
邻区总工会 LQ (district)
└── 邻区街道总工会 LQ-S1 (township)           ← outsider
    └── 邻区社区工会 LQ-S1-G1 (grassroots)
"""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from kaohe.accounts.models import Role, User
from kaohe.organisations.models import Category, Organisation, path_for


def make_unit(
    code: str, name: str, category: str, parent: Organisation | None = None, members: int = 0
) -> Organisation:
    return Organisation.objects.create(
        code=code,
        name=name,
        category=category,
        parent=parent,
        members=members,
        path=path_for(parent.path if parent else "", code),
        depth=parent.depth + 1 if parent else 0,
    )


@pytest.fixture(autouse=True)
def test_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; production hashes
    settings.SECURE_SSL_REDIRECT = False  # the test client and live server speak plain HTTP


@pytest.fixture
def tree(db: Any) -> dict[str, Organisation]:
    units: dict[str, Organisation] = {}
    units["YX"] = make_unit("YX", "云溪区总工会", Category.DISTRICT, members=40)
    units["YX-S1"] = make_unit("YX-S1", "城关街道总工会", Category.TOWNSHIP, units["YX"], 30)
    units["YX-S1-G1"] = make_unit("YX-S1-G1", "城关社区工会", Category.GRASSROOTS, units["YX-S1"], 120)
    units["YX-S1-G2"] = make_unit("YX-S1-G2", "城关小学工会", Category.GRASSROOTS, units["YX-S1"], 80)
    units["YX-S2"] = make_unit("YX-S2", "区教委工会", Category.BUREAU, units["YX"], 20)
    units["YX-S2-G1"] = make_unit("YX-S2-G1", "云溪中学工会", Category.GRASSROOTS, units["YX-S2"], 150)
    units["YX-D1"] = make_unit("YX-D1", "区人民医院工会", Category.DIRECT, units["YX"], 900)
    units["LQ"] = make_unit("LQ", "邻区总工会", Category.DISTRICT, members=35)
    units["LQ-S1"] = make_unit("LQ-S1", "邻区街道总工会", Category.TOWNSHIP, units["LQ"], 25)
    units["LQ-S1-G1"] = make_unit("LQ-S1-G1", "邻区社区工会", Category.GRASSROOTS, units["LQ-S1"], 60)
    return units


def make_user(username: str, role: str, unit: Organisation) -> User:
    user = User.objects.create_user(username=username, password="correct-horse-42", role=role, organisation=unit)
    return user


@pytest.fixture
def district_admin(tree: dict[str, Organisation]) -> User:
    return make_user("admin", Role.DISTRICT_ADMIN, tree["YX"])


@pytest.fixture
def assessor(tree: dict[str, Organisation]) -> User:
    return make_user("assessor", Role.ASSESSOR, tree["YX"])


@pytest.fixture
def secondary_cadre(tree: dict[str, Organisation]) -> User:
    return make_user("chengguan", Role.CADRE, tree["YX-S1"])


@pytest.fixture
def grassroots_cadre(tree: dict[str, Organisation]) -> User:
    return make_user("shequ", Role.CADRE, tree["YX-S1-G1"])


@pytest.fixture
def outsider(tree: dict[str, Organisation]) -> User:
    return make_user("linqu", Role.CADRE, tree["LQ-S1"])


@pytest.fixture
def personas(
    district_admin: User, assessor: User, secondary_cadre: User, grassroots_cadre: User, outsider: User
) -> dict[str, User]:
    return {
        "district_admin": district_admin,
        "assessor": assessor,
        "secondary_cadre": secondary_cadre,
        "grassroots_cadre": grassroots_cadre,
        "outsider": outsider,
    }


def form_as_sent(page: Any, **changes: Any) -> dict[str, Any]:
    """What a browser sends from the form of a page as it was opened, with the person's changes.

    Every field as the page filled it in, the hidden version it was read at included; a file is chosen
    anew or not at all, and an unticked box is not sent.
    """
    form = page.context["form"]
    sent = {field.html_name: field.value() for field in form if not isinstance(field.field, forms.FileField)}
    return {name: value for name, value in {**sent, **changes}.items() if value is not None and value is not False}
