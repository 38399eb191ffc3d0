"""Adding, editing, moving and deactivating units from the pages, and the import page."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from kaohe.conftest import form_as_sent
from kaohe.history.models import Action, Event
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import HEADINGS, csv_bytes, upload


def messages_of(response) -> str:
    return " ".join(str(message) for message in response.context["messages"]) if response.context else ""


def test_a_secondary_cadre_adds_a_grassroots_union_to_their_system(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(
        reverse("organisations:create", args=["YX-S1"]),
        {"code": "YX-S1-G3", "name": "城关医院工会", "category": "grassroots", "members": "45"},
    )

    assert response.status_code == 302
    unit = Organisation.objects.get(code="YX-S1-G3")
    assert (unit.parent.code, unit.path, unit.members) == ("YX-S1", "/YX/YX-S1/YX-S1-G3/", 45)
    assert Event.objects.filter(action=Action.ORGANISATION_CREATED, organisation=unit, actor=secondary_cadre).exists()


def test_the_add_form_offers_only_categories_that_fit_under_the_parent(client, secondary_cadre):
    client.force_login(secondary_cadre)

    form = client.get(reverse("organisations:create", args=["YX-S1"])).context["form"]

    assert [value for value, _label in form.fields["category"].choices] == ["grassroots"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "YX-S1-G1", "name": "重复", "category": "grassroots", "members": "1"}, "code", "城关社区工会"),
        ({"code": "坏 编码", "name": "某工会", "category": "grassroots", "members": "1"}, "code", "输入一个有效的值"),
        ({"code": "YX-S1-G9", "name": "", "category": "grassroots", "members": "1"}, "name", "该字段是必填项"),
        ({"code": "YX-S1-G9", "name": "某工会", "category": "grassroots", "members": "-1"}, "members", "大于或等于0"),
        (
            {"code": "YX-S1-G9", "name": "某工会", "category": "district", "members": "1"},
            "category",
            "选择一个有效的选项",
        ),
    ],
)
def test_bad_input_on_the_add_form_is_explained_and_nothing_is_added(client, secondary_cadre, data, field, message):
    client.force_login(secondary_cadre)
    before = Organisation.objects.count()

    response = client.post(reverse("organisations:create", args=["YX-S1"]), data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Organisation.objects.count() == before


def test_a_grassroots_cadre_corrects_their_member_count(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    form = client.get(reverse("organisations:edit", args=["YX-S1-G1"])).context["form"]
    assert "category" not in form.fields  # set by the unit above
    response = client.post(
        reverse("organisations:edit", args=["YX-S1-G1"]),
        {"name": "城关社区工会", "members": "130", "version": form["version"].value()},
    )

    assert response.status_code == 302
    assert Organisation.objects.get(code="YX-S1-G1").members == 130
    event = Event.objects.get(action=Action.ORGANISATION_UPDATED)
    assert event.details == {"changes": {"members": [120, 130]}}


def test_an_assessor_cannot_edit_a_unit(client, assessor):
    client.force_login(assessor)

    response = client.post(reverse("organisations:edit", args=["YX-S1-G1"]), {"name": "改名", "members": "1"})

    assert response.status_code == 403
    assert Organisation.objects.get(code="YX-S1-G1").name == "城关社区工会"


def test_the_district_admin_moves_a_grassroots_union_with_everything_under_it(client, district_admin):
    client.force_login(district_admin)

    move = reverse("organisations:move", args=["YX-S1-G2"])
    response = client.post(move, form_as_sent(client.get(move), new_parent="YX-S2"))

    assert response.status_code == 302
    moved = Organisation.objects.get(code="YX-S1-G2")
    assert (moved.parent.code, moved.path) == ("YX-S2", "/YX/YX-S2/YX-S1-G2/")
    assert Event.objects.get(action=Action.ORGANISATION_MOVED).details == {"before": "YX-S1", "after": "YX-S2"}


def test_moving_a_secondary_union_moves_its_grassroots_unions(client, district_admin, tree):
    tree["YX-S1"].category = "bureau"
    from kaohe.organisations import actions

    actions.move_organisation(district_admin, tree["YX-S1"], tree["LQ"])

    assert Organisation.objects.get(code="YX-S1-G1").path == "/LQ/YX-S1/YX-S1-G1/"


@pytest.mark.parametrize(
    ("new_parent", "message"),
    [
        ("YX-S1-G1", "不能把单位调整到它自身或它的下级单位之下。"),
        ("YX", "基层工会不能直接隶属于区总工会。"),
        # Outside one's system: as if it did not exist.
        ("LQ-S1", translation.gettext("No unit has a name or code containing “%(text)s”.") % {"text": "LQ-S1"}),
        ("", "该字段是必填项。"),
    ],
)
def test_a_move_that_cannot_be_is_explained(client, district_admin, new_parent, message):
    client.force_login(district_admin)
    target = "YX-S1" if new_parent == "YX-S1-G1" else "YX-S1-G2"

    move = reverse("organisations:move", args=[target])
    response = client.post(move, form_as_sent(client.get(move), new_parent=new_parent))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_parent"]) or message in response.content.decode()
    assert Organisation.objects.get(code=target).path.startswith("/YX/YX-S1")


def test_a_unit_with_active_units_under_it_cannot_be_deactivated(client, district_admin):
    client.force_login(district_admin)

    response = client.post(reverse("organisations:deactivate", args=["YX-S1"]), follow=True)

    assert "下还有 2 个在用的单位" in messages_of(response)
    assert Organisation.objects.get(code="YX-S1").is_active


def test_a_deactivated_unit_leaves_the_tree_and_comes_back(client, secondary_cadre):
    client.force_login(secondary_cadre)

    client.post(reverse("organisations:deactivate", args=["YX-S1-G2"]))
    tree_page = client.get(reverse("organisations:tree")).content.decode()
    client.post(reverse("organisations:reactivate", args=["YX-S1-G2"]))

    assert ">城关小学工会</a>" not in tree_page
    assert Organisation.objects.get(code="YX-S1-G2").is_active
    assert list(Event.objects.order_by("id").values_list("action", flat=True)) == [
        Action.ORGANISATION_DEACTIVATED,
        Action.ORGANISATION_REACTIVATED,
    ]


def test_deactivating_a_unit_deactivates_its_accounts(client, secondary_cadre, grassroots_cadre):
    client.force_login(secondary_cadre)

    client.post(reverse("organisations:deactivate", args=["YX-S1-G1"]))

    grassroots_cadre.refresh_from_db()
    assert not grassroots_cadre.is_active
    assert Event.objects.filter(action=Action.ACCOUNT_DEACTIVATED, details__username="shequ").exists()
    assert Event.objects.get(action=Action.ORGANISATION_DEACTIVATED).details == {"accounts": ["shequ"]}


def test_deactivating_takes_a_post(client, district_admin):
    client.force_login(district_admin)

    assert client.get(reverse("organisations:deactivate", args=["YX-S1-G2"])).status_code == 405


def test_the_import_page_adds_units_and_says_how_many(client, secondary_cadre):
    client.force_login(secondary_cadre)
    content = csv_bytes([["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45]])

    response = client.post(reverse("organisations:import"), {"file": upload("units.csv", content)}, follow=True)

    assert "已导入 units.csv：新增 1 个单位，更新 0 个，未变 0 个。" in messages_of(response)
    assert Organisation.objects.filter(code="YX-S1-G3").exists()


def test_the_import_page_lists_every_bad_row_and_imports_nothing(client, secondary_cadre):
    client.force_login(secondary_cadre)
    content = csv_bytes(
        [["YX-S1-G3", "城关医院工会", "YX-S1", "基层工会", 45], ["YX-S1-G4", "某工会", "YX-S1", "基层工会", "多"]]
    )

    response = client.post(reverse("organisations:import"), {"file": upload("units.csv", content)})

    page = response.content.decode()
    assert "未导入任何数据：文件中有 1 处错误。" in page
    assert re.search(r"<td[^>]*>3</td><td[^>]*>会员人数</td><td[^>]*>“多”不是数字。</td>", page)
    assert page.index('id="import-errors"') < page.index("<p>") < page.index('enctype="multipart')  # errors first
    assert not Organisation.objects.filter(code="YX-S1-G3").exists()


def test_the_import_page_without_a_file_asks_for_one(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(reverse("organisations:import"), {})

    assert "该字段是必填项。" in " ".join(response.context["form"].errors["file"])


def test_the_empty_template_has_the_five_columns(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("organisations:import_template"))

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == HEADINGS
    assert sheet.max_row == 1


def test_an_export_of_a_system_imports_back_unchanged(client, secondary_cadre):
    client.force_login(secondary_cadre)

    exported = client.get(reverse("organisations:export", args=["YX-S1"])).content
    rows = [[cell.value for cell in row] for row in load_workbook(io.BytesIO(exported)).worksheets[0].iter_rows()]
    response = client.post(reverse("organisations:import"), {"file": upload("back.xlsx", exported)}, follow=True)

    assert rows[1] == HEADINGS  # under the title row
    assert rows[2:] == [
        ["YX-S1", "城关街道总工会", "YX", "乡镇街道总工会", 30],
        ["YX-S1-G1", "城关社区工会", "YX-S1", "基层工会", 120],
        ["YX-S1-G2", "城关小学工会", "YX-S1", "基层工会", 80],
    ]
    assert "新增 0 个单位，更新 0 个，未变 3 个" in messages_of(response)
