"""Input outside kaohe's limits is a message beside the field or the row, never a 500, and never stored.

Each test here replays a fault an outside probe found: a count that broke the district's pages, an escape
character that broke every export, imports that answered 500, uploads without limits, a zip bomb, and
standard files and a compare page that failed on numbers no column can hold.
"""

from __future__ import annotations

import io
import json
import struct
import time
import tracemalloc
import zlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext

from kaohe import limits
from kaohe.accounts.models import Role, User
from kaohe.history.models import Event
from kaohe.organisations.importing import read_units_file
from kaohe.organisations.models import Organisation
from kaohe.organisations.tests.files import csv_bytes, xlsx_bytes
from kaohe.records.importing import import_records
from kaohe.records.kinds import KINDS
from kaohe.records.models import Activity, EducationFund
from kaohe.records.tests.test_importing import ACTIVITY_HEADINGS, GOOD_ACTIVITIES, csv_file
from kaohe.spreadsheets import ImportRefused, read_table
from kaohe.standard.document import StandardInvalid, parse_standard
from kaohe.standard.files import SHIPPED, read_standard
from kaohe.standard.models import Standard

pytestmark = pytest.mark.django_db

LARGEST_BIGINT = "9223372036854775807"  # 2^63 − 1: what the forms used to accept
FORBIDDEN_CHARACTERS = ["\x0b", "\x1b", "\x00"]  # vertical tab, escape, NUL
SHIPPED_STANDARD = SHIPPED / "fangshan-2026-trial.yaml"


def opened(client, url: str) -> dict[str, Any]:
    """The form as the page shows it, every field (hidden ones too) with the value it holds."""
    form = client.get(url).context["form"]
    values = {name: form[name].value() for name in form.fields}
    return {name: value for name, value in values.items() if value is not None}


# Forms ------------------------------------------------------------------------------------------------------


def test_a_grassroots_cadre_cannot_set_a_member_count_that_would_break_the_district(client, grassroots_cadre):
    client.force_login(grassroots_cadre)
    edit = reverse("organisations:edit", args=["YX-S1-G1"])

    response = client.post(edit, {**opened(client, edit), "members": LARGEST_BIGINT})

    assert response.status_code == 200
    assert "members" in response.context["form"].errors
    assert Organisation.objects.get(code="YX-S1-G1").members == 120
    assert not Event.objects.exists()
    # …and the district's tree still shows, summing what it summed before.
    client.force_login(
        User.objects.create_user(
            "boss", role=Role.DISTRICT_ADMIN, organisation=grassroots_cadre.organisation.parent.parent
        )
    )
    assert client.get(reverse("organisations:tree")).status_code == 200


def test_the_largest_count_is_accepted_and_one_more_is_not(client, grassroots_cadre):
    client.force_login(grassroots_cadre)
    edit = reverse("organisations:edit", args=["YX-S1-G1"])

    refused = client.post(edit, {**opened(client, edit), "members": str(limits.LARGEST_COUNT + 1)})
    accepted = client.post(edit, {**opened(client, edit), "members": str(limits.LARGEST_COUNT)})

    assert "members" in refused.context["form"].errors
    assert accepted.status_code == 302
    assert Organisation.objects.get(code="YX-S1-G1").members == limits.LARGEST_COUNT


@pytest.mark.parametrize("character", FORBIDDEN_CHARACTERS, ids=["vertical-tab", "escape", "nul"])
def test_a_unit_name_with_a_control_character_is_refused_on_the_form(client, grassroots_cadre, character):
    client.force_login(grassroots_cadre)
    edit = reverse("organisations:edit", args=["YX-S1-G1"])

    response = client.post(edit, {**opened(client, edit), "name": f"城关{character}社区工会"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Organisation.objects.get(code="YX-S1-G1").name == "城关社区工会"


@pytest.mark.parametrize("character", FORBIDDEN_CHARACTERS, ids=["vertical-tab", "escape", "nul"])
def test_an_activity_with_a_control_character_or_a_huge_count_is_refused(client, secondary_cadre, character):
    client.force_login(secondary_cadre)
    add = reverse("records:create", args=["activities"])
    activity = {"unit": "YX-S1-G1", "category": "training", "name": "读书会", "date": "2026-03-01"}

    bad_name = client.post(add, {**activity, "participants": "30", "name": f"读书{character}会"})
    huge = client.post(add, {**activity, "participants": LARGEST_BIGINT})

    assert "name" in bad_name.context["form"].errors
    assert "participants" in huge.context["form"].errors
    assert not Activity.objects.exists()


def test_a_note_keeps_its_line_breaks_and_tabs_but_not_an_escape(client, secondary_cadre):
    client.force_login(secondary_cadre)
    add = reverse("records:create", args=["activities"])
    activity = {"unit": "YX-S1-G1", "category": "training", "name": "读书会", "date": "2026-03-01", "participants": "3"}

    refused = client.post(add, {**activity, "note": "第一行\x1b"})
    added = client.post(add, {**activity, "note": "第一行\r\n第二行\t完"})

    assert "note" in refused.context["form"].errors
    assert added.status_code == 302
    assert Activity.objects.get().note == "第一行\r\n第二行\t完"


def test_a_fund_beyond_the_largest_amount_is_refused(client, secondary_cadre):
    client.force_login(secondary_cadre)
    fund = {"unit": "YX-S1-G1", "date": "2026-02-01", "purpose": "购书"}

    response = client.post(reverse("records:create", args=["funds"]), {**fund, "amount": "100000000.01"})

    assert "amount" in response.context["form"].errors
    assert not KINDS["funds"].model._default_manager.exists()


def test_a_full_name_with_an_escape_character_is_refused_on_the_people_form(client, secondary_cadre):
    client.force_login(secondary_cadre)
    account = {"username": "xiaoli", "role": Role.CADRE, "unit": "YX-S1-G2"}
    passwords = {"password1": "Xk9-learning-2026", "password2": "Xk9-learning-2026"}

    response = client.post(reverse("people_create"), {**account, **passwords, "full_name": "李\x1b晓"})

    assert "full_name" in response.context["form"].errors
    assert not User.objects.filter(username="xiaoli").exists()


# Imports of units -------------------------------------------------------------------------------------------


def unit_faults(content: bytes, name: str = "units.csv") -> list[tuple[int, str]]:
    before = Organisation.objects.count()
    with pytest.raises(ImportRefused) as refused:
        read_units_file(io.BytesIO(content), name, None)
    assert Organisation.objects.count() == before
    return [(error.row, error.column) for error in refused.value.errors]


@pytest.mark.parametrize("members", ["10000000000", "1e19", "10000001", "1e400", "nan"])
def test_a_units_file_with_a_member_count_beyond_the_limit_gets_a_row_error(tree, members):
    content = csv_bytes([["YX-S1-G9", "新工会", "YX-S1", "基层工会", members]])

    assert unit_faults(content) == [(2, "会员人数")]


@pytest.mark.parametrize("character", FORBIDDEN_CHARACTERS, ids=["vertical-tab", "escape", "nul"])
def test_a_units_file_with_a_control_character_in_a_name_or_parent_gets_a_row_error(tree, character):
    content = csv_bytes(
        [
            ["YX-S1-G9", f"新{character}工会", "YX-S1", "基层工会", "10"],
            ["YX-S1-G8", "好工会", f"YX{character}-S1", "基层工会", "1"],
        ]
    )

    assert unit_faults(content) == [(2, "单位名称"), (3, "上级单位编码")]


def test_an_xlsx_holding_an_invisible_c1_control_character_gets_a_row_error(tree):
    # XML, so xlsx, cannot hold C0 controls such as the escape, but it can hold C1 ones such as U+009B (CSI).
    content = xlsx_bytes([["YX-S1-G9", "新\u009b工会", "YX-S1", "基层工会", 5]])

    assert unit_faults(content, "units.xlsx") == [(2, "单位名称")]


# Imports of records -----------------------------------------------------------------------------------------


def record_faults(content: bytes, filename: str = "活动.csv") -> list[tuple[int, str]]:
    with pytest.raises(ImportRefused) as refused:
        import_records(None, KINDS["activities"], io.BytesIO(content), filename, None)
    assert not Activity.objects.exists()
    return [(error.row, error.column) for error in refused.value.errors]


def activities_with(heading: str, value: Any) -> bytes:
    rows = [row[:] for row in GOOD_ACTIVITIES]
    rows[1][ACTIVITY_HEADINGS.index(heading)] = value
    return csv_file(rows)


@pytest.mark.parametrize("participants", ["10000000000", "1e19", "1e999999", "Infinity"])
def test_participants_beyond_the_limit_get_a_row_error(tree, participants):
    assert record_faults(activities_with("参加人数", participants)) == [(3, "参加人数")]


@pytest.mark.parametrize("character", FORBIDDEN_CHARACTERS, ids=["vertical-tab", "escape", "nul"])
def test_a_control_character_in_an_activity_name_gets_a_row_error(tree, character):
    assert record_faults(activities_with("活动名称", f"春季{character}大讲堂")) == [(3, "活动名称")]


def test_a_note_over_the_long_text_limit_gets_a_row_error(tree):
    assert record_faults(activities_with("备注", "长" * (limits.LONG_TEXT_MAX_LENGTH + 1))) == [(3, "备注")]


def test_a_csv_field_of_200000_characters_is_refused_naming_its_row(tree):
    refused = record_faults(activities_with("备注", "长" * 200_000))

    assert refused == [(3, "")]


def test_a_csv_with_lone_carriage_returns_reads_as_excel_saves_it(tree):
    content = csv_file(GOOD_ACTIVITIES).replace(b"\r\n", b"\r")

    assert import_records(None, KINDS["activities"], io.BytesIO(content), "活动.csv", None) == 3


def test_a_truncated_xlsx_is_refused_with_a_row_error(tree):
    content = xlsx_bytes(GOOD_ACTIVITIES, ACTIVITY_HEADINGS)

    for length in (len(content) // 2, len(content) - 100):
        assert record_faults(content[:length], "活动.xlsx") == [(0, "")]


def test_a_file_over_the_import_limit_is_refused_before_it_is_read(tree, settings, tmp_path: Path, capsys):
    settings.MAX_IMPORT_FILE_SIZE = 1024 * 1024
    big = tmp_path / "活动.csv"
    big.write_bytes(csv_file(GOOD_ACTIVITIES) + b"x" * (2 * 1024 * 1024))

    with pytest.raises(CommandError):
        call_command("import_records", "activities", str(big))

    assert filesizeformat(1024 * 1024) in capsys.readouterr().err
    assert not Activity.objects.exists()


def test_a_57_mb_csv_is_refused_by_size_by_default(tree, tmp_path: Path):
    big = tmp_path / "活动.csv"
    big.write_bytes(csv_file(GOOD_ACTIVITIES * 200_000)[: 57 * 1024 * 1024])

    with pytest.raises(ImportRefused) as refused:
        read_table(big.open("rb"), big.name, ACTIVITY_HEADINGS[:5])

    assert [(error.row, error.column) for error in refused.value.errors] == [(0, "")]
    assert filesizeformat(limits.import_file_max_bytes()) in refused.value.errors[0].message


def test_the_import_page_says_a_file_is_too_large_before_importing(client, secondary_cadre, settings):
    settings.MAX_IMPORT_FILE_SIZE = 1024 * 1024
    client.force_login(secondary_cadre)
    upload = SimpleUploadedFile("活动.csv", csv_file(GOOD_ACTIVITIES) + b"x" * (1024 * 1024))

    response = client.post(reverse("records:import", args=["activities"]), {"file": upload})

    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_a_document_over_its_limit_is_refused_on_the_form(client, secondary_cadre, settings):
    settings.MAX_DOCUMENT_FILE_SIZE = 1024
    client.force_login(secondary_cadre)
    document = {"unit": "YX-S1-G1", "kind": "annual_plan", "title": "计划", "date": "2026-01-05"}

    response = client.post(
        reverse("records:create", args=["documents"]), {**document, "file": SimpleUploadedFile("计划.pdf", b"%" * 2048)}
    )

    assert "file" in response.context["form"].errors
    assert not KINDS["documents"].model._default_manager.exists()


# Requests ---------------------------------------------------------------------------------------------------


def test_a_request_over_the_size_limit_is_refused_with_413_before_it_is_read(client, secondary_cadre, settings):
    settings.MAX_REQUEST_SIZE = 1024 * 1024
    client.force_login(secondary_cadre)
    upload = SimpleUploadedFile("活动.csv", csv_file(GOOD_ACTIVITIES) + b"x" * (2 * 1024 * 1024))

    response = client.post(reverse("records:import", args=["activities"]), {"file": upload})

    assert response.status_code == 413
    assert filesizeformat(1024 * 1024) in response.content.decode()
    assert not Activity.objects.exists()


def test_a_request_claiming_a_huge_body_is_refused_whatever_it_sends(client, secondary_cadre):
    client.force_login(secondary_cadre)

    response = client.post(reverse("records:import", args=["activities"]), {}, CONTENT_LENGTH=str(10**12))

    assert response.status_code == 413


# Hostile workbooks ------------------------------------------------------------------------------------------

GIB = 1024 * 1024 * 1024


def test_a_1_mb_xlsx_that_unpacks_to_1_gb_is_refused_at_once_in_little_memory(tree):
    content = zip_bomb(declared_size=GIB)
    assert len(content) < 2 * 1024 * 1024

    started, grown = refused_with_peak(content)

    assert started < 1.0
    assert grown < 100 * 1024 * 1024


def test_a_zip_bomb_that_lies_about_its_size_unpacks_no_more_than_it_declares(tree):
    # The directory claims 64 KB; the data would unpack to 1 GB. zipfile stops at the claim, the CRC fails.
    content = zip_bomb(declared_size=64 * 1024)

    started, grown = refused_with_peak(content)

    assert started < 1.0
    assert grown < 100 * 1024 * 1024


def test_a_workbook_declaring_xml_entities_is_refused(tree):
    laughs = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
    sheet = sheet_xml(["单位编码"], ["&lol2;"]).replace(b'<?xml version="1.0" encoding="UTF-8"?>', laughs)

    with pytest.raises(ImportRefused):
        read_table(io.BytesIO(handmade_xlsx(sheet)), "a.xlsx", ["单位编码"])


def test_a_workbook_of_too_many_parts_is_refused_unread(tree):
    parts = {f"xl/media/{index}.bin": b"" for index in range(limits.XLSX_MAX_PARTS + 1)}

    with pytest.raises(ImportRefused) as refused:
        read_table(io.BytesIO(raw_zip(parts)), "a.xlsx", ["单位编码"])

    assert f"{limits.XLSX_MAX_PARTS:,}" in refused.value.errors[0].message


def refused_with_peak(content: bytes) -> tuple[float, int]:
    """Seconds until the workbook was refused, and how much memory reading it took at its peak."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    baseline = tracemalloc.get_traced_memory()[0]
    started = time.perf_counter()
    try:
        with pytest.raises(ImportRefused):
            read_table(io.BytesIO(content), "活动.xlsx", ACTIVITY_HEADINGS[:5])
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return elapsed, peak - baseline


# The standard -----------------------------------------------------------------------------------------------


@pytest.fixture
def standard_data() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED_STANDARD.read_text(encoding="utf-8"))


def standard_faults(content: bytes, name: str = "standard.json") -> list[str]:
    with pytest.raises(StandardInvalid) as invalid:
        read_standard(io.BytesIO(content), name)
    assert not Standard.objects.exists()
    return [path for path, _message in invalid.value.errors]


def test_a_deeply_nested_json_standard_is_refused():
    assert standard_faults(b"[" * 100_000 + b"]" * 100_000) == ["(file)"]


@pytest.mark.parametrize("points", ["NaN", "Infinity", "1e400", "-Infinity"])
def test_points_that_are_no_number_are_refused_with_their_path(standard_data, points):
    text = json.dumps(standard_data, ensure_ascii=False).replace('"total_points": 100', f'"total_points": {points}', 1)

    assert "total_points" in standard_faults(text.encode())


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "1e400", 10**5000], ids=["nan", "inf", "1e400", "huge"])
def test_a_target_that_is_no_number_is_refused_with_its_path(standard_data, value):
    rule = next(
        rule
        for category in standard_data["categories"]
        for item in category["items"]
        for rule in item["rules"]
        if rule["target"]
    )
    amount_key = next(key for key in ("value", "factor", "ratio") if key in rule["target"])
    rule["target"][amount_key] = value

    with pytest.raises(StandardInvalid) as invalid:
        parse_standard(standard_data)

    assert any(path.endswith(f".target.{amount_key}") for path, _message in invalid.value.errors)


def test_a_30_digit_version_is_refused_as_the_column_cannot_hold_it(standard_data):
    standard_data["version"] = 10**30
    content = yaml.safe_dump(standard_data, allow_unicode=True).encode()

    assert standard_faults(content, "standard.yaml") == ["version"]


def test_a_standard_that_is_not_utf8_is_refused():
    content = SHIPPED_STANDARD.read_text(encoding="utf-8").encode("gb18030")

    assert standard_faults(content, "standard.yaml") == ["(file)"]


def test_a_standard_of_yaml_aliases_is_refused_before_it_is_walked(standard_data):
    laughs = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\ncategories: [*b, *b, *b]\n"

    assert standard_faults(laughs.encode(), "standard.yaml") == [gettext("line %(line)s") % {"line": 2}]


def test_a_standard_with_a_nul_in_its_text_is_refused(standard_data):
    standard_data["categories"][0]["title"] += "\x00"

    with pytest.raises(StandardInvalid) as invalid:
        parse_standard(standard_data)

    assert [path for path, _message in invalid.value.errors] == ["categories[0].title"]


def test_the_standard_page_refuses_a_hostile_file_with_its_faults(client, district_admin):
    client.force_login(district_admin)
    upload = SimpleUploadedFile("standard.json", b"[" * 50_000 + b"]" * 50_000)

    response = client.post(reverse("standard:import"), {"file": upload})

    assert response.status_code == 200
    assert not Standard.objects.exists()


def test_comparing_with_a_version_no_column_can_hold_is_a_bad_request_with_a_message(client, grassroots_cadre):
    client.force_login(grassroots_cadre)
    url = reverse("standard:compare", args=["fangshan-2026-trial"]) + "?from=1&to=999999999999999999999999999999"

    response = client.get(url)

    assert response.status_code == 400
    assert f"{limits.LARGEST_STORED_INTEGER:,}" in response.content.decode()


# Workbooks made by hand: what Excel writes, and what an attacker writes -------------------------------------

XML = b'<?xml version="1.0" encoding="UTF-8"?>'
OOXML = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
RELATIONSHIPS = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
RELATIONSHIP_TYPE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    XML + b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="' + OOXML + b'.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="' + OOXML + b'.worksheet+xml"/>'
    b"</Types>"
)
ROOT_RELS = (
    XML + RELATIONSHIPS + b'<Relationship Id="rId1" Type="' + RELATIONSHIP_TYPE + b'/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    XML + b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="' + RELATIONSHIP_TYPE + b'"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    XML + RELATIONSHIPS + b'<Relationship Id="rId1" Type="' + RELATIONSHIP_TYPE + b'/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_START = XML + b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_END = b"</sheetData></worksheet>"


def sheet_xml(*rows: list[str]) -> bytes:
    lines = [
        "<row>" + "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in row) + "</row>" for row in rows
    ]
    return SHEET_START + "".join(lines).encode() + SHEET_END


def workbook_parts(sheet: bytes) -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }


def handmade_xlsx(sheet: bytes) -> bytes:
    return raw_zip(workbook_parts(sheet))


def zip_bomb(declared_size: int) -> bytes:
    """A workbook whose sheet is one cell of 1 GB of "x", deflated to about 1 MB, claiming `declared_size`."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(SHEET_START + b'<row><c t="inlineStr"><is><t>') + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor starts afresh, so every megabyte of "x" deflates to the same bytes.
    megabyte = compressor.compress(b"x" * (1024 * 1024)) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(b"</t></is></c></row>" + SHEET_END) + compressor.flush()
    sheet = start + megabyte * 1024 + end
    parts: dict[str, bytes | tuple[bytes, int]] = {**workbook_parts(b"")}
    parts["xl/worksheets/sheet1.xml"] = (sheet, declared_size)
    return raw_zip(parts)


def raw_zip(parts: dict[str, Any]) -> bytes:
    """A zip written field by field, so that a part can carry deflated data and claim any size.

    A part is its bytes (deflated here), or (already deflated bytes, the uncompressed size to claim)."""
    body, directory = io.BytesIO(), io.BytesIO()
    for name, part in parts.items():
        if isinstance(part, tuple):
            deflated, size, crc = part[0], part[1], 0
        else:
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            deflated, size, crc = compressor.compress(part) + compressor.flush(), len(part), zlib.crc32(part)
        encoded = name.encode()
        offset = body.tell()
        sizes = (crc, len(deflated), size, len(encoded))
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, *sizes, 0) + encoded + deflated)
        directory.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, offset))
        directory.write(encoded)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), directory.tell(), body.tell(), 0)
    return body.getvalue() + directory.getvalue() + end


def test_a_handmade_workbook_reads_as_a_table(tree):
    """The workbooks made by hand above are real workbooks: what refuses them is their fault, not the making."""
    table = read_table(
        io.BytesIO(handmade_xlsx(sheet_xml(["单位编码", "会员人数"], ["YX", "5"]))), "a.xlsx", ["单位编码"]
    )

    assert [row for _number, row in table.rows] == [{"单位编码": "YX", "会员人数": "5"}]


def test_the_limits_fit_the_columns_they_guard():
    """Every bound is one the database holds on SQLite and PostgreSQL alike."""
    assert limits.LARGEST_COUNT < limits.LARGEST_STORED_INTEGER
    assert limits.LARGEST_COUNT * 30_000 < 2**63
    fund_amount = EducationFund._meta.get_field("amount")
    assert Decimal(10) ** (fund_amount.max_digits - fund_amount.decimal_places) > limits.LARGEST_AMOUNT
