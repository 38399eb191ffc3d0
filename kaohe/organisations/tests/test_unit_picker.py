"""Picking a unit by name: wherever a unit is entered or filtered, a person types part of its name or its code.

As they type, /units/suggest/ offers the matching units of their own system (never another's: the outsider of
邻区 finds none of 云溪区's units, a grassroots cadre only their own). Without JavaScript the field is plain
text: an exact code, or a name or part of one that matches exactly one unit, is that unit; several are listed
for the person to choose from; none is said on the page, never a 404.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from kaohe.conftest import form_as_sent, make_unit
from kaohe.organisations.models import Category, Organisation
from kaohe.records.models import Activity, ActivityCategory
from kaohe.tests.pins import pins

pytestmark = pytest.mark.django_db

SUGGEST = reverse("organisations:suggest")
RECORDS = reverse("records:list", args=["activities"])
NEW_RECORD = reverse("records:create", args=["activities"])
ACTIVITY = {"category": "training", "name": "职工读书会", "date": "2026-03-01", "participants": "30"}
EVERY_UNIT_OF_YX = {"YX", "YX-S1", "YX-S1-G1", "YX-S1-G2", "YX-S2", "YX-S2-G1", "YX-D1"}


def in_zh(message: str, **values: object) -> str:
    """A message as the pages show it by default, whether or not the catalogue has it yet."""
    with translation.override("zh-hans"):
        return _(message) % values


def nothing_contains(text: str) -> str:
    return in_zh("No unit has a name or code containing “%(text)s”.", text=text)


def suggested(client, text: str, **params: str) -> list[str]:
    """The codes the picker offers for the text, in the order it lists them."""
    response = client.get(SUGGEST, {"q": text, **params})
    assert response.status_code == 200
    return re.findall(r'data-unit-code="([^"]*)"', response.content.decode())


# What the picker suggests, to whom


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("district_admin", EVERY_UNIT_OF_YX),
        ("assessor", EVERY_UNIT_OF_YX),
        ("secondary_cadre", {"YX-S1", "YX-S1-G1", "YX-S1-G2"}),
        ("grassroots_cadre", {"YX-S1-G1"}),
        ("outsider", {"LQ-S1", "LQ-S1-G1"}),
    ],
)
def test_the_picker_suggests_only_the_units_of_ones_own_system(client, personas, persona, expected):
    client.force_login(personas[persona])

    assert set(suggested(client, "工会")) == expected  # every name in the tree holds 工会


@pytest.mark.parametrize("text", ["云溪", "城关", "YX", "YX-S1", "教委", "中学"])
def test_the_outsider_finds_none_of_yunxis_units_by_any_name_or_code(client, outsider, text):
    client.force_login(outsider)

    response = client.get(SUGGEST, {"q": text})

    assert suggested(client, text) == []
    assert nothing_contains(text) in response.content.decode()
    assert "云溪" not in response.content.decode().replace(text, "")


def test_a_grassroots_cadre_is_offered_only_their_own_unit(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    assert suggested(client, "城关") == ["YX-S1-G1"]  # not 城关街道总工会 above it, nor 城关小学工会 beside it
    assert suggested(client, "YX-S1") == ["YX-S1-G1"]
    assert suggested(client, "小学") == []


def test_part_of_a_name_suggests_the_units_holding_it_by_tier_and_code(client, district_admin):
    client.force_login(district_admin)

    assert suggested(client, "城关") == ["YX-S1", "YX-S1-G1", "YX-S1-G2"]  # the secondary union first
    assert suggested(client, "医院") == ["YX-D1"]


def test_a_code_or_part_of_one_is_suggested_the_exact_code_first(client, district_admin):
    client.force_login(district_admin)

    assert suggested(client, "YX-S2") == ["YX-S2", "YX-S2-G1"]
    assert suggested(client, "s1-g") == ["YX-S1-G1", "YX-S1-G2"]  # letter case aside
    assert suggested(client, "YX-S1-G2") == ["YX-S1-G2"]


def test_each_suggestion_shows_name_code_and_tier_and_says_how_many_were_found(client, district_admin):
    client.force_login(district_admin)

    page = client.get(SUGGEST, {"q": "教委", "for": "id_unit"}).content.decode()

    assert "区教委工会" in page
    assert "YX-S2" in page
    assert in_zh("Secondary union") in page
    assert 'id="id_unit-status" hx-swap-oob="innerHTML"' in page  # said to screen readers as the list changes
    assert '<button type="button"' in page  # reached with Tab, chosen with Enter


def test_a_deactivated_unit_is_suggested_after_the_active_ones_and_marked(client, district_admin, tree):
    Organisation.objects.filter(code="YX-S1-G1").update(is_active=False)
    client.force_login(district_admin)

    assert suggested(client, "城关") == ["YX-S1", "YX-S1-G2", "YX-S1-G1"]
    assert in_zh("deactivated") in client.get(SUGGEST, {"q": "社区"}).content.decode()


def test_at_most_ten_units_are_suggested_with_a_word_that_there_are_more(client, district_admin, tree):
    for number in range(15):
        make_unit(f"YX-S1-Z{number:02}", f"城关扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(district_admin)

    response = client.get(SUGGEST, {"q": "扩充"})

    assert len(suggested(client, "扩充")) == 10
    page = response.content.decode()
    assert in_zh("Only the first %(count)s are listed: type more of the name.", count=10) in page
    assert "data-no-unit" not in page


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\x00", "城关\x00", "\x1b[31m", "%", "_", "'; DROP TABLE x; --", "工" * 101, "Y" * 10_000],
)
def test_junk_is_answered_with_an_empty_list_never_an_error(client, district_admin, text):
    client.force_login(district_admin)

    response = client.get(SUGGEST, {"q": text, "for": "id_unit"})

    assert response.status_code == 200
    assert suggested(client, text) == []
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("query", ["q=%ED%A0%80", "q=%FF%FE", "q=%C0%80", "q=a&q=%00", "for=id_unit", "q[]=x"])
def test_bytes_that_are_no_text_are_answered_with_an_empty_list(client, district_admin, query):
    client.force_login(district_admin)

    response = client.get(f"{SUGGEST}?{query}")

    assert response.status_code == 200
    assert "data-unit-code" not in response.content.decode()


@pytest.mark.parametrize("picker", ['"><script>alert(1)</script>', "1abc", "a" * 200, ""])
def test_an_odd_picker_id_names_no_element(client, district_admin, picker):
    client.force_login(district_admin)

    page = client.get(SUGGEST, {"q": "城关", "for": picker}).content.decode()

    assert "hx-swap-oob" not in page
    assert "<script>" not in page
    assert suggested(client, "城关", **{"for": picker}) == ["YX-S1", "YX-S1-G1", "YX-S1-G2"]


def test_a_form_field_sends_its_text_under_its_own_name(client, district_admin):
    client.force_login(district_admin)

    response = client.get(SUGGEST, {"for": "id_new_parent", "field": "new_parent", "new_parent": "教委"})

    assert re.findall(r'data-unit-code="([^"]*)"', response.content.decode()) == ["YX-S2"]


def test_suggestions_need_a_login(client, tree):
    response = client.get(SUGGEST, {"q": "城关"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_account_without_a_unit_is_suggested_nothing(client, tree, django_user_model):
    operator = django_user_model.objects.create_superuser("operator", password="correct-horse-42")
    client.force_login(operator)

    assert suggested(client, "工会") == []


@pytest.mark.parametrize("text", ["城关", "工会", "YX-S1", "没有这个"])
@pins("organisations:suggest")
def test_suggestions_cost_the_same_queries_however_large_the_district(
    client, district_admin, tree, django_assert_num_queries, text
):
    client.force_login(district_admin)
    # session, user with unit, the matching units
    with django_assert_num_queries(3):
        client.get(SUGGEST, {"q": text})

    for number in range(60):
        make_unit(f"YX-S1-Z{number:02}", f"城关扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    with django_assert_num_queries(3):
        client.get(SUGGEST, {"q": text})


# The picker in the forms: how it looks


@pytest.mark.parametrize(
    ("url", "name"),
    [
        (RECORDS, "unit"),
        (NEW_RECORD, "unit"),
        (reverse("people"), "unit"),
        (reverse("people_create"), "unit"),
        (reverse("organisations:move", args=["YX-S1-G1"]), "new_parent"),
    ],
)
def test_every_unit_field_is_the_picker(client, district_admin, url, name):
    client.force_login(district_admin)

    page = client.get(url).content.decode()

    field = re.search(rf'<input type="text" name="{name}"[^>]*>', page)
    assert field is not None, url
    attrs = field.group()
    assert f'hx-get="{SUGGEST}?for=id_{name}&amp;field={name}"' in attrs
    assert 'hx-trigger="input changed delay:250ms"' in attrs
    assert f'aria-controls="id_{name}-suggestions"' in attrs
    assert 'autocomplete="off"' in attrs
    assert f'for="id_{name}"' in page  # its label
    assert f'id="id_{name}-suggestions"' in page
    assert "kaohe/unit_picker.js" in page


def test_the_record_form_starts_at_ones_own_unit_named_under_the_field(client, secondary_cadre):
    client.force_login(secondary_cadre)

    page = client.get(NEW_RECORD).content.decode()

    assert 'value="YX-S1"' in page
    assert in_zh("Chosen: %(unit)s", unit="城关街道总工会（YX-S1）") in page


# Filters


@pytest.fixture
def activities(tree):
    return {
        code: Activity.objects.create(
            organisation=unit,
            category=ActivityCategory.LECTURE,
            name=f"活动-{code}",
            date=datetime.date(2026, 3, 1),
            participants=10,
        )
        for code, unit in tree.items()
    }


def listed(response) -> set[str]:
    return {row.record.organisation.code for row in response.context["rows"]}


def test_a_records_filter_by_part_of_a_name_lists_that_units_records(client, district_admin, activities):
    client.force_login(district_admin)

    response = client.get(RECORDS, {"unit": "社区"})

    assert response.status_code == 200
    assert (response.context["unit"].code, listed(response)) == ("YX-S1-G1", {"YX-S1-G1"})
    assert in_zh("Chosen: %(unit)s", unit="城关社区工会（YX-S1-G1）") in response.content.decode()


def test_a_records_filter_by_name_with_the_units_under_it(client, secondary_cadre, activities):
    client.force_login(secondary_cadre)

    response = client.get(RECORDS, {"unit": "城关街道总工会", "subtree": "on"})

    assert listed(response) == {"YX-S1", "YX-S1-G1", "YX-S1-G2"}


def test_a_filter_that_matches_nothing_says_so_instead_of_a_404(client, district_admin, activities):
    client.force_login(district_admin)

    response = client.get(RECORDS, {"unit": "邻区", "subtree": "on"})  # 邻区's units are another district's

    assert response.status_code == 200
    assert response.context["page"] is None
    page = response.content.decode()
    assert nothing_contains("邻区") in page
    assert "活动-LQ" not in page
    assert 'id="filter-refused"' in page


def test_an_ambiguous_filter_lists_the_units_to_choose_from(client, district_admin, activities):
    client.force_login(district_admin)

    response = client.get(RECORDS, {"unit": "城关"})

    assert response.status_code == 200
    assert response.context["page"] is None
    error = " ".join(response.context["form"].errors["unit"])
    for unit in ("城关街道总工会（YX-S1）", "城关社区工会（YX-S1-G1）", "城关小学工会（YX-S1-G2）"):
        assert unit in error


def test_the_figures_links_by_code_still_filter_the_records(client, district_admin, activities):
    client.force_login(district_admin)

    response = client.get(
        RECORDS, {"unit": "YX-S1", "subtree": "on", "active": "on", "date_from": "2026-01-01", "date_to": "2026-12-31"}
    )

    assert listed(response) == {"YX-S1", "YX-S1-G1", "YX-S1-G2"}  # YX-S1 is part of its units' codes too


def test_a_records_filter_costs_the_same_queries_by_name_as_by_code(client, district_admin, activities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_admin)
    counts = []
    for unit in ("YX-S1-G1", "社区", "城关社区工会"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(RECORDS, {"unit": unit}).status_code == 200
        counts.append(len(captured))

    assert counts == [6, 6, 6]  # as tests/test_pages.py pins the list: the unit is found in one query


def test_the_people_filter_finds_a_unit_by_part_of_its_name(client, secondary_cadre, tree):
    from kaohe.conftest import make_user

    make_user("g2-cadre", "cadre", tree["YX-S1-G2"])
    client.force_login(secondary_cadre)

    response = client.get(reverse("people"), {"unit": "小学"})

    assert response.context["unit"].code == "YX-S1-G2"
    assert [account.username for account, _may in response.context["rows"]] == ["g2-cadre"]


def test_the_people_filter_never_finds_another_systems_unit(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = client.get(reverse("people"), {"unit": "教委"})

    assert (response.status_code, response.context["page"]) == (200, None)
    assert nothing_contains("教委") in response.content.decode()


# Forms


def test_a_record_is_added_for_a_unit_named_by_part_of_its_name(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = client.post(NEW_RECORD, {"unit": "小学", **ACTIVITY})

    assert response.status_code == 302
    assert Activity.objects.get().organisation == tree["YX-S1-G2"]


def test_an_exact_code_still_names_its_unit(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = client.post(NEW_RECORD, {"unit": "YX-S1", **ACTIVITY})  # though YX-S1-G1 and -G2 hold it too

    assert response.status_code == 302
    assert Activity.objects.get().organisation == tree["YX-S1"]


def test_an_exact_name_names_its_unit_though_longer_names_hold_it(client, district_admin, tree):
    make_unit("YX-S1-G9", "城关街道总工会机关工会", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(district_admin)

    response = client.post(NEW_RECORD, {"unit": "城关街道总工会", **ACTIVITY})

    assert response.status_code == 302
    assert Activity.objects.get().organisation == tree["YX-S1"]


def test_an_ambiguous_name_in_a_form_lists_the_matches_and_saves_nothing(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(NEW_RECORD, {"unit": "城关", **ACTIVITY})

    assert response.status_code == 200
    listed_units = "城关街道总工会（YX-S1）、城关社区工会（YX-S1-G1）、城关小学工会（YX-S1-G2）"
    expected = in_zh(
        "Several units have a name or code containing “%(text)s”: %(units)s. Choose one, or type its code.",
        text="城关",
        units=listed_units,
    )
    assert response.context["form"].errors["unit"] == [expected]
    assert expected in response.content.decode()
    assert not Activity.objects.exists()


def test_a_name_shared_by_more_than_ten_units_asks_for_more_of_it(client, secondary_cadre, tree):
    for number in range(12):
        make_unit(f"YX-S1-Z{number:02}", f"扩充工会{number}", Category.GRASSROOTS, tree["YX-S1"])
    client.force_login(secondary_cadre)

    response = client.post(NEW_RECORD, {"unit": "扩充", **ACTIVITY})

    first_ten = "、".join(f"扩充工会{number}（YX-S1-Z{number:02}）" for number in range(10))
    assert response.context["form"].errors["unit"] == [
        in_zh(
            "More than %(count)s units have a name or code containing “%(text)s”, among them %(units)s. "
            "Type more of the name, or the code.",
            count=10,
            text="扩充",
            units=first_ten,
        )
    ]
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("persona", "text"), [("outsider", "YX-S1-G1"), ("outsider", "中学"), ("secondary_cadre", "中学")]
)
def test_a_form_never_takes_a_unit_of_another_system(client, personas, persona, text):
    client.force_login(personas[persona])

    response = client.post(NEW_RECORD, {"unit": text, **ACTIVITY})

    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [nothing_contains(text)]
    assert not Activity.objects.exists()


def test_a_grassroots_cadre_naming_any_part_of_their_unit_gets_their_own(client, grassroots_cadre, tree):
    client.force_login(grassroots_cadre)

    response = client.post(NEW_RECORD, {"unit": "城关", **ACTIVITY})  # three units of the district, one of theirs

    assert response.status_code == 302
    assert Activity.objects.get().organisation == tree["YX-S1-G1"]


def test_a_unit_is_moved_under_a_parent_named_by_part_of_its_name(client, district_admin):
    client.force_login(district_admin)
    move = reverse("organisations:move", args=["YX-S1-G2"])

    response = client.post(move, form_as_sent(client.get(move), new_parent="教委"))

    assert response.status_code == 302
    assert Organisation.objects.get(code="YX-S1-G2").path == "/YX/YX-S2/YX-S1-G2/"


def test_a_move_under_an_ambiguous_name_lists_the_matches(client, district_admin):
    client.force_login(district_admin)
    move = reverse("organisations:move", args=["YX-S1-G2"])

    response = client.post(move, form_as_sent(client.get(move), new_parent="区"))

    assert response.status_code == 200
    assert "区教委工会（YX-S2）" in response.context["form"].errors["new_parent"][0]
    assert Organisation.objects.get(code="YX-S1-G2").path == "/YX/YX-S1/YX-S1-G2/"


def test_an_account_is_added_at_a_unit_named_by_part_of_its_name(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)
    new = reverse("people_create")
    values = {"username": "xiaoxue", "full_name": "李老师", "role": "cadre", "unit": "小学"}

    response = client.post(new, {**values, "password1": "lake-river-2026", "password2": "lake-river-2026"})

    assert response.status_code == 302
    assert Organisation.objects.get(users__username="xiaoxue") == tree["YX-S1-G2"]


def test_a_cadre_naming_their_own_unit_is_told_its_accounts_are_managed_above(client, secondary_cadre):
    client.force_login(secondary_cadre)
    values = {"username": "colleague", "full_name": "王", "role": "cadre", "unit": "城关街道"}

    response = client.post(
        reverse("people_create"), {**values, "password1": "lake-river-2026", "password2": "lake-river-2026"}
    )

    assert response.status_code == 200
    expected = in_zh("The accounts of %(unit)s are managed by the unit above it.", unit="城关街道总工会（YX-S1）")
    assert response.context["form"].errors["unit"] == [expected]
