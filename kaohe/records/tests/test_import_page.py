"""The import page of each kind of record: who may import for which units, and what the page says."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.organisations.tests.files import csv_bytes, upload
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity

pytestmark = pytest.mark.django_db

HEADINGS = KINDS["activities"].headings
IMPORT = reverse("records:import", args=["activities"])


def activities_file(*codes: str) -> bytes:
    return csv_bytes([[code, "大讲堂", "2026-03-05", f"{code} 大讲堂", 30, "", "", ""] for code in codes], HEADINGS)


def post_file(client, content: bytes, url: str = IMPORT):
    return client.post(url, {"file": upload("活动.csv", content)})


def row_errors(response) -> list[tuple[int, str]]:
    return [(error.row, error.column) for error in response.context["errors"]]


def test_a_secondary_cadre_imports_records_for_its_system(client, secondary_cadre, tree):
    client.force_login(secondary_cadre)

    response = post_file(client, activities_file("YX-S1", "YX-S1-G1", "YX-S1-G2"))

    assert response.status_code == 302
    assert response["Location"] == reverse("records:list", args=["activities"])
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "3" in message
    assert "活动.csv" in message
    assert Activity.objects.filter(created_by=secondary_cadre).count() == 3


def test_a_grassroots_cadre_cannot_import_for_its_sibling(client, grassroots_cadre, tree):
    client.force_login(grassroots_cadre)

    response = post_file(client, activities_file("YX-S1-G1", "YX-S1-G2"))

    assert response.status_code == 200
    assert row_errors(response) == [(3, "单位编码")]
    page = response.content.decode()
    assert re.search(r'<tr class="import-error"><td[^>]*>3</td><td[^>]*>单位编码</td>', page)
    assert page.index('id="import-errors"') < page.index('id="import-columns"') < page.index('enctype="multipart')
    assert "{#" not in page  # the shared templates' comments stay in them
    assert "{% comment" not in page
    assert "YX-S1-G2" in page
    assert not Activity.objects.exists()


def test_an_outsider_cannot_import_for_units_of_another_district(client, outsider, tree):
    client.force_login(outsider)

    response = post_file(client, activities_file("YX-S1-G1", "YX"))

    assert row_errors(response) == [(2, "单位编码"), (3, "单位编码")]
    assert not Activity.objects.exists()


def test_an_assessor_may_not_import(client, assessor, tree):
    client.force_login(assessor)

    assert client.get(IMPORT).status_code == 403
    assert post_file(client, activities_file("YX-S1-G1")).status_code == 403
    assert not Activity.objects.exists()


def test_signing_in_comes_first(client, tree):
    response = client.get(IMPORT)

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_page_names_the_columns_and_links_the_template(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    page = client.get(reverse("records:import", args=["funds"])).content.decode()

    assert "单位编码、金额、日期、用途" in page
    assert reverse("records:import_template", args=["funds"]) in page


def test_the_empty_template_has_the_headings_and_nothing_else(client, grassroots_cadre):
    client.force_login(grassroots_cadre)

    response = client.get(reverse("records:import_template", args=["activities"]))

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "单位编码",
        "活动类别",
        "活动日期",
        "活动名称",
        "参加人数",
        "主讲人",
        "地点",
        "备注",
    ]
    assert sheet.max_row == 1


def test_an_unknown_kind_is_not_found(client, secondary_cadre):
    client.force_login(secondary_cadre)

    assert client.get(reverse("records:import", args=["meetings"])).status_code == 404
    assert client.get(reverse("records:import_template", args=["meetings"])).status_code == 404
